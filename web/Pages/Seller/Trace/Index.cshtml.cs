using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Trace;

/// <summary>The seller's batches, and the GTINs of its products.</summary>
public sealed class TraceHomeModel(Db.Trace trace, SellerMemberships memberships, IStringLocalizer<SharedResource> t) : PageModel
{
    public SellerMembership Seller { get; private set; } = null!;
    public IReadOnlyList<BatchSummary> Batches { get; private set; } = [];
    public IReadOnlyList<TraceProduct> Products { get; private set; } = [];

    [BindProperty]
    public GtinInput Gtin { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(long? sellerId, CancellationToken cancellationToken) =>
        await LoadAsync(sellerId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostGtinAsync(long? sellerId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(sellerId, cancellationToken)) return NotFound();
        var gtin14 = string.IsNullOrWhiteSpace(Gtin.Value) ? null : Db.Domain.Gtin.Normalize(Gtin.Value);
        if (!string.IsNullOrWhiteSpace(Gtin.Value) && gtin14 is null)
            ModelState.AddModelError("Gtin.Value", t["Mã GTIN gồm 8, 12, 13 hoặc 14 chữ số và chữ số kiểm tra cuối phải đúng."]);
        if (!ModelState.IsValid) return Page();
        var result = await trace.SetGtinAsync(User.UserId(), Gtin.ProductId, gtin14, cancellationToken);
        if (!result.Found) return NotFound();
        if (result.Duplicate)
        {
            ModelState.AddModelError("Gtin.Value", t["Mã GTIN này đã gắn với một sản phẩm khác."]);
            return Page();
        }
        await Cho40.Web.Pages.Trace.TracePageCache.EvictAsync(HttpContext, cancellationToken);
        TempData["Message"] = gtin14 is null ? t["Đã xóa mã GTIN."].Value : t["Đã lưu mã GTIN {0}.", gtin14].Value;
        return RedirectToPage("/Seller/Trace/Index", new { sellerId = Seller.SellerId });
    }

    private async Task<bool> LoadAsync(long? sellerId, CancellationToken cancellationToken)
    {
        var seller = await TraceSeller.CurrentAsync(memberships, User, sellerId, cancellationToken);
        if (seller is null) return false;
        Seller = seller;
        Batches = await trace.BatchesAsync(User.UserId(), seller.SellerId, cancellationToken);
        Products = await trace.ProductsAsync(User.UserId(), seller.SellerId, cancellationToken);
        return true;
    }
}

public sealed class GtinInput
{
    public long ProductId { get; set; }
    public string? Value { get; set; }
}
