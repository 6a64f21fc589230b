using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Admin.Settlement;

/// <summary>One run: each seller's items and payout, and the bank file (CSV) of the payout batch.</summary>
public sealed class RunModel(Db.Settlement settlement) : PageModel
{
    public SettlementRun Run { get; private set; } = null!;
    public IReadOnlyList<SettlementItem> Items { get; private set; } = [];
    public IReadOnlyList<Payout> Payouts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var run = await settlement.RunAsync(id);
        if (run is null) return NotFound();
        Run = run;
        Items = await settlement.ItemsAsync(id);
        Payouts = await settlement.PayoutsAsync(id);
        return Page();
    }

    public async Task<IActionResult> OnGetBankCsvAsync(long id)
    {
        var run = await settlement.RunAsync(id);
        if (run is not { Status: "completed" }) return NotFound();
        return File(Db.Settlement.PayoutCsv(run, await settlement.PayoutsAsync(id)), "text/csv; charset=utf-8", $"chi-tra-{run.CycleKey}.csv");
    }
}
