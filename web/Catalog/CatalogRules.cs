using System.Globalization;
using System.Text.RegularExpressions;
using Cho40.Db.Domain;

namespace Cho40.Web.Catalog;

/// <summary>
/// How what a seller types becomes a listing: prices in whole VND, stock, OCOP stars, certifications and
/// status. The product form and the XLSX/CSV import use the same rules, so a value means the same in both.
/// Each parser returns null and sets a Vietnamese error key (a localizer key) when the value is refused.
/// </summary>
public static partial class CatalogRules
{
    public const long MaxPriceVnd = 999_999_999; // products.price_vnd CHECK (< 1,000,000,000)
    public const int MaxStock = 10_000_000;
    public const int MaxDescriptionLength = 10_000;
    public const int MaxCertifications = 10;

    /// <summary>Certifications offered as tick boxes on the form; any other text is allowed too.</summary>
    public static readonly IReadOnlyList<string> CommonCertifications =
        ["VietGAP", "GlobalGAP", "Hữu cơ", "OCOP", "HACCP", "ISO 22000", "Chỉ dẫn địa lý"];

    public static readonly IReadOnlyList<string> Statuses = ["draft", "published", "unpublished"];

    public const string StockError = "Tồn kho phải là số nguyên từ 0 đến 10.000.000.";
    public const string OcopError = "Hạng OCOP chỉ có thể để trống, 3, 4 hoặc 5 sao.";
    public const string CertificationsError = "Tối đa 10 chứng nhận, mỗi chứng nhận tối đa 60 ký tự.";
    public const string StatusError = "Trạng thái phải là: nháp, đang bán hoặc ngừng bán.";

    /// <summary>
    /// Through the one money parser (<see cref="MoneyText"/>): "150.000", "150000", "150 000 đ", "150k", "1tr2" → VND;
    /// refuses what could mean two amounts ("150000,5", "150.5"), negatives, zero and anything over 999,999,999 đ. The
    /// error is the parser's message, already filled in (Vietnamese; a localizer finds no other text for it).
    /// </summary>
    public static long? ParsePrice(string? text, out string? error)
    {
        var reading = MoneyText.Read(text, MoneyField.Price);
        error = reading.Ok ? null : "Giá: " + string.Format(CultureInfo.InvariantCulture, reading.Error!, reading.ErrorArgs);
        return reading.AmountVnd;
    }

    public static int? ParseStock(string? text, out string? error)
    {
        error = null;
        var value = ParseWholeNumber(text);
        if (value is null or < 0 or > MaxStock) { error = StockError; return null; }
        return (int)value;
    }

    /// <summary>"", "0", "không" → no stars; "3", "4 sao", "OCOP 5 sao" → 3/4/5. Success is returned separately since null is a valid value.</summary>
    public static bool TryParseOcop(string? text, out short? stars, out string? error)
    {
        stars = null;
        error = null;
        var folded = Slug.ToAscii(text ?? "").Trim().ToLowerInvariant();
        if (folded is "" or "0" or "khong" or "none" or "-") return true;
        var match = OcopPattern().Match(folded);
        if (match.Success)
        {
            stars = short.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return true;
        }
        error = OcopError;
        return false;
    }

    /// <summary>Splits "VietGAP; Hữu cơ, OCOP" into distinct trimmed names (order kept).</summary>
    public static string[]? ParseCertifications(IEnumerable<string?> parts, out string? error)
    {
        error = null;
        var list = parts.SelectMany(p => (p ?? "").Split([';', ',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        if (list.Length > MaxCertifications || list.Any(c => c.Length > 60)) { error = CertificationsError; return null; }
        return list;
    }

    /// <summary>Vietnamese or English status words → draft / published / unpublished; empty → null (keep / draft).</summary>
    public static bool TryParseStatus(string? text, out string? status, out string? error)
    {
        status = null;
        error = null;
        var folded = Slug.ToAscii(text ?? "").Trim().ToLowerInvariant();
        switch (folded)
        {
            case "": return true;
            case "nhap" or "ban nhap" or "draft": status = "draft"; return true;
            case "dang ban" or "cong khai" or "published": status = "published"; return true;
            case "ngung ban" or "tam an" or "an" or "unpublished": status = "unpublished"; return true;
            default: error = StatusError; return false;
        }
    }

    /// <summary>The word an export writes for a status (import reads it back).</summary>
    public static string StatusWord(string status) => status switch
    {
        "published" => "đang bán",
        "unpublished" => "ngừng bán",
        _ => "nháp",
    };

    /// <summary>Whole numbers with optional thousands separators: "1.500.000", "1 500 000", "1,500,000", "1500000".</summary>
    public static long? ParseWholeNumber(string? text)
    {
        if (text is null) return null;
        var s = text.Trim().Replace('\u00A0', ' ').Replace('\u202F', ' ');
        if (s.Length == 0 || s.Length > 20) return null;
        string digits;
        if (PlainDigits().IsMatch(s)) digits = s;
        else if (GroupedBy('.').IsMatch(s)) digits = s.Replace(".", "", StringComparison.Ordinal);
        else if (GroupedBy(',').IsMatch(s)) digits = s.Replace(",", "", StringComparison.Ordinal);
        else if (GroupedBy(' ').IsMatch(s)) digits = s.Replace(" ", "", StringComparison.Ordinal);
        else return null;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static Regex GroupedBy(char separator) => separator switch
    {
        '.' => DotGrouped(),
        ',' => CommaGrouped(),
        _ => SpaceGrouped(),
    };

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex PlainDigits();

    [GeneratedRegex(@"^[0-9]{1,3}(\.[0-9]{3})+$")]
    private static partial Regex DotGrouped();

    [GeneratedRegex(@"^[0-9]{1,3}(,[0-9]{3})+$")]
    private static partial Regex CommaGrouped();

    [GeneratedRegex(@"^[0-9]{1,3}( [0-9]{3})+$")]
    private static partial Regex SpaceGrouped();

    [GeneratedRegex(@"^(?:ocop\s*)?([345])(?:\s*sao)?(?:\s*\*)?$")]
    private static partial Regex OcopPattern();
}
