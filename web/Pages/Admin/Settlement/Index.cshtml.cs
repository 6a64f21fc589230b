using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Settlement;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Settlement;

/// <summary>Settlement runs: start one for a cycle (a Hangfire job on the "settlement" queue), see past runs.</summary>
public sealed class IndexModel(Db.Settlement settlement, IBackgroundJobClient jobs, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class RunInput
    {
        [Required(ErrorMessage = "Nhập kỳ quyết toán.")]
        public string? Cycle { get; set; }
    }

    [BindProperty]
    public RunInput Input { get; set; } = new();

    public IReadOnlyList<SettlementRun> Runs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var today = VietnamTime.DayOf(time.GetUtcNow());
        // Default: last week, Monday to Sunday.
        var lastMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 7);
        Input.Cycle ??= new SettlementCycle(lastMonday, lastMonday.AddDays(6)).Key;
        Runs = await settlement.RunsAsync(cancellationToken: cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid && !SettlementCycle.TryParse(Input.Cycle, out _))
            ModelState.AddModelError("Input.Cycle", t["Kỳ quyết toán viết dạng 2026-11-02..2026-11-08 (tối đa 93 ngày) hoặc 2026-W45."]);
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        SettlementCycle.TryParse(Input.Cycle, out var cycle);
        jobs.Enqueue<SettleCycleJob>(j => j.RunAsync(cycle.Key, CancellationToken.None));
        TempData["Message"] = string.Format(t["Đã xếp lịch quyết toán kỳ {0}. Chạy lại cùng kỳ không trả hai lần."].Value, cycle.Key);
        return RedirectToPage();
    }
}
