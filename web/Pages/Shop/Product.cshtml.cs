using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// /san-pham/{slug}: a published product; adding it to the basket works without JavaScript. The basket button is
/// protected by the browser's Fetch Metadata, not a token (<see cref="SameOriginPostsAttribute"/>).
/// </summary>
[IgnoreAntiforgeryToken]
[SameOriginPosts]
public sealed class ProductModel(ShopQueries shop, IStringLocalizer<SharedResource> t) : PageModel
{
    public ShopProduct? Product { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        Product = await shop.ProductAsync(slug, cancellationToken);
        return Product is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAddToCartAsync(string slug, int quantity, CancellationToken cancellationToken)
    {
        var product = await shop.ProductAsync(slug, cancellationToken);
        if (product is null) return NotFound();
        var lines = ShopCart.Read(Request);
        ShopCart.Write(Response, ShopCart.With(lines, product.Id, Math.Clamp(quantity, 1, Orders.MaxQuantity), add: true));
        TempData["Message"] = t["Đã thêm “{0}” vào giỏ hàng.", product.Name].Value;
        return RedirectToPage("/Shop/Cart");
    }
}
