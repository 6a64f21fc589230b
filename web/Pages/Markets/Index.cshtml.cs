using Cho40.Db;
using Cho40.Db.Domain;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Markets;

/// <summary>The public list of markets (<c>/cho</c>), each with its "chợ 4.0" badge. Anonymous and cacheable.</summary>
public sealed class IndexModel(MarketPages markets, TimeProvider time) : PageModel
{
    public IReadOnlyList<MarketListItem> Markets { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Markets = await markets.ListAsync(VietnamTime.DayOf(time.GetUtcNow()), cancellationToken);
        Response.Headers.CacheControl = "public, max-age=300";
        Response.Headers.Vary = "Cookie";
    }
}
