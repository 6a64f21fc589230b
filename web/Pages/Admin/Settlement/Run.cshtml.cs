using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Settlement;

/// <summary>
/// One run: each seller's items and payout, the bank file (CSV) of the payouts still to send, and the admin's record
/// of what the bank did with each transfer (sent, or failed — then the money is owed again and paid next cycle).
/// </summary>
public sealed class RunModel(Db.Settlement settlement, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class PayoutDecisionInput
    {
        public long SellerId { get; set; }

        [Required(ErrorMessage = "Hãy chọn: đã chuyển hay không thành công.")]
        public string? Outcome { get; set; }

        [StringLength(50, ErrorMessage = "Mã giao dịch ngân hàng dài tối đa 50 ký tự.")]
        public string? BankReference { get; set; }

        [StringLength(300, ErrorMessage = "Lý do dài tối đa 300 ký tự.")]
        public string? FailureReason { get; set; }
    }

    [BindProperty]
    public PayoutDecisionInput Input { get; set; } = new();

    public SettlementRun Run { get; private set; } = null!;
    public IReadOnlyList<SettlementItem> Items { get; private set; } = [];
    public IReadOnlyList<Payout> Payouts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var run = await settlement.RunAsync(id, cancellationToken);
        if (run is null) return NotFound();
        Run = run;
        Items = await settlement.ItemsAsync(id, cancellationToken: cancellationToken);
        Payouts = await settlement.PayoutsAsync(id, cancellationToken: cancellationToken);
        return Page();
    }

    /// <summary>The bank file: only payouts still waiting to be sent that have a receiving account.</summary>
    public async Task<IActionResult> OnGetBankCsvAsync(long id, CancellationToken cancellationToken)
    {
        var run = await settlement.RunAsync(id, cancellationToken);
        if (run is not { Status: "completed" }) return NotFound();
        var toSend = (await settlement.PayoutsAsync(id, cancellationToken: cancellationToken))
            .Where(p => p is { Status: "pending", AccountNumber: not null }).ToList();
        return File(Db.Settlement.PayoutCsv(run, toSend), "text/csv; charset=utf-8", $"chi-tra-{run.CycleKey}.csv");
    }

    public async Task<IActionResult> OnPostDecideAsync(long id, CancellationToken cancellationToken)
    {
        var payout = (await settlement.PayoutsAsync(id, Input.SellerId, cancellationToken)).SingleOrDefault();
        if (payout is null) return NotFound();
        var decision = Input.Outcome switch { "paid" => PayoutDecision.Paid, "failed" => PayoutDecision.Failed, _ => (PayoutDecision?)null };
        if (Input.Outcome is not null && decision is null) ModelState.AddModelError("Input.Outcome", t["Hãy chọn: đã chuyển hay không thành công."]);
        if (decision == PayoutDecision.Paid && payout.AccountNumber is null)
            ModelState.AddModelError("Input.Outcome", t["Người bán chưa có tài khoản nhận tiền: chỉ có thể ghi là không thành công."]);
        if (decision == PayoutDecision.Failed && string.IsNullOrWhiteSpace(Input.FailureReason))
            ModelState.AddModelError("Input.FailureReason", t["Hãy ghi lý do chuyển khoản không thành công."]);
        if (!ModelState.IsValid) return await OnGetAsync(id, cancellationToken);

        var done = await settlement.DecidePayoutAsync(id, payout.SellerId, decision!.Value, Blank(Input.BankReference),
            Blank(Input.FailureReason), User.UserId(), time.GetUtcNow(), cancellationToken);
        TempData["Message"] = !done ? t["Khoản chi trả này đã được ghi nhận trước đó."].Value
            : decision == PayoutDecision.Paid ? string.Format(t["Đã ghi nhận chuyển khoản cho {0}."].Value, payout.SellerName)
            : string.Format(t["Đã ghi chuyển khoản không thành công cho {0}: số tiền sẽ được trả ở kỳ sau."].Value, payout.SellerName);
        return RedirectToPage(new { id });
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
