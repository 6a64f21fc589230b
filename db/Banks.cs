using Sylvan.Data.Csv;

namespace Cho40.Db;

/// <summary>A bank taking part in NAPAS transfers, keyed on its 6-digit BIN (renamed banks keep their BIN).</summary>
public sealed record Bank(string Bin, string ShortName, string Name, string Swift, bool AcceptsVietQr);

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
        All = list.OrderBy(b => b.ShortName, StringComparer.OrdinalIgnoreCase).ToList();
        // A renamed bank keeps its BIN and the list names it twice (old and new name): the later row (the current name) wins.
        byBin = list.GroupBy(b => b.Bin).ToDictionary(g => g.Key, g => g.Last());
    }

    public IReadOnlyList<Bank> All { get; }

    public Bank? FindByBin(string bin) => byBin.GetValueOrDefault(bin);
}
