using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>A new listing (a draft), with its first photos if chosen.</summary>
[RequestSizeLimit(PhotoUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = PhotoUpload.MaxRequestBytes)]
public sealed class NewModel(SellerMemberships memberships, CatalogProducts products, CatalogPhotos catalogPhotos, AdminUnits units, TimeProvider clock,
    IStringLocalizer<SharedResource> t) : PageModel, IProductForm
{
    [BindProperty]
    public ProductInput Input { get; set; } = new();

    public IReadOnlyList<CategoryOption> Categories { get; private set; } = [];
    public AddressPicker Address { get; private set; } = null!;
    public SellerMembership Seller { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await ResolveAsync(cancellationToken) is { } redirect) return redirect;
        Input.Stock = "0";
        await LoadAsync(null, null, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostProvinceAsync(CancellationToken cancellationToken)
    {
        if (await ResolveAsync(cancellationToken) is { } redirect) return redirect;
        ModelState.Clear();
        Input.CommuneCode = null;
        await LoadAsync(null, null, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(List<IFormFile> photos, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(cancellationToken) is { } redirect) return redirect;
        Categories = await products.CategoriesAsync(cancellationToken);
        var (listing, provinceError, communeError) = await Input.ValidateAsync(ModelState, t, Categories, units, cancellationToken);
        var checkedPhotos = await PhotoUpload.CheckAsync(photos, ModelState, "Photos", t, HttpContext.RequestAborted);
        if (listing is null || checkedPhotos is null)
        {
            if (ModelState.ContainsKey("Photos") is false && photos.Count > 0)
                ModelState.AddModelError("Photos", t["Vui lòng chọn lại ảnh sau khi sửa các lỗi trên."]);
            await LoadAsync(provinceError, communeError, cancellationToken);
            return Page();
        }

        var created = await products.CreateAsync(Seller.Scope(HttpContext), listing, Slug.From(listing.Name), clock.GetUtcNow(), cancellationToken);
        if (created is null) return NotFound();
        foreach (var blob in checkedPhotos) await catalogPhotos.AddImageAsync(Seller.Scope(HttpContext), created.Value.Id, blob, cancellationToken);
        TempData["Message"] = t["Đã lưu bản nháp “{0}”. Kiểm tra rồi bấm Đăng bán.", listing.Name].Value;
        return RedirectToPage("/Seller/Catalog/Edit", new { id = created.Value.Id });
    }

    private async Task<IActionResult?> ResolveAsync(CancellationToken cancellationToken)
    {
        var choice = await CurrentSeller.ResolveAsync(HttpContext, memberships, cancellationToken);
        if (choice.AskedForUnknown) return NotFound();
        if (choice.Current is null) return RedirectToPage("/Seller/Catalog/Index");
        Seller = choice.Current;
        return null;
    }

    private async Task LoadAsync(string? provinceError, string? communeError, CancellationToken cancellationToken)
    {
        if (Categories.Count == 0) Categories = await products.CategoriesAsync(cancellationToken);
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, provinceError, communeError, cancellationToken);
    }
}
