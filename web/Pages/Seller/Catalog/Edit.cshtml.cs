using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Catalog;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>
/// One of the seller's listings: edit, publish / take off sale, photos (add, order, delete). A listing of another
/// seller answers 404, whatever the handler.
/// </summary>
[RequestSizeLimit(PhotoUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = PhotoUpload.MaxRequestBytes)]
public sealed class EditModel(SellerMemberships memberships, CatalogProducts products, CatalogPhotos catalogPhotos, AdminUnits units, TimeProvider clock,
    IStringLocalizer<SharedResource> t) : PageModel, IProductForm
{
    [BindProperty]
    public ProductInput Input { get; set; } = new();

    public IReadOnlyList<CategoryOption> Categories { get; private set; } = [];
    public AddressPicker Address { get; private set; } = null!;
    public CatalogProduct Product { get; private set; } = null!;
    public IReadOnlyList<CatalogImage> Images { get; private set; } = [];
    private SellerScope scope = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        Input = ProductInput.From(Product);
        await LoadFormAsync(null, null, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostProvinceAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        ModelState.Clear();
        Input.CommuneCode = null;
        await LoadFormAsync(null, null, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        Categories = await products.CategoriesAsync(cancellationToken);
        var (listing, provinceError, communeError) = await Input.ValidateAsync(ModelState, t, Categories, units, cancellationToken);
        if (listing is null)
        {
            await LoadFormAsync(provinceError, communeError, cancellationToken);
            return Page();
        }
        if (!await products.UpdateAsync(scope, id, listing, clock.GetUtcNow(), cancellationToken)) return NotFound();
        TempData["Message"] = t["Đã lưu thay đổi."].Value;
        return RedirectToPage("/Seller/Catalog/Edit", new { id });
    }

    public Task<IActionResult> OnPostPublishAsync(long id, CancellationToken cancellationToken) =>
        SetStatusAsync(id, "published", "Đã đăng bán. Người mua đã thấy sản phẩm.", cancellationToken);

    public Task<IActionResult> OnPostUnpublishAsync(long id, CancellationToken cancellationToken) =>
        SetStatusAsync(id, "unpublished", "Đã ngừng bán. Người mua không còn thấy sản phẩm.", cancellationToken);

    public async Task<IActionResult> OnPostUploadAsync(long id, List<IFormFile> photos, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        // The product form's fields are not part of this post: check the photos on their own.
        var problems = new Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary();
        var existing = (await catalogPhotos.ImagesAsync(scope, id, cancellationToken)).Count;
        if (photos.Count == 0) problems.AddModelError("Photos", t["Vui lòng chọn ảnh."]);
        else if (existing + photos.Count > ProductPhotos.MaxPhotosPerProduct)
            problems.AddModelError("Photos", t["Mỗi sản phẩm tối đa {0} ảnh.", ProductPhotos.MaxPhotosPerProduct]);
        var checkedPhotos = problems.IsValid ? await PhotoUpload.CheckAsync(photos, problems, "Photos", t, HttpContext.RequestAborted) : null;
        if (checkedPhotos is null)
        {
            TempData["Message"] = string.Join(" ", problems["Photos"]!.Errors.Select(e => e.ErrorMessage));
            return RedirectToPage("/Seller/Catalog/Edit", null, new { id }, "photos");
        }
        foreach (var blob in checkedPhotos)
            if (await catalogPhotos.AddImageAsync(scope, id, blob, cancellationToken) is null) return NotFound();
        TempData["Message"] = t["Đã thêm {0} ảnh.", checkedPhotos.Count].Value;
        return RedirectToPage("/Seller/Catalog/Edit", null, new { id }, "photos");
    }

    public async Task<IActionResult> OnPostDeletePhotoAsync(long id, long imageId, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        if (!await catalogPhotos.DeleteImageAsync(scope, id, imageId, cancellationToken)) return NotFound();
        TempData["Message"] = t["Đã xoá ảnh."].Value;
        return RedirectToPage("/Seller/Catalog/Edit", null, new { id }, "photos");
    }

    public async Task<IActionResult> OnPostMovePhotoAsync(long id, long imageId, int direction, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        if (!await catalogPhotos.MoveImageAsync(scope, id, imageId, direction, cancellationToken)) return NotFound();
        TempData["Message"] = t["Đã đổi thứ tự ảnh."].Value;
        return RedirectToPage("/Seller/Catalog/Edit", null, new { id }, "photos");
    }

    private async Task<IActionResult> SetStatusAsync(long id, string status, string message, CancellationToken cancellationToken)
    {
        if (await LoadListingAsync(id, cancellationToken) is { } notFound) return notFound;
        if (!await products.SetStatusAsync(scope, id, status, clock.GetUtcNow(), cancellationToken)) return NotFound();
        TempData["Message"] = t[message].Value;
        return RedirectToPage("/Seller/Catalog/Edit", new { id });
    }

    /// <summary>The listing, in the current seller's scope; 404 for anything else (another seller's id, a guess).</summary>
    private async Task<IActionResult?> LoadListingAsync(long id, CancellationToken cancellationToken)
    {
        var choice = await CurrentSeller.ResolveAsync(HttpContext, memberships, cancellationToken);
        if (choice.Current is null) return NotFound();
        scope = choice.Current.Scope(HttpContext);
        var listing = await products.GetAsync(scope, id, cancellationToken);
        if (listing is null) return NotFound();
        Product = listing;
        return null;
    }

    private async Task LoadFormAsync(string? provinceError, string? communeError, CancellationToken cancellationToken)
    {
        if (Categories.Count == 0) Categories = await products.CategoriesAsync(cancellationToken);
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, provinceError, communeError, cancellationToken);
        Images = await catalogPhotos.ImagesAsync(scope, Product.Id, cancellationToken);
    }
}
