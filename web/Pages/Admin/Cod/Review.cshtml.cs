using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Cod;

/// <summary>
/// What reconciliation could not settle on its own: amount mismatches, unknown orders and lost parcels wait here
/// for an admin's decision with a reason; delivered COD orders no statement has listed after N days are shown too.
/// </summary>
public sealed class ReviewModel(CodStatements statements, CodReconciliation reconciliation, SettlementOptions options, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class DecisionInput
    {
        public long LineId { get; set; }

        [Required(ErrorMessage = "Hãy chọn một quyết định.")]
        public string? Decision { get; set; }

        public string? Amount { get; set; }

        [Required(ErrorMessage = "Hãy ghi lý do.")]
        [StringLength(500, MinimumLength = 3, ErrorMessage = "Lý do dài từ 3 đến 500 ký tự.")]
        public string? Reason { get; set; }
    }

    [BindProperty]
    public DecisionInput Input { get; set; } = new();

    public IReadOnlyList<CodLine> Lines { get; private set; } = [];
    public IReadOnlyList<MissingCodOrder> Missing { get; private set; } = [];
    public int MissingAfterDays => options.MissingAfterDays;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Lines = await statements.NeedingDecisionAsync(cancellationToken: cancellationToken);
        Missing = await reconciliation.MissingAsync(time.GetUtcNow(), options.MissingAfterDays, cancellationToken: cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var line = await statements.LineAsync(Input.LineId, cancellationToken);
        if (line is null) return NotFound();
        if (Input.Decision is not (null or "accept" or "adjust" or "dispute"))
            ModelState.AddModelError("Input.Decision", t["Quyết định không hợp lệ."]);
        long? amount = null;
        if (Input.Decision == "adjust")
        {
            if (line.OrderId is null)
                ModelState.AddModelError("Input.Decision", t["Dòng không rõ đơn không thể điều chỉnh: hãy chấp nhận (không trả cho ai) hoặc khiếu nại."]);
            else if (MoneyInput.Read(Input.Amount, Db.Domain.MoneyField.CodAdjustment, t, out var amountError) is { } parsed) amount = parsed;
            else ModelState.AddModelError("Input.Amount", amountError!);
        }
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var done = await statements.DecideAsync(line.Id, Input.Decision!, amount, Input.Reason!, User.UserId(), time.GetUtcNow(),
            cancellationToken: cancellationToken);
        TempData["Message"] = done
            ? string.Format(t["Đã ghi quyết định cho vận đơn {0}."].Value, line.TrackingCode)
            : t["Dòng này đã được quyết định hoặc đã thanh toán trước đó."].Value;
        return RedirectToPage();
    }
}
