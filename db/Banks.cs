using Sylvan.Data.Csv;

namespace Cho40.Db;

/// <summary>A bank taking part in NAPAS transfers, keyed on its 6-digit BIN (renamed banks keep their BIN).</summary>
public sealed record Bank(string Bin, string ShortName, string Name, string Swift, bool AcceptsVietQr)
{
    /// <summary>Names the bank had before a rename (DongA Bank → Vikki Bank): people still look for them.</summary>
    public IReadOnlyList<string> FormerNames { get; init; } = [];
}

/// <summary>
/// The bank list from <c>db/data/vn-banks.csv</c> (a copy of the State Bank's BIN list; it changes a few
/// times a year, so it is data, not code). Loaded once per process.
/// </summary>
public sealed class Banks
{
    private readonly Dictionary<string, Bank> byBin;

    public Banks(string? path = null)
    {
        using var csv = CsvDataReader.Create(path ?? Path.Combine(AppContext.BaseDirectory, "data", "vn-banks.csv"));
        var list = new List<Bank>();
        while (csv.Read())
        {
            list.Add(new Bank(csv.GetString(csv.GetOrdinal("bin")).Trim(), csv.GetString(csv.GetOrdinal("short_name")).Trim(),
                csv.GetString(csv.GetOrdinal("name")).Trim(), csv.GetString(csv.GetOrdinal("swift")).Trim(),
                csv.GetString(csv.GetOrdinal("vietqr_transfer")).Trim() == "1"));
        }
        // A renamed bank appears once per name with the same BIN; the current name is the one that
        // takes VietQR transfers (or the last listed), the others become former names.
        byBin = list.GroupBy(b => b.Bin).Select(g =>
        {
            var current = g.LastOrDefault(b => b.AcceptsVietQr) ?? g.Last();
            return current with { FormerNames = g.Where(b => b != current).Select(b => b.ShortName).ToList() };
        }).ToDictionary(b => b.Bin);
        All = byBin.Values.OrderBy(b => b.ShortName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public IReadOnlyList<Bank> All { get; }

    public Bank? FindByBin(string bin) => byBin.GetValueOrDefault(bin);
}
