using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Catalog;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>The product form (new and edit). Price and stock are text so "150.000 đ" can be typed as people write it.</summary>
public sealed class ProductInput
{
    [Required(ErrorMessage = "Vui lòng nhập tên sản phẩm.")]
    [StringLength(200, MinimumLength = 2, ErrorMessage = "Tên cần từ {2} đến {1} ký tự.")]
    public string Name { get; set; } = "";

    [StringLength(CatalogRules.MaxDescriptionLength, ErrorMessage = "Mô tả tối đa {1} ký tự.")]
    public string? Description { get; set; }

    public int? CategoryId { get; set; }

    [Required(ErrorMessage = "Vui lòng nhập đơn vị bán, ví dụ kg, gói 200 g, hộp.")]
    [StringLength(40, ErrorMessage = "Đơn vị tối đa {1} ký tự.")]
    public string Unit { get; set; } = "";

    public string? Price { get; set; }

    public string? Stock { get; set; }

    public string? Ocop { get; set; }

    public List<string> Certifications { get; set; } = [];

    public string? OtherCertifications { get; set; }

    public string? ProvinceCode { get; set; }

    public string? CommuneCode { get; set; }

    public static ProductInput From(CatalogProduct listing) => new()
    {
        Name = listing.Name,
        Description = listing.DescriptionMd,
        CategoryId = listing.CategoryId,
        Unit = listing.Unit,
        Price = listing.PriceVnd.ToString("#,0", System.Globalization.CultureInfo.GetCultureInfo("vi-VN")),
        Stock = listing.Stock.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Ocop = listing.OcopStars?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        Certifications = listing.Certifications.Where(c => CatalogRules.CommonCertifications.Contains(c)).ToList(),
        OtherCertifications = string.Join("; ", listing.Certifications.Where(c => !CatalogRules.CommonCertifications.Contains(c))),
        ProvinceCode = listing.OriginProvinceCode,
        CommuneCode = listing.OriginCommuneCode,
    };

    /// <summary>
    /// Checks what DataAnnotations cannot (price, stock, OCOP, category, province/commune) and adds each error next to
    /// its field. Returns the listing to save, or null when something is wrong.
    /// </summary>
    public async Task<(CatalogProductInput? Listing, string? ProvinceError, string? CommuneError)> ValidateAsync(
        ModelStateDictionary modelState, IStringLocalizer t, IReadOnlyList<CategoryOption> categories, AdminUnits units,
        CancellationToken cancellationToken = default)
    {
        var price = CatalogRules.ParsePrice(Price, out var priceError);
        if (priceError is not null) modelState.AddModelError("Input.Price", t[priceError]);
        var stock = CatalogRules.ParseStock(string.IsNullOrWhiteSpace(Stock) ? "0" : Stock, out var stockError);
        if (stockError is not null) modelState.AddModelError("Input.Stock", t[stockError]);
        if (!CatalogRules.TryParseOcop(Ocop, out var stars, out var ocopError)) modelState.AddModelError("Input.Ocop", t[ocopError!]);
        var certifications = CatalogRules.ParseCertifications(Certifications.Append(OtherCertifications), out var certError);
        if (certError is not null) modelState.AddModelError("Input.OtherCertifications", t[certError]);
        if (CategoryId is not { } categoryId || categories.All(c => c.Id != categoryId))
            modelState.AddModelError("Input.CategoryId", t["Vui lòng chọn danh mục."]);

        string? provinceError = null, communeError = null;
        var province = string.IsNullOrEmpty(ProvinceCode) ? null : ProvinceCode;
        var commune = string.IsNullOrEmpty(CommuneCode) ? null : CommuneCode;
        if (province is null && commune is not null) provinceError = t["Vui lòng chọn tỉnh / thành phố."];
        else if (province is not null && (await units.ProvincesAsync(cancellationToken)).All(p => p.Code != province))
            provinceError = t["Vui lòng chọn tỉnh / thành phố."];
        else if (province is not null && commune is not null && !await units.CommuneBelongsToAsync(commune, province, cancellationToken))
            communeError = t["Xã / phường không thuộc tỉnh đã chọn."];
        if (provinceError is not null) modelState.AddModelError("Input.ProvinceCode", provinceError);
        if (communeError is not null) modelState.AddModelError("Input.CommuneCode", communeError);

        if (!modelState.IsValid) return (null, provinceError, communeError);
        return (new CatalogProductInput(Name.Trim(), (Description ?? "").Trim(), CategoryId!.Value, Unit.Trim(), price!.Value, stock!.Value,
            stars, certifications!, province, commune), null, null);
    }
}

/// <summary>What the shared field partial needs from the New and Edit pages.</summary>
public interface IProductForm
{
    ProductInput Input { get; }
    IReadOnlyList<CategoryOption> Categories { get; }
    AddressPicker Address { get; }
}
