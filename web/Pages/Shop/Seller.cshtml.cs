using Cho40.Db;
using Microsoft.AspNetCore.Mvc;

namespace Cho40.Web.Pages.Shop;

/// <summary>/nguoi-ban/{slug}: an approved seller and its published products.</summary>
public sealed class SellerModel(ShopQueries shop, AdminUnits units) : ShopListModel(shop, units)
{
    public ShopSeller? Seller { get; private set; }

    public override string ListingPath => "/nguoi-ban/" + Seller!.Slug;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        Seller = await Store.SellerAsync(slug, cancellationToken);
        if (Seller is null) return NotFound();
        await LoadAsync(Seller.Id, cancellationToken);
        return Page();
    }
}
