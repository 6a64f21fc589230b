using Cho40.Db;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages;

/// <summary>
/// <c>/du-lieu-mo</c>: what the open data is, its licence, its files and every column (public, cacheable). The files
/// themselves are served by <see cref="OpenDataFiles"/>.
/// </summary>
public sealed class OpenDataModel(ProvinceQueries province) : PageModel
{
    public ProvinceRefresh? Refresh { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Refresh = await province.LatestRefreshAsync(cancellationToken);
        Response.Headers.CacheControl = "public, max-age=600";
        Response.Headers.Vary = "Cookie";
    }
}
