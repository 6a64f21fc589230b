using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Jobs.Settlement;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Cod;

/// <summary>One statement: every line, what reconciliation made of it, and the admin's decisions.</summary>
public sealed class StatementModel(CodStatements statements, IBackgroundJobClient jobs, IStringLocalizer<SharedResource> t) : PageModel
{
    public CodStatement Statement { get; private set; } = null!;
    public IReadOnlyList<CodLine> Lines { get; private set; } = [];
    public IReadOnlyList<CodAdjustment> Adjustments { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var statement = await statements.FindAsync(id, cancellationToken);
        if (statement is null) return NotFound();
        Statement = statement;
        Lines = await statements.LinesAsync(id, cancellationToken);
        Adjustments = await statements.AdjustmentsAsync(id, cancellationToken);
        return Page();
    }

    /// <summary>Runs reconciliation again (e.g. after a seller entered a missing tracking code). Safe: decided and paid lines stay.</summary>
    public async Task<IActionResult> OnPostReconcileAsync(long id, CancellationToken cancellationToken)
    {
        if (await statements.FindAsync(id, cancellationToken) is null) return NotFound();
        jobs.Enqueue<ReconcileCodStatementJob>(j => j.RunAsync(id, CancellationToken.None));
        TempData["Message"] = t["Đã xếp lịch đối soát lại."].Value;
        return RedirectToPage(new { id });
    }
}
