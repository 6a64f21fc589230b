using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments.VietQr;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Cho40.Db.Domain;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// "Thu tiền": the stallholder types an amount and shows a full-screen dynamic VietQR (amount + purpose
/// "C40 XXXXXX") for the stall's own account; the request expires (Cho40:PaymentRequestMinutes, default 15)
/// and its status follows the stall's event stream, or the "Kiểm tra" link without JavaScript.
/// </summary>
public sealed class ChargeModel(Stalls stalls, Db.Payments payments, IConfiguration configuration, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public StallDetail Stall { get; private set; } = null!;
    public PaymentRequest? PayRequest { get; private set; }
    public string Status { get; private set; } = "pending";
    public string StatusText { get; private set; } = "";

    [BindProperty]
    public string? Amount { get; set; }
    public string? AmountError { get; private set; }

    private TimeSpan Lifetime => TimeSpan.FromMinutes(configuration.GetValue("Cho40:PaymentRequestMinutes", 15));

    public async Task<IActionResult> OnGetAsync(long id, long? requestId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, requestId, cancellationToken)) return NotFound();
        return Page();
    }

    public async Task<IActionResult> OnGetPngAsync(long id, long requestId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, requestId, cancellationToken) || PayRequest is null) return NotFound();
        return File(VietQrImage.Png(PayRequest.Payload, 12), "image/png");
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, null, cancellationToken)) return NotFound();
        var amount = ScreenModel.ParseAmount(Amount);
        if (amount is null)
        {
            AmountError = t["Nhập số tiền bằng chữ số, từ 1.000 đến 499.999.999 đồng."];
            return Page();
        }
        var account = Stall.BankAccount!;
        var request = await payments.CreateRequestAsync(Stall.Id, amount.Value, reference => VietQrPayload.Build(new VietQrRequest(
                account.BankBin, account.AccountNumber, account.Service == "card" ? VietQrService.Card : VietQrService.Account,
                amount.Value, PaymentReferences.Purpose(reference))),
            time.GetUtcNow(), Lifetime, User.UserId(), cancellationToken);
        TempData["Message"] = t["Đưa mã QR cho khách quét."].Value;
        return RedirectToPage("/Stall/Charge", new { id = Stall.Id, requestId = request.Id });
    }

    private async Task<bool> LoadAsync(long id, long? requestId, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall?.BankAccount is null) return false;
        Stall = stall;
        if (requestId is null) return true;
        PayRequest = await payments.FindRequestAsync(requestId.Value, id, cancellationToken);
        if (PayRequest is null) return false;
        var received = await payments.ReceivedForRequestAsync(PayRequest.Id, cancellationToken);
        Status = PayRequest.IsExpired(time.GetUtcNow()) ? "expired" : PayRequest.Status;
        StatusText = Status switch
        {
            "paid" => t["ĐÃ NHẬN ĐỦ TIỀN"],
            "underpaid" => t["THIẾU TIỀN: mới nhận {0}", Formatting.Vnd(received)],
            "expired" => t["Mã đã hết hạn. Hãy tạo mã mới."],
            "cancelled" => t["Đã huỷ."],
            _ => t["Đang chờ khách chuyển khoản… (hết hạn lúc {0})", Formatting.VietnamDateTime(PayRequest.ExpiresAt)],
        };
        return true;
    }
}
