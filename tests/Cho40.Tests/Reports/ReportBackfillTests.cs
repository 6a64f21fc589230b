using System.Net;
using Cho40.Tests.Infrastructure;
using static Cho40.Tests.Reports.ReportTestData;

namespace Cho40.Tests.Reports;

/// <summary>
/// An admin backfills a date range: one Hangfire job per day, run by a real Hangfire server in the app, progress on the page;
/// running an overlapping range again stores nothing twice.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ReportBackfillTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync()
    {
        app = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true),
            settings: new Dictionary<string, string> { ["Cho40:RunJobsInProcess"] = "true" });
        app.Clock.Set(NightlyRunOn(Day.AddDays(2)));
        _ = app.Server;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static Dictionary<string, string> Range(string from, string to) => new() { ["Input.From"] = from, ["Input.To"] = to };

    private static async Task<AngleSharp.Dom.IDocument> WaitUntilDoneAsync(PageClient admin, string url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var (_, page) = await admin.GetPageAsync(url);
            var progress = page.QuerySelector("#backfill-progress")!;
            if (progress.GetAttribute("data-done") == progress.GetAttribute("data-total")) return page;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"backfill not done: {progress.TextContent}");
            await Task.Delay(300);
        }
    }

    [Fact]
    public async Task A_backfill_computes_every_day_of_the_range_in_order_and_running_it_again_duplicates_nothing()
    {
        var stall = await StallIdAsync(app, "cho-thai", "A05");
        await PaymentAsync(app, stall, "cash", 21_500, new DateTimeOffset(2031, 2, 2, 3, 0, 0, TimeSpan.Zero));
        using var admin = app.NewClient();
        await admin.SignInAsync("0900000001");
        var backfillsBefore = await ScalarAsync<long>(app, "SELECT count(*) FROM report_backfills");

        // Refused next to the field, nothing queued: today (not closed), more than 366 days, reversed, unreadable.
        foreach (var (from, to, message) in new[]
                 {
                     ("2031-03-10", "2031-03-12", "Chỉ tính được ngày đã qua: muộn nhất là 11/03/2031."),
                     ("2030-01-01", "2031-03-01", "Mỗi lần tính bù tối đa 366 ngày."),
                     ("2031-02-05", "2031-02-01", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."),
                     ("hôm qua", "2031-02-01", "Ngày viết dạng 2026-11-20 hoặc 20/11/2026."),
                 })
        {
            var refused = await admin.SubmitFormAsync("/Admin/Reports", "#backfill-form", Range(from, to));
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var page = await PageClient.ParseAsync(refused);
            Assert.Contains(message, page.QuerySelector("#backfill-form")!.TextContent);
        }
        Assert.Equal(backfillsBefore, await ScalarAsync<long>(app, "SELECT count(*) FROM report_backfills"));

        var started = await admin.SubmitFormAsync("/Admin/Reports", "#backfill-form", Range("01/02/2031", "2031-02-05"));
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var url = started.Headers.Location!.OriginalString;
        // One job per day on the reports queue, visible in Hangfire.
        Assert.Equal(5L, await ScalarAsync<long>(app, """
            SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%ComputeBackfillDayAsync%' AND arguments::text LIKE '%2031-02-0%'
            """));
        var done = await WaitUntilDoneAsync(admin, url);
        Assert.Equal(Enumerable.Repeat("computed", 5), done.QuerySelectorAll("#backfill-days tr[data-day]").Select(r => r.GetAttribute("data-status")));
        Assert.Equal(5, done.QuerySelectorAll("#backfill-days a[href^='/hangfire/jobs/details/']").Length);
        // Computed in day order (each day's comparisons find the day before it stored).
        var order = await QueryAsync<DateOnly>(app, "SELECT report_day FROM daily_report_days ORDER BY computed_at");
        Assert.Equal([new(2031, 2, 1), new(2031, 2, 2), new(2031, 2, 3), new(2031, 2, 4), new(2031, 2, 5)], order);
        var scopes = await ScalarAsync<long>(app, "SELECT count(*) FROM daily_reports WHERE report_day = '2031-02-03'");
        Assert.True(scopes > 30);
        Assert.Equal(21_500, (await app.ReportQueries().FindAsync("stall", stall, new DateOnly(2031, 2, 2)))!.CashVnd);
        Assert.Equal(21_500, (await app.ReportQueries().FindAsync("stall", stall, new DateOnly(2031, 2, 3)))!.PreviousDayVnd);

        // Again, overlapping: the three days already there are found so, the two new ones computed; nothing twice.
        var again = await admin.SubmitFormAsync("/Admin/Reports", "#backfill-form", Range("2031-02-03", "2031-02-07"));
        var second = await WaitUntilDoneAsync(admin, again.Headers.Location!.OriginalString);
        Assert.Equal(["already", "already", "already", "computed", "computed"],
            second.QuerySelectorAll("#backfill-days tr[data-day]").Select(r => r.GetAttribute("data-status")!).ToArray());
        Assert.Equal(scopes, await ScalarAsync<long>(app, "SELECT count(*) FROM daily_reports WHERE report_day = '2031-02-03'"));
        Assert.Equal(0L, await ScalarAsync<long>(app, """
            SELECT count(*) FROM (SELECT 1 FROM daily_reports GROUP BY scope_kind, scope_id, report_day HAVING count(*) > 1) d
            """));
        Assert.Equal(7L, await ScalarAsync<long>(app, "SELECT count(*) FROM daily_report_days"));
    }
}
