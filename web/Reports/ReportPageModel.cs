using System.Globalization;
using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Reports;

/// <summary>Whose report a page shows: kind, id, display name and the page's own path (links and forms go there).</summary>
public sealed record ReportScope(string Kind, long Id, string Name, string Path);

/// <summary>
/// What every daily-report page does (a stall's, a seller's, a market's, the admin's view of any): show a chosen day's
/// stored report (default: the latest) with a chart of the days before it, and download a day or a range as XLSX, CSV or
/// PDF. A page only says whose report it is (<see cref="FindScopeAsync"/>, checked in SQL; null answers 404).
/// </summary>
public abstract class ReportPageModel(ReportQueries reports, IStringLocalizer<SharedResource> t) : PageModel
{
    public const int MaxRangeDays = 366;

    [FromQuery(Name = "day")] public string? Day { get; set; }
    [FromQuery(Name = "days")] public int? ChartDays { get; set; }
    [FromQuery(Name = "from")] public string? From { get; set; }
    [FromQuery(Name = "to")] public string? To { get; set; }

    public ReportScope Scope { get; private set; } = null!;
    public DailyReport? Report { get; private set; }
    public IReadOnlyList<ReportLateItem> LateItems { get; private set; } = [];
    public IReadOnlyList<DateOnly> Days { get; private set; } = [];
    public string? ChartSvg { get; private set; }
    public int ChartSpan { get; private set; } = 14;
    public DateOnly ChartFrom { get; private set; }
    public string? DayError { get; private set; }
    public string? RangeError { get; private set; }

    /// <summary>The scope the signed-in user may see, or null (→ 404).</summary>
    protected abstract Task<ReportScope?> FindScopeAsync(CancellationToken cancellationToken);

    public string Link(string query) => Scope.Path + (Scope.Path.Contains('?') ? "&" : "?") + query;

    public static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var scope = await FindScopeAsync(cancellationToken);
        if (scope is null) return NotFound();
        await LoadAsync(scope, cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnGetXlsxAsync(CancellationToken cancellationToken) => DownloadAsync("xlsx", cancellationToken);

    public Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken) => DownloadAsync("csv", cancellationToken);

    public Task<IActionResult> OnGetPdfAsync(CancellationToken cancellationToken) => DownloadAsync("pdf", cancellationToken);

    private async Task<IActionResult> DownloadAsync(string format, CancellationToken cancellationToken)
    {
        var scope = await FindScopeAsync(cancellationToken);
        if (scope is null) return NotFound();
        DateOnly from = default, to = default;
        if (From is not null || To is not null)
        {
            if (!TryParseDay(From, out from) | !TryParseDay(To, out to))
                RangeError = t["Từ ngày và đến ngày viết dạng 2026-11-20."];
            else if (from > to)
                RangeError = t["Từ ngày phải trước hoặc bằng đến ngày."];
            else if (to.DayNumber - from.DayNumber + 1 > MaxRangeDays)
                RangeError = t["Mỗi lần tải tối đa {0} ngày.", MaxRangeDays];
            if (RangeError is not null)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await LoadAsync(scope, cancellationToken);
                return Page();
            }
        }
        else
        {
            DateOnly? day = null;
            if (Day is not null)
            {
                if (!TryParseDay(Day, out var d)) return NotFound();
                day = d;
            }
            var report = await reports.FindAsync(scope.Kind, scope.Id, day, cancellationToken);
            if (report is null) return NotFound();
            from = to = report.ReportDay;
        }
        var rows = await reports.RangeAsync(scope.Kind, scope.Id, from, to, cancellationToken);
        var late = from == to && rows.Count == 1 && rows[0].LateCount > 0 ? await reports.LateItemsAsync(rows[0].Id, cancellationToken) : [];
        var name = ReportFiles.FileName(scope, from, to, format);
        return format switch
        {
            "xlsx" => File(ReportFiles.Xlsx(rows, late), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name),
            "csv" => File(ReportFiles.Csv(rows), "text/csv; charset=utf-8", name),
            _ => File(ReportFiles.Pdf(scope, from, to, rows, late), "application/pdf", name),
        };
    }

    private async Task LoadAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        Scope = scope;
        ChartSpan = ChartDays is 30 ? 30 : 14;
        DateOnly? day = null;
        if (Day is not null)
        {
            if (TryParseDay(Day, out var d)) day = d;
            else DayError = t["Ngày viết dạng 2026-11-20."];
        }
        Report = await reports.FindAsync(scope.Kind, scope.Id, day, cancellationToken);
        if (day is not null && Report is null) DayError = t["Chưa có báo cáo ngày {0}.", day.Value.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)];
        Days = await reports.DaysAsync(scope.Kind, scope.Id, cancellationToken: cancellationToken);
        if (Report is null) return;
        if (Report.LateCount > 0) LateItems = await reports.LateItemsAsync(Report.Id, cancellationToken);
        ChartFrom = Report.ReportDay.AddDays(1 - ChartSpan);
        var history = await reports.RangeAsync(scope.Kind, scope.Id, ChartFrom, Report.ReportDay, cancellationToken);
        ChartSvg = ReportChart.Svg(ChartFrom, Report.ReportDay, history, new ChartLabels(
            t["Doanh thu {0} ngày đến {1}, theo hình thức thanh toán", ChartSpan, Report.ReportDay.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)],
            t["Tiền mặt"], t["Chuyển khoản QR"], t["COD"], t["Chưa có báo cáo"]));
    }

    private static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text?.Trim(), ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
