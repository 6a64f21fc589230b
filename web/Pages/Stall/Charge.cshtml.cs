using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments.VietQr;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// "Thu tiền": the stallholder types an amount as she would say it ("120k", "1tr2"), sees it read back in figures and
/// words ("120.000 ₫ — Một trăm hai mươi nghìn đồng") with a way to correct it, then shows a full-screen dynamic VietQR
/// (amount + purpose "C40 XXXXXX") for the stall's own account. The request expires (Cho40:PaymentRequestMinutes, default
/// 15) and its status follows the stall's event stream, or the "Kiểm tra" link without JavaScript. Three steps, each a
/// plain form or link: type → confirm (GET ?so-tien=) → QR.
/// </summary>
public sealed class ChargeModel(Stalls stalls, Db.Payments payments, IConfiguration configuration, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public StallDetail Stall { get; private set; } = null!;
    public PaymentRequest? PayRequest { get; private set; }
    public string Status { get; private set; } = "pending";
    public string StatusText { get; private set; } = "";
    public long Received { get; private set; }

    /// <summary>The newest payment of the stall's day when the page was rendered: the live stream sends anything newer.</summary>
    public long LastPaymentId { get; private set; }

    /// <summary>What she typed.</summary>
    [BindProperty]
    public string? Amount { get; set; }

    /// <summary>The amount put back in the box when she corrects it (?nhap=).</summary>
    [FromQuery(Name = "nhap")]
    public string? Prefill { get; set; }
    public string? AmountError { get; private set; }

    /// <summary>The amount read back for her to confirm (?so-tien=, whole VND).</summary>
    [FromQuery(Name = "so-tien")]
    public long? ConfirmVnd { get; set; }

    /// <summary>The confirmed amount the QR is made for.</summary>
    [BindProperty]
    public long? AmountVnd { get; set; }

    private TimeSpan Lifetime => TimeSpan.FromMinutes(configuration.GetValue("Cho40:PaymentRequestMinutes", 15));

    public async Task<IActionResult> OnGetAsync(long id, long? requestId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, requestId, cancellationToken)) return NotFound();
        if (ConfirmVnd is { } c && !InBounds(c)) ConfirmVnd = null;
        return Page();
    }

    public async Task<IActionResult> OnGetPngAsync(long id, long requestId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, requestId, cancellationToken) || PayRequest is null) return NotFound();
        return File(VietQrImage.Png(PayRequest.Payload, 12), "image/png");
    }

    /// <summary>Step 1 → 2: reads what she typed; the amount is shown back before any QR exists.</summary>
    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, null, cancellationToken)) return NotFound();
        var amount = MoneyInput.Read(Amount, MoneyField.StallPayment, t, out var error);
        if (amount is null)
        {
            AmountError = error;
            return Page();
        }
        TempData["Message"] = t["Xem lại số tiền trước khi hiện mã QR."].Value;
        return RedirectToPage("/Stall/Charge", new RouteValueDictionary { ["id"] = Stall.Id, ["so-tien"] = amount.Value });
    }

    /// <summary>Step 2 → 3: the confirmed amount becomes a payment request and its QR.</summary>
    public async Task<IActionResult> OnPostCreateAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, null, cancellationToken)) return NotFound();
        if (AmountVnd is not { } amount || !InBounds(amount))
        {
            AmountError = t["Số tiền không hợp lệ. Hãy nhập lại."];
            return Page();
        }
        var account = Stall.BankAccount!;
        var request = await payments.CreateRequestAsync(Stall.Id, amount, reference => VietQrPayload.Build(new VietQrRequest(
                account.BankBin, account.AccountNumber, account.Service == "card" ? VietQrService.Card : VietQrService.Account,
                amount, PaymentReferences.Purpose(reference))),
            time.GetUtcNow(), Lifetime, User.UserId(), cancellationToken);
        TempData["Message"] = t["Đưa mã QR cho khách quét."].Value;
        return RedirectToPage("/Stall/Charge", new { id = Stall.Id, requestId = request.Id });
    }

    private static bool InBounds(long amount) => amount >= MoneyField.StallPayment.MinVnd && amount <= MoneyField.StallPayment.MaxVnd;

    private async Task<bool> LoadAsync(long id, long? requestId, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall?.BankAccount is null) return false;
        Stall = stall;
        if (requestId is null) return true;
        PayRequest = await payments.FindRequestAsync(requestId.Value, id, cancellationToken);
        if (PayRequest is null) return false;
        Received = await payments.ReceivedForRequestAsync(PayRequest.Id, cancellationToken);
        LastPaymentId = (await payments.OfDayAsync(id, VietnamTime.DayOf(time.GetUtcNow()), cancellationToken)).Select(p => p.Id).DefaultIfEmpty(0).Max();
        Status = PayRequest.IsExpired(time.GetUtcNow()) ? "expired" : PayRequest.Status;
        StatusText = Status switch
        {
            "paid" => t["ĐÃ NHẬN ĐỦ TIỀN"],
            "underpaid" => t["THIẾU TIỀN: mới nhận {0}", Formatting.Vnd(Received)],
            "expired" => t["Mã đã hết hạn. Hãy tạo mã mới."],
            "cancelled" => t["Đã huỷ."],
            _ => t["Đang chờ khách chuyển khoản… (hết hạn lúc {0})", Formatting.VietnamDateTime(PayRequest.ExpiresAt)],
        };
        return true;
    }
}
