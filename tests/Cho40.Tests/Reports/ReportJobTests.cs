using Cho40.Db;
using Cho40.Jobs.Reports;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Cho40.Tests.Reports.ReportTestData;

namespace Cho40.Tests.Reports;

/// <summary>The reports job: once per day however often or concurrently it runs; the nightly run catches up; its schedule.</summary>
public sealed class ReportJobTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<long> ReportCountAsync(DateOnly day) =>
        ScalarAsync<long>(app, "SELECT count(*) FROM daily_reports WHERE report_day = @day", new { day });

    [Fact]
    public async Task Running_the_job_twice_or_in_two_racing_processes_stores_each_report_once()
    {
        var stall = await StallIdAsync(app, "cho-thai", "A02");
        await PaymentAsync(app, stall, "cash", 40_000, StartOf(Day).AddHours(7));
        await PaymentAsync(app, stall, "qr", 60_500, StartOf(Day.AddDays(1)).AddHours(7));
        var scopes = await ScalarAsync<long>(app,
            "SELECT (SELECT count(*) FROM stalls) + (SELECT count(*) FROM markets) + (SELECT count(*) FROM sellers WHERE status = 'approved')");

        app.Clock.Set(NightlyRunOn(Day.AddDays(1)));
        var first = await app.Job().ComputeDayAsync("2031-03-10");
        var second = await app.Job().ComputeDayAsync("2031-03-10");
        Assert.Equal((ReportDayOutcome.Computed, ReportDayOutcome.AlreadyComputed), (first.Outcome, second.Outcome));
        Assert.Equal(scopes, first.Scopes);
        Assert.Equal(scopes, await ReportCountAsync(Day));

        // Two job processes (own data sources, own connections) racing for the next day: one computes, one finds it done.
        app.Clock.Set(NightlyRunOn(Day.AddDays(2)));
        await using var processA = NpgsqlDataSource.Create(app.ConnectionString);
        await using var processB = NpgsqlDataSource.Create(app.ConnectionString);
        var now = app.Clock.GetUtcNow();
        var results = await Task.WhenAll(
            Task.Run(() => new Db.ReportComputation(processA).ComputeDayAsync(Day.AddDays(1), now, Db.ReportComputation.DefaultSettleTime)),
            Task.Run(() => new Db.ReportComputation(processB).ComputeDayAsync(Day.AddDays(1), now, Db.ReportComputation.DefaultSettleTime)));
        Assert.Equal([ReportDayOutcome.Computed, ReportDayOutcome.AlreadyComputed], results.Select(r => r.Outcome).Order());
        Assert.Equal(scopes, await ReportCountAsync(Day.AddDays(1)));
        Assert.Equal(60_500, (await app.ReportQueries().FindAsync("stall", stall, Day.AddDays(1)))!.QrVnd);
        Assert.Equal(40_000, (await app.ReportQueries().FindAsync("stall", stall, Day.AddDays(1)))!.PreviousDayVnd);
    }

    [Fact]
    public async Task A_day_is_not_computed_before_it_closes()
    {
        app.Clock.Set(StartOf(Day.AddDays(1)).AddMinutes(1)); // 00:01 on the 11th: the 10th's cutoff would be 23:59 on the 10th
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => app.Job().ComputeDayAsync("2031-03-10"));
        Assert.Equal(0L, await ReportCountAsync(Day));
    }

    [Fact]
    public async Task The_nightly_run_computes_yesterday_and_catches_up_on_missed_days_in_order_but_not_without_bound()
    {
        // First run ever: the last week.
        app.Clock.Set(NightlyRunOn(Day));
        Assert.Equal(7, await app.Job().RunNightlyAsync());
        Assert.Equal(Day.AddDays(-1), await app.ReportComputation().LastComputedDayAsync());
        Assert.Empty(await app.ReportComputation().MissingDaysAsync(Day.AddDays(-7), Day.AddDays(-1)));

        // The next night: only yesterday; the same night again: nothing.
        app.Clock.Set(NightlyRunOn(Day.AddDays(1)));
        Assert.Equal(1, await app.Job().RunNightlyAsync());
        Assert.Equal(0, await app.Job().RunNightlyAsync());

        // Three nights of downtime: the next run computes the three days missed, oldest first (cutoffs in day order).
        app.Clock.Set(NightlyRunOn(Day.AddDays(4)));
        Assert.Equal(3, await app.Job().RunNightlyAsync());
        var days = await QueryAsync<DateOnly>(app, "SELECT report_day FROM daily_report_days ORDER BY computed_at");
        Assert.Equal(days.Order().ToList(), days);

        // A long outage: at most CatchUpDays + 1 days back (the rest is for an admin's backfill).
        app.Clock.Set(NightlyRunOn(Day.AddDays(100)));
        var options = new ReportOptions();
        Assert.Equal(options.CatchUpDays + 1, await app.Job().RunNightlyAsync());
        Assert.NotEmpty(await app.ReportComputation().MissingDaysAsync(Day.AddDays(4), Day.AddDays(60)));
    }

    [Fact]
    public async Task The_nightly_job_is_registered_at_0015_vietnam_time_on_the_reports_queue_once_however_many_processes_start()
    {
        // A second process on the same database registers it too. Both start-up registrations (a background service in
        // each app) are awaited, then each app registers once more by hand, as a restart would: four registrations.
        await using var second = new Cho40App(app.ConnectionString);
        _ = second.Server;
        foreach (var process in new[] { app, second })
        {
            var schedule = process.Services.GetRequiredService<ReportSchedule>();
            await schedule.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
            schedule.Register();
        }

        // Exactly one recurring job, under the fixed id (registering under another id each time would leave four here,
        // not registering at all none), and exactly one definition of the nightly job.
        // (Other features register recurring jobs of their own: only this one's are counted.)
        Assert.Contains(DailyReportsJob.RecurringJobId,
            await QueryAsync<string>(app, "SELECT value FROM hangfire.set WHERE key = 'recurring-jobs' ORDER BY value"));
        Assert.Equal(["recurring-job:" + DailyReportsJob.RecurringJobId],
            await QueryAsync<string>(app, "SELECT key FROM hangfire.hash WHERE field = 'Job' AND value LIKE '%RunNightlyAsync%' ORDER BY key"));
        var fields = (await QueryAsync<(string Field, string Value)>(app,
                "SELECT field, value FROM hangfire.hash WHERE key = @key", new { key = "recurring-job:" + DailyReportsJob.RecurringJobId }))
            .ToDictionary(f => f.Field, f => f.Value);
        Assert.Equal("15 0 * * *", fields["Cron"]);
        Assert.Equal("Asia/Ho_Chi_Minh", fields["TimeZoneId"]);
        // Hangfire 1.8 keeps the queue in the serialised job: {"t": type, "m": method, "q": queue}.
        using var job = System.Text.Json.JsonDocument.Parse(fields["Job"]);
        Assert.Equal("reports", job.RootElement.GetProperty("q").GetString());
        Assert.Contains("RunNightlyAsync", fields["Job"]);
        // Its next run is at 00:15 in Vietnam, i.e. 17:15 UTC.
        var stamp = fields["NextExecution"];
        var next = stamp.All(char.IsAsciiDigit)
            ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(stamp, System.Globalization.CultureInfo.InvariantCulture))
            : DateTimeOffset.Parse(stamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.Equal((17, 15), (next.UtcDateTime.Hour, next.UtcDateTime.Minute));
    }
}
