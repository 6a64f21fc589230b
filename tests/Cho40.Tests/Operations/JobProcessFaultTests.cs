using System.Diagnostics;
using Cho40.Db;
using Cho40.Jobs.Settlement;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Settlement;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Operations;

/// <summary>Real job processes (<c>Cho40.Jobs.dll</c>) on one database: killed mid-job, and two of them sharing one schedule.</summary>
public sealed class JobProcessFaultTests(ITestOutputHelper output)
{
    // A job of a killed process is taken up again this long after the kill (production: 300 s); schedules polled every second.
    private static readonly Dictionary<string, string> FastJobs = new()
    {
        ["Cho40__Jobs__InvisibilityTimeoutSeconds"] = "5",
        ["Cho40__Jobs__SchedulePollingSeconds"] = "1",
    };

    [Fact]
    public async Task A_job_process_SIGKILLed_mid_settlement_loses_nothing_another_process_finishes_the_job_once()
    {
        await using var app = await Cho40App.StartAsync();
        var s = await SettlementScenario.CreateAsync(app);

        // The first job process takes the queued settlement and stops inside its transaction, after one seller.
        await using var doomed = JobProcess.Start(app.ConnectionString,
            new Dictionary<string, string>(FastJobs) { [Cho40.Db.Settlement.PauseAfterSellersVariable] = "1" });
        var jobId = app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<SettleCycleJob>(j => j.RunAsync(s.Cycle.Key));
        await doomed.WaitForLineAsync("PAUSED", TimeSpan.FromSeconds(90));
        await doomed.KillAsync();
        var killedAt = Stopwatch.StartNew();
        Assert.Equal(0L, await ScalarAsync<long>(app,
            "SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'settlement:%' OR idempotency_key LIKE 'payout:%'"));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM payouts"));

        // Another job process takes the abandoned job up by itself once it is no longer claimed, and finishes it.
        await using var rescuer = JobProcess.Start(app.ConnectionString, FastJobs);
        string state;
        do
        {
            await Task.Delay(250);
            state = await ScalarAsync<string>(app, "SELECT statename FROM hangfire.job WHERE id = @id", new { id = long.Parse(jobId) });
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(90), $"the killed job was not finished by another process (state {state})");
        } while (state != "Succeeded");
        output.WriteLine($"the killed settlement job succeeded on the other process {killedAt.Elapsed.TotalSeconds:F1} s after the kill");

        // Exactly the payouts of an uninterrupted run, once; the ledger balances.
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM settlement_runs WHERE status = 'completed'"));
        Assert.Equal(SettlementScenario.TanCuongNet, await ScalarAsync<long>(app, "SELECT amount_vnd FROM payouts WHERE seller_id = @TanCuong", new { s.TanCuong }));
        Assert.Equal(SettlementScenario.LaBangNet, await ScalarAsync<long>(app, "SELECT amount_vnd FROM payouts WHERE seller_id = @LaBang", new { s.LaBang }));
        Assert.Equal(0L, await ScalarAsync<long>(app,
            "SELECT count(*) FROM (SELECT line_id FROM settlement_items WHERE line_id IS NOT NULL GROUP BY line_id HAVING count(*) > 1) x"));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));
        var ledger = app.Services.GetRequiredService<Ledger>();
        Assert.Equal(0, await ledger.BalanceAsync(Ledger.SellerPayable(s.TanCuong)));
    }

    [Fact]
    public async Task Two_job_processes_run_a_recurring_job_once_per_occurrence()
    {
        await using var app = await Cho40App.StartAsync();
        // The nightly reports job on a per-minute schedule, served by two job processes that both register and poll it.
        var everyMinute = new Dictionary<string, string>(FastJobs) { ["Cho40__Reports__Cron"] = "* * * * *" };
        await using var first = JobProcess.Start(app.ConnectionString, everyMinute);
        await using var second = JobProcess.Start(app.ConnectionString, everyMinute);

        const string nightlyJobs = "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%RunNightlyAsync%'";
        var clock = Stopwatch.StartNew();
        while (await ScalarAsync<long>(app, nightlyJobs) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(100), "the recurring job never ran");
            await Task.Delay(500);
        }
        // Both schedulers poll every second: give them several more chances to (wrongly) trigger the same occurrence.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var perMinute = (await QueryAsync<(DateTime Minute, long Jobs)>(app, """
            SELECT date_trunc('minute', createdat), count(*) FROM hangfire.job
            WHERE invocationdata::text LIKE '%RunNightlyAsync%' GROUP BY 1 ORDER BY 1
            """)).ToList();
        output.WriteLine(string.Join(", ", perMinute.Select(m => $"{m.Minute:HH:mm} → {m.Jobs} job(s)")));
        Assert.NotEmpty(perMinute);
        Assert.All(perMinute, m => Assert.Equal(1, m.Jobs));
        // Two processes are really serving the same storage.
        Assert.Equal(2L, await ScalarAsync<long>(app, "SELECT count(*) FROM hangfire.server"));
    }

    private static async Task<IEnumerable<T>> QueryAsync<T>(Cho40App app, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        return await Dapper.SqlMapper.QueryAsync<T>(connection, sql);
    }
}
