using System.Globalization;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Trace;

/// <summary>Certificates (VietGAP, OCOP, organic…) of the seller or one of its products; trace pages show the valid ones.</summary>
public sealed class CertificatesModel(Db.Trace trace, SellerMemberships memberships, IStringLocalizer<SharedResource> t) : PageModel
{
    public SellerMembership Seller { get; private set; } = null!;
    public IReadOnlyList<TraceCertificate> Certificates { get; private set; } = [];
    public IReadOnlyList<TraceProduct> Products { get; private set; } = [];

    [BindProperty]
    public CertificateInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(long? sellerId, CancellationToken cancellationToken) =>
        await LoadAsync(sellerId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long? sellerId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(sellerId, cancellationToken)) return NotFound();
        if (!CertificateKinds.All.Contains(Input.Kind ?? "")) ModelState.AddModelError("Input.Kind", t["Vui lòng chọn loại chứng nhận."]);
        if (string.IsNullOrWhiteSpace(Input.Number) || Input.Number.Trim().Length > 100) ModelState.AddModelError("Input.Number", t["Vui lòng nhập số chứng nhận (tối đa 100 ký tự)."]);
        if (string.IsNullOrWhiteSpace(Input.Issuer) || Input.Issuer.Trim().Length > 200) ModelState.AddModelError("Input.Issuer", t["Vui lòng nhập tổ chức cấp (tối đa 200 ký tự)."]);
        var fromOk = DateOnly.TryParseExact(Input.ValidFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from);
        if (!fromOk) ModelState.AddModelError("Input.ValidFrom", t["Vui lòng nhập ngày cấp."]);
        if (!DateOnly.TryParseExact(Input.ValidTo, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to) || (fromOk && to < from))
            ModelState.AddModelError("Input.ValidTo", t["Ngày hết hạn phải sau ngày cấp."]);
        var productId = Input.ProductId is > 0 ? Input.ProductId : null;
        if (productId is not null && !Products.Any(p => p.Id == productId)) ModelState.AddModelError("Input.ProductId", t["Vui lòng chọn sản phẩm."]);
        if (!ModelState.IsValid) return Page();

        var id = await trace.AddCertificateAsync(User.UserId(), Seller.SellerId,
            new NewCertificate(productId, Input.Kind!, Input.Number!.Trim(), Input.Issuer!.Trim(), from, to), cancellationToken);
        if (id is null) return NotFound();
        await Cho40.Web.Pages.Trace.TracePageCache.EvictAsync(HttpContext, cancellationToken);
        TempData["Message"] = t["Đã thêm chứng nhận."].Value;
        return RedirectToPage("/Seller/Trace/Certificates", new { sellerId = Seller.SellerId });
    }

    private async Task<bool> LoadAsync(long? sellerId, CancellationToken cancellationToken)
    {
        var seller = await TraceSeller.CurrentAsync(memberships, User, sellerId, cancellationToken);
        if (seller is null) return false;
        Seller = seller;
        Certificates = await trace.CertificatesAsync(User.UserId(), seller.SellerId, cancellationToken);
        Products = await trace.ProductsAsync(User.UserId(), seller.SellerId, cancellationToken);
        return true;
    }
}

public sealed class CertificateInput
{
    public string? Kind { get; set; } = "vietgap";
    public long? ProductId { get; set; }
    public string? Number { get; set; }
    public string? Issuer { get; set; }
    public string? ValidFrom { get; set; }
    public string? ValidTo { get; set; }
}
