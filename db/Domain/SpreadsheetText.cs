namespace Cho40.Db.Domain;

/// <summary>
/// Text written into CSV files people open in Excel or LibreOffice. A cell that starts with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c>, a tab or a carriage return is taken as a formula there (CSV/formula injection: a product named
/// <c>=HYPERLINK(…)</c> would run in the seller's or the bank's spreadsheet), so such text is written with a leading
/// apostrophe, which spreadsheets show as plain text; <see cref="Restore"/> removes it again when the file is imported.
/// </summary>
public static class SpreadsheetText
{
    private const string FormulaStarts = "=+-@\t\r";

    public static string Neutralise(string text) => text.Length > 0 && FormulaStarts.Contains(text[0]) ? "'" + text : text;

    public static string Restore(string text) => text.Length > 1 && text[0] == '\'' && FormulaStarts.Contains(text[1]) ? text[1..] : text;
}
