using Cho40.Db;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages;

/// <summary>The storefront's home: search, categories, featured OCOP products and the newest listings.</summary>
public sealed class IndexModel(Storefront storefront) : PageModel
{
    public IReadOnlyList<ShopCategory> Categories { get; private set; } = [];
    public IReadOnlyList<ShopCard> Featured { get; private set; } = [];
    public IReadOnlyList<ShopCard> Products { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Categories = await storefront.CategoriesAsync();
        Featured = await storefront.FeaturedAsync(8);
        Products = await storefront.NewestAsync(40);
    }
}
