using Cho40.Db;
using Cho40.Jobs.Province;
using Cho40.Jobs.Reports;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Reports;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Cho40.Tests.Province;

/// <summary>When the province aggregates are rebuilt: nightly at 00:45 Vietnam time, after a backfill, at start-up when never built.</summary>
public sealed class ProvinceJobTests
{
    private static async Task<long> WaitForAsync(Cho40App app, string sql, object args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long count;
        while ((count = await ReportTestData.ScalarAsync<long>(app, sql, args)) == 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        return count;
    }

    [Fact]
    public async Task The_rebuild_is_registered_nightly_at_0045_Vietnam_time_and_queued_at_start_up_when_reports_exist_but_it_never_ran()
    {
        await using var app = await Cho40App.StartAsync(withDemoData: false);
        Assert.Equal(1, await WaitForAsync(app, "SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = @id",
            new { id = ProvinceAggregatesJob.RecurringJobId }));
        var fields = (await ReportTestData.QueryAsync<(string Field, string Value)>(app,
            "SELECT field, value FROM hangfire.hash WHERE key = @key", new { key = "recurring-job:" + ProvinceAggregatesJob.RecurringJobId }))
            .ToDictionary(f => f.Field, f => f.Value);
        Assert.Equal("45 0 * * *", fields["Cron"]);
        Assert.Equal("Asia/Ho_Chi_Minh", fields["TimeZoneId"]);
        Assert.Contains("RefreshAsync", fields["Job"]);
        const string Queued = "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%ProvinceAggregatesJob%'";
        Assert.Equal(0, await ReportTestData.ScalarAsync<long>(app, Queued));   // no reports yet: nothing to build

        // Reports exist, the aggregates were never built: the next process to start queues one rebuild.
        await app.ComputeAsync(ReportTestData.Day);
        await using var second = new Cho40App(app.ConnectionString);
        _ = second.Server;
        Assert.Equal(1, await WaitForAsync(app, Queued, new { }));

        // Once built, a start-up queues nothing more.
        await app.Services.GetRequiredService<ProvinceAggregates>().RefreshAsync(app.Clock.GetUtcNow());
        await using var third = new Cho40App(app.ConnectionString);
        _ = third.Server;
        await Task.Delay(2000);
        Assert.Equal(1, await ReportTestData.ScalarAsync<long>(app, Queued));
    }

    [Fact]
    public async Task A_report_backfill_ends_with_a_rebuild_of_the_province_aggregates()
    {
        await using var app = await Cho40App.StartAsync(withDemoData: false);
        var services = app.Services;
        await DailyReportsJob.EnqueueBackfillAsync(services.GetRequiredService<ReportBackfills>(), services.GetRequiredService<IBackgroundJobClient>(),
            ReportTestData.Day, ReportTestData.Day.AddDays(2), null, app.Clock.GetUtcNow());
        var continuation = await ReportTestData.ScalarAsync<long>(app, """
            SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%ProvinceAggregatesJob%' AND statename = 'Awaiting'
            """);
        Assert.Equal(1, continuation);
    }
}
