using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages;

/// <summary>
/// The province dashboard (<c>/Province</c>): for one province and one week or month — its indicators, a chart of stall
/// takings over the last 12 periods, and every market and commune in sortable tables (server-side: ?sort=&amp;dir= for
/// markets, ?csort=&amp;cdir= for communes), each market drilling down to <c>/Province/Market/{id}</c>. Province viewers see
/// the provinces linked to them (another province answers 404), admins every province. Everything is read from
/// <c>province_stats</c> (rebuilt nightly), never from raw rows; nothing names a person.
/// </summary>
public sealed class ProvinceIndexModel(ProvinceQueries province, IStringLocalizer<SharedResource> t) : PageModel
{
    public const int SeriesLength = 12;

    [FromQuery(Name = "province")] public string? ProvinceCode { get; set; }
    [FromQuery(Name = "kind")] public string? KindQuery { get; set; }
    [FromQuery(Name = "p")] public string? PeriodQuery { get; set; }
    [FromQuery(Name = "sort")] public string? SortQuery { get; set; }
    [FromQuery(Name = "dir")] public string? DirQuery { get; set; }
    [FromQuery(Name = "csort")] public string? CommuneSortQuery { get; set; }
    [FromQuery(Name = "cdir")] public string? CommuneDirQuery { get; set; }

    public IReadOnlyList<Cho40.Db.Province> Provinces { get; private set; } = [];
    public Cho40.Db.Province? Current { get; private set; }
    public string Kind { get; private set; } = ProvinceView.Week;
    public IReadOnlyList<ProvincePeriod> Periods { get; private set; } = [];
    public ProvincePeriod? Period { get; private set; }
    public ProvinceStat? Totals { get; private set; }
    public ProvinceStat? Previous { get; private set; }
    public IReadOnlyList<ProvinceStat> Markets { get; private set; } = [];
    public IReadOnlyList<ProvinceStat> Communes { get; private set; } = [];
    public string? ChartSvg { get; private set; }
    public ProvinceRefresh? Refresh { get; private set; }
    public string Sort { get; private set; } = "name";
    public string Dir { get; private set; } = "asc";
    public string CommuneSort { get; private set; } = "name";
    public string CommuneDir { get; private set; } = "asc";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var viewer = await province.ViewerAsync(User.UserId(), User.IsInRole(Roles.Admin), cancellationToken);
        Provinces = viewer.Provinces;
        Refresh = viewer.Refresh;
        if (ProvinceCode is not null)
        {
            Current = Provinces.FirstOrDefault(p => p.Code == ProvinceCode);
            if (Current is null) return NotFound(); // a province this viewer is not given
        }
        else Current = Provinces.FirstOrDefault();
        Kind = ProvinceView.Kind(KindQuery);
        (Sort, Dir) = SortOf(SortQuery, DirQuery);
        (CommuneSort, CommuneDir) = SortOf(CommuneSortQuery, CommuneDirQuery);
        if (Current is null) return Page();

        // Every period of this province and kind, kept in memory until the next nightly rebuild.
        var all = await province.ProvinceRowsAsync(Current.Code, Kind, Refresh, cancellationToken);
        var totals = all.Where(r => r.ScopeKind == "province").OrderByDescending(r => r.PeriodStart).ToList();
        Periods = totals.Select(r => new ProvincePeriod(r.PeriodStart, r.PeriodEnd, r.DaysReported)).ToList();
        Period = ProvinceView.TryParseDay(PeriodQuery, out var start) ? Periods.FirstOrDefault(p => p.Start == start) : null;
        if (PeriodQuery is not null && Period is null) return NotFound();
        // Default: the latest complete week or month ("last week"), else the latest there is.
        Period ??= Periods.FirstOrDefault(p => p.Complete) ?? Periods.FirstOrDefault();
        if (Period is null) return Page();

        var rows = all.Where(r => r.PeriodStart == Period.Start).ToList();
        Totals = rows.FirstOrDefault(r => r.ScopeKind == "province");
        Markets = ProvinceView.Sort(rows.Where(r => r.ScopeKind == "market"), Sort, Dir);
        Communes = ProvinceView.Sort(rows.Where(r => r.ScopeKind == "commune"), CommuneSort, CommuneDir);
        var series = totals.Where(r => r.PeriodStart <= Period.Start).Take(SeriesLength).Reverse().ToList();
        Previous = series.Count >= 2 ? series[^2] : null;
        ChartSvg = ProvinceView.TakingsChart(series, Kind,
            t["Tiền thu tại sạp {0} kỳ gần nhất: chuyển khoản QR và tiền mặt", series.Count], t["QR"], t["Tiền mặt"]);
        return Page();
    }

    /// <summary>This page's address with some query values changed (the others kept).</summary>
    public string Link(object changes)
    {
        var values = new Dictionary<string, string?>
        {
            ["province"] = Current?.Code, ["kind"] = Kind, ["p"] = Period is null ? null : ProvinceView.DayKey(Period.Start),
            ["sort"] = Sort, ["dir"] = Dir, ["csort"] = CommuneSort, ["cdir"] = CommuneDir,
        };
        foreach (var property in changes.GetType().GetProperties()) values[property.Name] = property.GetValue(changes)?.ToString();
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/Province",
            values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => KeyValuePair.Create(v.Key, v.Value)));
    }

    /// <summary>The header link of a sortable column: the same key again flips the direction.</summary>
    public string SortLink(string key, bool communes) => communes
        ? Link(new { csort = key, cdir = CommuneSort == key && CommuneDir == "desc" ? "asc" : "desc" })
        : Link(new { sort = key, dir = Sort == key && Dir == "desc" ? "asc" : "desc" });

    public string? AriaSort(string key, bool communes)
    {
        var (sort, dir) = communes ? (CommuneSort, CommuneDir) : (Sort, Dir);
        return sort == key ? (dir == "asc" ? "ascending" : "descending") : null;
    }

    private static (string Sort, string Dir) SortOf(string? sort, string? dir) =>
        (sort is not null && ProvinceView.SortKeys.ContainsKey(sort) ? sort : "name", dir == "desc" ? "desc" : "asc");
}
