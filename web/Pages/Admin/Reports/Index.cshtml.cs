using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cho40.Db;
using Cho40.Jobs.Reports;
using Cho40.Web.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Reports;

/// <summary>
/// Admin overview of the daily sales reports: every market's and seller's figures for a day, the days computed, and
/// backfills — a date range computed one day per Hangfire job (queue "reports"), with progress per day.
/// </summary>
public sealed class IndexModel(ReportQueries reports, ReportBackfills backfills, IBackgroundJobClient jobs, ReportOptions options, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public const int MaxBackfillDays = 366;

    public sealed class BackfillInput
    {
        [Required(ErrorMessage = "Nhập ngày bắt đầu.")]
        public string? From { get; set; }

        [Required(ErrorMessage = "Nhập ngày kết thúc.")]
        public string? To { get; set; }
    }

    [BindProperty] public BackfillInput Input { get; set; } = new();

    [FromQuery(Name = "day")] public DateOnly? Day { get; set; }
    [FromQuery(Name = "backfill")] public long? BackfillId { get; set; }

    public DateOnly? ShownDay { get; private set; }
    public IReadOnlyList<ReportOverviewRow> Rows { get; private set; } = [];
    public IReadOnlyList<ReportDayInfo> RecentDays { get; private set; } = [];
    public IReadOnlyList<ReportBackfill> Backfills { get; private set; } = [];
    public ReportBackfill? Backfill { get; private set; }
    public IReadOnlyList<ReportBackfillDay> BackfillDays { get; private set; } = [];
    public DateOnly LatestClosedDay { get; private set; }

    /// <summary>Reload the page every few seconds while a backfill is still running (a meta refresh: no script).</summary>
    public bool InProgress => Backfills.Any(b => !b.Finished);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        LatestClosedDay = ReportComputation.LatestClosedDay(time.GetUtcNow(), options.SettleTime);
        RecentDays = await reports.RecentDaysAsync(cancellationToken: cancellationToken);
        ShownDay = Day ?? RecentDays.FirstOrDefault()?.ReportDay;
        if (ShownDay is { } day) Rows = await reports.OverviewAsync(day, cancellationToken);
        Backfills = await backfills.BackfillsAsync(cancellationToken: cancellationToken);
        Backfill = BackfillId is { } id ? Backfills.FirstOrDefault(b => b.Id == id) : Backfills.FirstOrDefault();
        if (Backfill is not null) BackfillDays = await backfills.BackfillDaysAsync(Backfill.Id, cancellationToken);
        if (Input.From is null && Input.To is null)
        {
            Input.From = LatestClosedDay.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Input.To = LatestClosedDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
    }

    public async Task<IActionResult> OnPostBackfillAsync(CancellationToken cancellationToken)
    {
        var latest = ReportComputation.LatestClosedDay(time.GetUtcNow(), options.SettleTime);
        DateOnly from = default, to = default;
        if (Input.From is not null && !TryParseDay(Input.From, out from))
            ModelState.AddModelError("Input.From", t["Ngày viết dạng 2026-11-20 hoặc 20/11/2026."]);
        if (Input.To is not null && !TryParseDay(Input.To, out to))
            ModelState.AddModelError("Input.To", t["Ngày viết dạng 2026-11-20 hoặc 20/11/2026."]);
        if (ModelState.IsValid)
        {
            if (to > latest)
                ModelState.AddModelError("Input.To", t["Chỉ tính được ngày đã qua: muộn nhất là {0}.", latest.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)]);
            else if (from > to)
                ModelState.AddModelError("Input.From", t["Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."]);
            else if (to.DayNumber - from.DayNumber + 1 > MaxBackfillDays)
                ModelState.AddModelError("Input.From", t["Mỗi lần tính bù tối đa {0} ngày.", MaxBackfillDays]);
        }
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var id = await DailyReportsJob.EnqueueBackfillAsync(backfills, jobs, from, to, User.UserId(), time.GetUtcNow(), cancellationToken);
        TempData["Message"] = t["Đã xếp lịch tính bù {0} ngày ({1} – {2}). Ngày đã có báo cáo được giữ nguyên.",
            to.DayNumber - from.DayNumber + 1, from.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
            to.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)].Value;
        return RedirectToPage("/Admin/Reports/Index", new { backfill = id });
    }

    private static bool TryParseDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
