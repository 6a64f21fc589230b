using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Shop;

public sealed record BasketLine(CartProduct Product, int Quantity)
{
    public long LineTotal => Product.PriceVnd * Quantity;
}

public sealed record BasketSeller(long SellerId, string SellerName, string SellerSlug, IReadOnlyList<BasketLine> Lines)
{
    public long Subtotal => Lines.Sum(l => l.LineTotal);
}

/// <summary>The basket as the shopper sees it: the cookie's lines with today's names and prices, one group per seller.</summary>
public sealed record Basket(IReadOnlyList<BasketSeller> Sellers, long ShippingFeeVnd, int MissingCount)
{
    public long Total => Sellers.Sum(s => s.Subtotal + ShippingFeeVnd);

    public static async Task<Basket> LoadAsync(ShopQueries shop, IReadOnlyList<CartLine> lines, long shippingFeeVnd,
        CancellationToken cancellationToken = default)
    {
        var products = await shop.CartProductsAsync(lines.Select(l => l.ProductId).ToList(), cancellationToken);
        var byId = products.ToDictionary(p => p.Id);
        var present = lines.Where(l => byId.ContainsKey(l.ProductId)).Select(l => new BasketLine(byId[l.ProductId], l.Quantity)).ToList();
        var sellers = present.GroupBy(l => l.Product.SellerId)
            .Select(g => new BasketSeller(g.Key, g.First().Product.SellerName, g.First().Product.SellerSlug,
                g.OrderBy(l => l.Product.Name, StringComparer.Ordinal).ToList()))
            .OrderBy(s => s.SellerName, StringComparer.Ordinal)
            .ToList();
        return new Basket(sellers, shippingFeeVnd, lines.Count - present.Count);
    }
}

/// <summary>/gio-hang: change quantities, remove lines, go to checkout. No JavaScript needed.</summary>
public sealed class CartModel(ShopQueries shop, ShopOptions options, IStringLocalizer<SharedResource> t) : PageModel
{
    public Basket Basket { get; private set; } = new([], 0, 0);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var lines = ShopCart.Read(Request);
        Basket = await Basket.LoadAsync(shop, lines, options.ShippingFeeVnd, cancellationToken);
        if (Basket.MissingCount > 0)
        {
            // Products no longer on sale leave the basket.
            ShopCart.Write(Response, lines.Where(l => Basket.Sellers.Any(s => s.Lines.Any(b => b.Product.Id == l.ProductId))).ToList());
        }
    }

    /// <summary>Quantities come as q[productId]=n; the "Bỏ" button sends remove=productId.</summary>
    public IActionResult OnPostUpdate([FromForm(Name = "q")] Dictionary<long, int>? quantities, long? remove)
    {
        var lines = ShopCart.Read(Request);
        foreach (var (productId, quantity) in quantities ?? [])
        {
            if (lines.Any(l => l.ProductId == productId)) lines = ShopCart.With(lines, productId, quantity, add: false);
        }
        if (remove is long removed) lines = ShopCart.With(lines, removed, 0, add: false);
        ShopCart.Write(Response, lines);
        TempData["Message"] = t["Đã cập nhật giỏ hàng."].Value;
        return RedirectToPage("/Shop/Cart");
    }
}
