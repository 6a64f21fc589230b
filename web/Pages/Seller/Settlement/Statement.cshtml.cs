using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Seller.Settlement;

/// <summary>
/// A seller's statement for one cycle: each order, what came in, what was taken off, the payout. Members of the seller
/// and admins only (404 for anyone else, whatever ids they guess). Also as a PDF.
/// </summary>
public sealed class StatementModel(Db.Settlement settlement) : PageModel
{
    public SettlementRun Run { get; private set; } = null!;
    public IReadOnlyList<SettlementItem> Items { get; private set; } = [];
    public Payout? Payout { get; private set; }
    public string SellerName { get; private set; } = "";

    private async Task<bool> LoadAsync(long runId, long sellerId, CancellationToken cancellationToken)
    {
        if (!User.IsInRole(Db.Domain.Roles.Admin) && !await settlement.IsMemberAsync(User.UserId(), sellerId, cancellationToken)) return false;
        var run = await settlement.RunAsync(runId, cancellationToken);
        if (run is not { Status: "completed" }) return false;
        Run = run;
        Items = await settlement.ItemsAsync(runId, sellerId, cancellationToken: cancellationToken);
        Payout = (await settlement.PayoutsAsync(runId, sellerId, cancellationToken)).SingleOrDefault();
        if (Items.Count == 0 && Payout is null) return false;
        SellerName = Payout?.SellerName ?? Items[0].SellerName;
        return true;
    }

    public async Task<IActionResult> OnGetAsync(long runId, long sellerId, CancellationToken cancellationToken) =>
        await LoadAsync(runId, sellerId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnGetPdfAsync(long runId, long sellerId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(runId, sellerId, cancellationToken)) return NotFound();
        return File(SettlementStatementPdf.Render(Run, SellerName, Items, Payout), "application/pdf", $"quyet-toan-{Run.CycleKey}-{sellerId}.pdf");
    }
}
