using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Web.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Cod;

/// <summary>
/// What reconciliation could not settle on its own: amount mismatches, unknown orders and lost parcels wait here
/// for an admin's decision with a reason; delivered COD orders no statement has listed after N days are shown too.
/// </summary>
public sealed class ReviewModel(CodStatements statements, CodReconciliation reconciliation, SettlementOptions options, TimeProvider time,
    Cho40.Db.Orders orders, IBackgroundJobClient jobs, IStringLocalizer<SharedResource> t) : PageModel
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

    public sealed class ReturnInput
    {
        public long LineId { get; set; }
        public Dictionary<long, string> Quantities { get; set; } = [];
    }

    [BindProperty]
    public ReturnInput Return { get; set; } = new();

    /// <summary>The orders of partial-delivery lines waiting for their returned items, by id.</summary>
    public IReadOnlyDictionary<long, OrderDetail> Orders { get; private set; } = new Dictionary<long, OrderDetail>();

    public IReadOnlyList<CodLine> Lines { get; private set; } = [];
    public IReadOnlyList<MissingCodOrder> Missing { get; private set; } = [];
    public int MissingAfterDays => options.MissingAfterDays;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Lines = await statements.NeedingDecisionAsync(cancellationToken: cancellationToken);
        var awaiting = new Dictionary<long, OrderDetail>();
        foreach (var id in Lines.Where(l => l.Outcome == "awaiting_return" && l.OrderId is not null).Select(l => l.OrderId!.Value).Distinct())
            if (await orders.ForAdminAsync(id, cancellationToken) is { } order) awaiting[id] = order;
        Orders = awaiting;
        Missing = await reconciliation.MissingAsync(time.GetUtcNow(), options.MissingAfterDays, cancellationToken: cancellationToken);
    }

    /// <summary>Records what came back of a partly delivered order, then reconciles its statement again.</summary>
    public async Task<IActionResult> OnPostRecordReturnAsync(CancellationToken cancellationToken)
    {
        var line = await statements.LineAsync(Return.LineId, cancellationToken);
        if (line is null || line.OrderId is not { } orderId) return NotFound();
        var quantities = new Dictionary<long, int>();
        foreach (var (productId, text) in Return.Quantities)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var q) || q > 999)
                ModelState.AddModelError("Return.Quantities", t["Số lượng hoàn là số nguyên từ 0 đến số đã đặt."]);
            else quantities[productId] = q;
        }
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var result = await orders.RecordPartialReturnAsync(orderId, quantities, User.UserId(), asAdmin: true, time.GetUtcNow(), cancellationToken);
        if (result == PartialReturnResult.Invalid)
        {
            ModelState.AddModelError("Return.Quantities", t["Ghi ít nhất một món hoàn, mỗi món không quá số đã đặt, và không hoàn tất cả (khi đó là trả hàng cả đơn)."]);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        foreach (var statementId in await statements.StatementsAwaitingReturnAsync(orderId, cancellationToken))
            jobs.Enqueue<ReconcileCodStatementJob>(j => j.RunAsync(statementId, CancellationToken.None));
        TempData["Message"] = result switch
        {
            PartialReturnResult.Recorded => string.Format(t["Đã ghi hàng hoàn của đơn {0} (hàng đã cộng lại vào kho); đang đối soát lại."].Value, line.MatchedOrderCode),
            PartialReturnResult.AlreadyRecorded => t["Hàng hoàn của đơn này đã được ghi trước đó."].Value,
            _ => t["Đơn này không ở trạng thái đã giao: không ghi được hàng hoàn."].Value,
        };
        return RedirectToPage();
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
