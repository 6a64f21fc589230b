using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages;

/// <summary>
/// One market drilled down from the province dashboard (<c>/Province/Market/{id}?kind=week|month</c>): its figures over
/// the last periods, with a chart. Province viewers of the market's province and admins; any other market 404.
/// Market-level figures only: no stall is listed here (the public page lists stalls, without figures).
/// </summary>
public sealed class ProvinceMarketModel(ProvinceQueries province, IStringLocalizer<SharedResource> t) : PageModel
{
    public const int SeriesLength = ProvinceIndexModel.SeriesLength;

    [FromQuery(Name = "kind")] public string? KindQuery { get; set; }

    public ProvinceMarket Market { get; private set; } = null!;
    public string Kind { get; private set; } = ProvinceView.Week;
    public IReadOnlyList<ProvinceStat> Series { get; private set; } = [];
    public string? ChartSvg { get; private set; }

    public async Task<IActionResult> OnGetAsync(long marketId, CancellationToken cancellationToken)
    {
        var market = await province.MarketAsync(marketId, cancellationToken);
        if (market is null) return NotFound();
        var viewer = await province.ViewerAsync(User.UserId(), User.IsInRole(Roles.Admin), cancellationToken);
        if (!viewer.Provinces.Any(p => p.Code == market.ProvinceCode)) return NotFound();
        Market = market;
        Kind = ProvinceView.Kind(KindQuery);
        Series = (await province.ProvinceRowsAsync(market.ProvinceCode, Kind, viewer.Refresh, cancellationToken))
            .Where(r => r.ScopeKind == "market" && r.MarketId == marketId)
            .OrderByDescending(r => r.PeriodStart).Take(SeriesLength).Reverse().ToList();
        if (Series.Count > 0)
            ChartSvg = ProvinceView.TakingsChart(Series, Kind,
                t["Tiền thu tại sạp {0} kỳ gần nhất: chuyển khoản QR và tiền mặt", Series.Count], t["QR"], t["Tiền mặt"]);
        return Page();
    }
}
