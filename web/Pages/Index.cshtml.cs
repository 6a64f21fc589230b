using Cho40.Db;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages;

public sealed class IndexModel(Catalog catalog) : PageModel
{
    public IReadOnlyList<ProductCard> Products { get; private set; } = [];

    public async Task OnGetAsync() => Products = await catalog.LatestPublishedAsync(48);
}
