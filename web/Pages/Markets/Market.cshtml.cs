using Cho40.Db;
using Cho40.Db.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Markets;

/// <summary>
/// A market's public page (<c>/cho/{slug}</c>, the address on its gate poster): name, address, opening hours, photo,
/// description, the "chợ 4.0" badge and every stall with what it sells and whether it takes QR. Anonymous and the same
/// for everybody (cached 5 minutes by shared caches; the language comes from ?culture= or the cookie). No person is named:
/// a stall shows its number, its trading name (the one on its sign) and its goods — never its owner, phone or account.
/// </summary>
public sealed class MarketModel(MarketPages markets, TimeProvider time) : PageModel
{
    public PublicMarket Market { get; private set; } = null!;
    public IReadOnlyList<PublicStall> Stalls { get; private set; } = [];
    public MarketBadge Badge { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        var market = await markets.BySlugAsync(slug, cancellationToken);
        if (market is null) return NotFound();
        Market = market;
        Stalls = await markets.StallsAsync(market.Id, cancellationToken);
        Badge = await markets.BadgeAsync(market.Id, VietnamTime.DayOf(time.GetUtcNow()), cancellationToken);
        Response.Headers.CacheControl = "public, max-age=300";
        Response.Headers.Vary = "Cookie";
        return Page();
    }
}
