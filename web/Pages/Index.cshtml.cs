using Cho40.Db;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages;

/// <summary>The shop's home: search, categories, featured OCOP products and the newest listings.</summary>
public sealed class IndexModel(ShopQueries shop) : PageModel
{
    public IReadOnlyList<ShopCategory> Categories { get; private set; } = [];
    public IReadOnlyList<ShopCard> Featured { get; private set; } = [];
    public IReadOnlyList<ShopCard> Products { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Categories = await shop.CategoriesAsync(cancellationToken);
        Featured = await shop.FeaturedAsync(8, cancellationToken);
        Products = await shop.NewestAsync(40, cancellationToken);
    }
}
