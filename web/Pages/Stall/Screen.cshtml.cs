using System.Globalization;
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
/// over server-sent events and spoken aloud; short payments shown loudly; one tap to log a cash sale.
/// </summary>
public sealed class ScreenModel(Stalls stalls, Db.Payments payments, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public StallDetail Stall { get; private set; } = null!;
    public DateOnly Day { get; private set; }
    public IReadOnlyList<PaymentView> Payments { get; private set; } = [];
    public DayTotals Totals { get; private set; } = new(0, 0, 0);
    public IReadOnlyList<InboxItem> Alerts { get; private set; } = [];

    [BindProperty]
    public string? CashAmount { get; set; }
    public string? CashError { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return NotFound();
        await LoadAsync(stall, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostCashAsync(long id, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return NotFound();
        var amount = ParseAmount(CashAmount);
        if (amount is null)
        {
            CashError = t["Nhập số tiền bằng chữ số, từ 1.000 đến 499.999.999 đồng."];
            await LoadAsync(stall, cancellationToken);
            return Page();
        }
        await payments.LogCashAsync(stall.Id, amount.Value, time.GetUtcNow(), User.UserId(), StallEvents.PublishAsync, cancellationToken);
        TempData["Message"] = t["Đã ghi {0} tiền mặt.", Formatting.Vnd(amount.Value)].Value;
        return RedirectToPage("/Stall/Screen", new { id = stall.Id });
    }

    /// <summary>"50.000", "50 000", "50000đ" → 50000; null unless 1,000 ≤ amount &lt; 500,000,000.</summary>
    public static long? ParseAmount(string? text)
    {
        var digits = new string((text ?? "").Where(c => !char.IsWhiteSpace(c) && c is not '.' and not ',' and not 'đ' and not '₫').ToArray());
        return digits.Length is > 0 and <= 9 && digits.All(char.IsAsciiDigit)
               && long.Parse(digits, CultureInfo.InvariantCulture) is var amount and >= 1000 and < 500_000_000
            ? amount : null;
    }

    private async Task LoadAsync(StallDetail stall, CancellationToken cancellationToken)
    {
        Stall = stall;
        Day = VietnamTime.DayOf(time.GetUtcNow());
        var today = await payments.OfDayAsync(stall.Id, Day, cancellationToken);
        Payments = today.Select(PaymentView.Of).ToList();
        Totals = Db.Payments.Totals(today);
        Alerts = await payments.OpenAlertsOfStallAsync(stall.Id, cancellationToken);
    }
}
