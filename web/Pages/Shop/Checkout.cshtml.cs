using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments.Connections;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// /thanh-toan: the shopper's details and payment method, with or without an account. One order per
/// seller; stock is reserved in the same transaction; the form's idempotency key makes a double submit
/// return the first checkout instead of a second one.
/// </summary>
public sealed class CheckoutModel(ShopQueries shop, Orders orders, AdminUnits units, ShopOptions options, TimeProvider time,
    PayOsCheckout payOs, Jobs.Payments.PaymentsOptions paymentOptions, Cho40Options siteOptions, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public CheckoutInput Input { get; set; } = new();

    public Basket Basket { get; private set; } = new([], 0, 0);

    /// <summary>Banks limit one transfer (some to 10.000.000 ₫): above this an order paid by transfer gets a warning.</summary>
    public long TransferWarningVnd => paymentOptions.TransferWarningVnd;
    public AddressPicker Address { get; private set; } = null!;

    /// <summary>
    /// The form; <paramref name="province"/> comes from the province chooser, a plain GET form (no JavaScript: "Chọn"
    /// reloads the page with that province's communes; with JavaScript the communes come from /api/communes in place).
    /// Nothing is POSTed to choose a province, so Back never asks to send a form again.
    /// </summary>
    public async Task<IActionResult> OnGetAsync(string? province, CancellationToken cancellationToken)
    {
        Basket = await Basket.LoadAsync(shop, ShopCart.Read(Request), options.ShippingFeeVnd, cancellationToken);
        if (Basket.Sellers.Count == 0) return RedirectToPage("/Shop/Cart");
        Input = new CheckoutInput
        {
            IdempotencyKey = Guid.NewGuid(),
            Name = User.Identity?.IsAuthenticated == true ? User.Identity.Name ?? "" : "",
            Phone = User.FindFirstValue(ClaimTypes.MobilePhone) ?? "",
        };
        var provinces = await units.ProvincesAsync(cancellationToken);
        var chosen = provinces.Any(p => p.Code == province) ? province : null;
        Input.ProvinceCode = chosen;
        Address = await AddressPicker.LoadAsync(units, "Input", chosen, null,
            provinceError: province is not null && chosen is null ? t["Vui lòng chọn tỉnh / thành phố."].Value : null, cancellationToken: cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var lines = ShopCart.Read(Request);
        Basket = await Basket.LoadAsync(shop, lines, options.ShippingFeeVnd, cancellationToken);

        var phone = VietnamesePhone.Normalize(Input.Phone);
        if (!string.IsNullOrWhiteSpace(Input.Phone) && phone is null)
            ModelState.AddModelError("Input.Phone", t["Số di động Việt Nam gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."]);
        if (!PaymentMethods.All.Contains(Input.PaymentMethod))
            ModelState.AddModelError("Input.PaymentMethod", t["Vui lòng chọn cách thanh toán."]);
        string? provinceError = null, communeError = null;
        if (string.IsNullOrEmpty(Input.ProvinceCode)) provinceError = t["Vui lòng chọn tỉnh / thành phố."];
        if (string.IsNullOrEmpty(Input.CommuneCode)) communeError = t["Vui lòng chọn xã / phường."];
        else if (provinceError is null && !await units.CommuneBelongsToAsync(Input.CommuneCode, Input.ProvinceCode!, cancellationToken: cancellationToken))
            communeError = t["Xã / phường không thuộc tỉnh đã chọn."];
        if (provinceError is not null) ModelState.AddModelError("Input.ProvinceCode", provinceError);
        if (communeError is not null) ModelState.AddModelError("Input.CommuneCode", communeError);
        if (Input.IdempotencyKey == Guid.Empty) Input.IdempotencyKey = Guid.NewGuid();

        // A retry of a checkout that went through (the basket cookie is already cleared): show that checkout again.
        if (await orders.FindCheckoutAsync(Input.IdempotencyKey, cancellationToken) is { } earlier) return Placed(earlier);
        if (lines.Count == 0) return RedirectToPage("/Shop/Cart");

        if (ModelState.IsValid)
        {
            var outcome = await orders.PlaceAsync(new CheckoutRequest(Input.IdempotencyKey, User.UserIdOrNull(), Input.Name.Trim(),
                phone!, Input.ProvinceCode!, Input.CommuneCode!, Input.AddressLine.Trim(), Input.Note?.Trim() ?? "",
                Input.PaymentMethod, lines, options.ShippingFeeVnd, time.GetUtcNow().AddHours(options.TransferHoldHours)),
                time.GetUtcNow(), cancellationToken);
            if (outcome.Status is CheckoutStatus.Placed or CheckoutStatus.AlreadyPlaced)
            {
                // Never waits for payOS: the link is made by a retrying job; the order is placed whatever payOS does.
                if (outcome.Status == CheckoutStatus.Placed)
                    await payOs.RequestAfterCheckoutAsync(outcome.Orders, Input.PaymentMethod, PublicBaseUrl.Of(Request, siteOptions), cancellationToken);
                return Placed(outcome);
            }
            foreach (var line in outcome.Unavailable)
            {
                ModelState.AddModelError("", line.Available == 0
                    ? t["“{0}” đã hết hàng hoặc ngừng bán.", line.Name ?? "?"]
                    : t["“{0}” chỉ còn {1}, bạn đặt {2}. Vui lòng sửa giỏ hàng.", line.Name ?? "?", line.Available, line.Requested]);
            }
        }
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, provinceError, communeError, cancellationToken);
        return Page();
    }

    private RedirectToPageResult Placed(CheckoutOutcome outcome)
    {
        ShopCart.Write(Response, []);
        TempData["Message"] = outcome.Orders.Count == 1
            ? t["Đã đặt đơn hàng {0}. Cảm ơn bạn!", outcome.Orders[0].Code].Value
            : t["Đã đặt {0} đơn hàng (mỗi người bán một đơn). Cảm ơn bạn!", outcome.Orders.Count].Value;
        return outcome.Orders.Count == 1
            ? RedirectToPage("/Shop/Order", new { token = outcome.Orders[0].AccessToken })
            : RedirectToPage("/Shop/OrderGroup", new { token = outcome.GroupToken });
    }
}

public sealed class CheckoutInput
{
    public Guid IdempotencyKey { get; set; }

    [Required(ErrorMessage = "Vui lòng nhập họ và tên người nhận.")]
    [StringLength(100, MinimumLength = 2, ErrorMessage = "Họ và tên cần từ {2} đến {1} ký tự.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập số điện thoại di động.")]
    public string Phone { get; set; } = "";

    public string? ProvinceCode { get; set; }

    public string? CommuneCode { get; set; }

    [Required(ErrorMessage = "Vui lòng nhập số nhà, đường, thôn / xóm.")]
    [StringLength(300, MinimumLength = 2, ErrorMessage = "Địa chỉ cần từ {2} đến {1} ký tự.")]
    public string AddressLine { get; set; } = "";

    [StringLength(1000, ErrorMessage = "Ghi chú tối đa {1} ký tự.")]
    public string? Note { get; set; }

    public string PaymentMethod { get; set; } = "cod";
}
