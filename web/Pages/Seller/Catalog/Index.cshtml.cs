using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>A seller's own listings, filtered by status; members of several sellers first pick one.</summary>
public sealed class IndexModel(SellerMemberships memberships, CatalogProducts products, IStringLocalizer<SharedResource> t) : PageModel
{
    public SellerMembership? Seller { get; private set; }
    public IReadOnlyList<SellerMembership> Choices { get; private set; } = [];
    public IReadOnlyList<CatalogProductSummary> Products { get; private set; } = [];
    public string? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? status, bool choose = false, CancellationToken cancellationToken = default)
    {
        var choice = await CurrentSeller.ResolveAsync(HttpContext, memberships, cancellationToken);
        if (choice.AskedForUnknown) return NotFound();
        Choices = choice.Approved;
        Seller = choose ? null : choice.Current;
        if (Seller is null) return Page();
        if (Request.Query.ContainsKey("seller")) CurrentSeller.Remember(HttpContext, Seller.SellerId);
        Status = status is "draft" or "published" or "unpublished" ? status : null;
        Products = await products.ListAsync(Seller.Scope(HttpContext), Status, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostChooseAsync(long sellerId, CancellationToken cancellationToken)
    {
        var approved = (await memberships.OfUserAsync(User.UserId(), cancellationToken)).Where(m => m.Status == "approved");
        var seller = approved.FirstOrDefault(m => m.SellerId == sellerId);
        if (seller is null) return NotFound();
        CurrentSeller.Remember(HttpContext, seller.SellerId);
        TempData["Message"] = t["Đang quản lý sản phẩm của {0}.", seller.SellerName].Value;
        return RedirectToPage();
    }
}
