using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// The stall's screen: today's payments (Vietnam day, by the bank's time) and totals by method, updated live
/// over server-sent events and spoken aloud; short payments shown loudly; one tap to log a cash sale, and a cash sale
/// typed by mistake voided the same day. A cash sale carries the idempotency key its page (or its offline phone) drew,
/// so however often it is sent it is stored once; the phone's outbox asks for JSON instead of the page.
/// </summary>
public sealed class ScreenModel(Stalls stalls, Db.Payments payments, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    /// <summary>How long a cash sale may wait on an offline phone and still be taken with its own time.</summary>
    public static readonly TimeSpan MaxOfflineAge = TimeSpan.FromDays(30);

    public StallDetail Stall { get; private set; } = null!;
    public DateOnly Day { get; private set; }
    public IReadOnlyList<PaymentView> Payments { get; private set; } = [];
    public DayTotals Totals { get; private set; } = new(0, 0, 0);
    public IReadOnlyList<InboxItem> Alerts { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    [BindProperty]
    public string? CashAmount { get; set; }

    /// <summary>Drawn when the form was shown (or by the phone when the sale was typed offline).</summary>
    [BindProperty]
    public Guid? IdempotencyKey { get; set; }

    /// <summary>When the sale was typed on the phone (ISO 8601), if it waited offline.</summary>
    [BindProperty]
    public string? SoldAt { get; set; }

    public string? CashError { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return NotFound();
        await LoadAsync(stall, cancellationToken);
        IdempotencyKey = Guid.NewGuid();
        return Page();
    }

    public async Task<IActionResult> OnPostCashAsync(long id, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return NotFound();
        var now = time.GetUtcNow();
        var amount = MoneyInput.Read(CashAmount, MoneyField.StallPayment, t, out var error);
        DateTimeOffset? soldAt = null;
        if (amount is not null && !string.IsNullOrWhiteSpace(SoldAt))
        {
            if (!DateTimeOffset.TryParse(SoldAt, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var typed) || typed < now - MaxOfflineAge)
                error = t["Khoản này chờ gửi quá lâu hoặc có giờ không đọc được. Hãy ghi lại."];
            // A phone's clock ahead of ours: the sale happened now at the latest.
            else soldAt = typed > now ? now : typed.ToUniversalTime();
        }
        if (error is not null)
        {
            if (WantsJson) return Problem(error);
            CashError = error;
            await LoadAsync(stall, cancellationToken);
            IdempotencyKey = Guid.NewGuid();
            return Page();
        }
        var logged = await payments.LogCashAsync(stall.Id, amount!.Value, now, User.UserId(), StallEvents.PublishAsync,
            IdempotencyKey ?? Guid.NewGuid(), soldAt, cancellationToken);
        if (logged.Payment.AmountVnd != amount)
        {
            // The same key with another amount: a phone's bug, never a second sale.
            var conflict = t["Khoản này đã được ghi với số tiền {0}.", Formatting.Vnd(logged.Payment.AmountVnd)].Value;
            if (WantsJson) return Problem(conflict, StatusCodes.Status409Conflict);
            TempData["Message"] = conflict;
            return RedirectToPage("/Stall/Screen", new { id = stall.Id });
        }
        if (WantsJson)
            return new JsonResult(new { status = logged.Duplicate ? "duplicate" : "stored", id = logged.Payment.Id, amountVnd = logged.Payment.AmountVnd });
        TempData["Message"] = logged.Duplicate
            ? t["Khoản {0} tiền mặt đã được ghi trước đó (không ghi hai lần).", Formatting.Vnd(amount.Value)].Value
            : t["Đã ghi {0} tiền mặt.", Formatting.Vnd(amount.Value)].Value;
        return RedirectToPage("/Stall/Screen", new { id = stall.Id });
    }

    /// <summary>Voids a cash sale typed by mistake (the same Vietnam day); the payment stays, marked with who and when.</summary>
    public async Task<IActionResult> OnPostVoidAsync(long id, long paymentId, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return NotFound();
        var result = await payments.VoidCashAsync(stall.Id, paymentId, User.UserId(), time.GetUtcNow(), StallEvents.PublishAsync, cancellationToken);
        if (result == VoidResult.NotFound) return NotFound();
        TempData["Message"] = result switch
        {
            VoidResult.Voided => t["Đã huỷ khoản tiền mặt ghi nhầm. Tổng hôm nay không còn tính khoản này."].Value,
            VoidResult.AlreadyVoided => t["Khoản này đã được huỷ trước đó."].Value,
            _ => t["Chỉ huỷ được khoản tiền mặt ghi trong ngày hôm nay."].Value,
        };
        return RedirectToPage("/Stall/Screen", new { id = stall.Id });
    }

    private bool WantsJson => Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal);

    private ObjectResult Problem(string detail, int status = StatusCodes.Status400BadRequest) =>
        new(new Microsoft.AspNetCore.Mvc.ProblemDetails { Title = detail, Detail = detail, Status = status })
        {
            StatusCode = status, ContentTypes = { "application/problem+json" },
        };

    private async Task LoadAsync(StallDetail stall, CancellationToken cancellationToken)
    {
        Stall = stall;
        Now = time.GetUtcNow();
        Day = VietnamTime.DayOf(Now);
        var today = await payments.OfDayAsync(stall.Id, Day, cancellationToken);
        Payments = today.Select(p => PaymentView.Of(p, Now)).ToList();
        Totals = Db.Payments.Totals(today);
        Alerts = await payments.OpenAlertsOfStallAsync(stall.Id, cancellationToken);
    }
}
