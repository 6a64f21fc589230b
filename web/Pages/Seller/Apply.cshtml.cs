using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller;

/// <summary>Any signed-in person may apply to sell; the seller stays 'pending' until an admin approves it.</summary>
public sealed class ApplyModel(Sellers sellers, AdminUnits units, IStringLocalizer<SharedResource> t) : PageModel
{
    private static readonly string[] Kinds = ["cooperative", "household", "enterprise"];

    [BindProperty]
    public SellerApplicationInput Input { get; set; } = new();

    public AddressPicker Address { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Address = await AddressPicker.LoadAsync(units, "Input", null, null, cancellationToken: cancellationToken);

    public async Task<IActionResult> OnPostProvinceAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, null, cancellationToken: cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        string? provinceError = null, communeError = null;
        if (!Kinds.Contains(Input.Kind)) ModelState.AddModelError("Input.Kind", t["Vui lòng chọn loại hình."]);
        var taxCode = string.IsNullOrWhiteSpace(Input.TaxCode) ? null : Input.TaxCode.Trim();
        if (taxCode is not null && !System.Text.RegularExpressions.Regex.IsMatch(taxCode, "^[0-9]{10}(-[0-9]{3})?$"))
            ModelState.AddModelError("Input.TaxCode", t["Mã số thuế gồm 10 chữ số (chi nhánh: 10 số, gạch ngang, 3 số)."]);
        if (string.IsNullOrEmpty(Input.ProvinceCode))
            provinceError = t["Vui lòng chọn tỉnh / thành phố."];
        else if (!string.IsNullOrEmpty(Input.CommuneCode) && !await units.CommuneBelongsToAsync(Input.CommuneCode, Input.ProvinceCode, cancellationToken))
            communeError = t["Xã / phường không thuộc tỉnh đã chọn."];
        if (provinceError is not null) ModelState.AddModelError("Input.ProvinceCode", provinceError);
        if (communeError is not null) ModelState.AddModelError("Input.CommuneCode", communeError);

        if (!ModelState.IsValid)
        {
            Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, provinceError, communeError, cancellationToken);
            return Page();
        }

        var name = Input.Name.Trim();
        await sellers.ApplyAsync(User.UserId(), new NewSeller(name, Input.Kind, taxCode, Input.ProvinceCode!,
            string.IsNullOrEmpty(Input.CommuneCode) ? null : Input.CommuneCode, Input.AddressLine?.Trim() ?? "",
            Input.Description?.Trim() ?? ""), Slug.From(name), cancellationToken);
        TempData["Message"] = t["Đã gửi hồ sơ. Chúng tôi sẽ báo khi hồ sơ được duyệt."].Value;
        return RedirectToPage("/Account/Index");
    }
}

public sealed class SellerApplicationInput
{
    [Required(ErrorMessage = "Vui lòng nhập tên.")]
    [StringLength(200, MinimumLength = 2, ErrorMessage = "Tên cần từ {2} đến {1} ký tự.")]
    public string Name { get; set; } = "";

    public string Kind { get; set; } = "cooperative";

    public string? TaxCode { get; set; }

    public string? ProvinceCode { get; set; }

    public string? CommuneCode { get; set; }

    [StringLength(300, ErrorMessage = "Địa chỉ tối đa {1} ký tự.")]
    public string? AddressLine { get; set; }

    [StringLength(4000, ErrorMessage = "Giới thiệu tối đa {1} ký tự.")]
    public string? Description { get; set; }
}
