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
        // The nightly reports job on a schedule of every 4 seconds (Hangfire reads a six-field cron as including seconds),
        // served by two job processes that both register it and both poll the schedules every second.
        var every4Seconds = new Dictionary<string, string>(FastJobs) { ["Cho40__Reports__Cron"] = "*/4 * * * * *" };
        await using var first = JobProcess.Start(app.ConnectionString, every4Seconds);
        await using var second = JobProcess.Start(app.ConnectionString, every4Seconds);

        const string nightly = "invocationdata::text LIKE '%RunNightlyAsync%'";
        const int occurrences = 5;
        var clock = Stopwatch.StartNew();
        while (await ScalarAsync<long>(app, $"SELECT count(*) FROM hangfire.job WHERE {nightly} AND statename = 'Succeeded'") < occurrences)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the recurring job did not run 5 times within 60 s");
            await Task.Delay(250);
        }
        // Both schedulers keep polling: give them a few more chances to (wrongly) trigger an occurrence twice.
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Per job: the occurrence it was created for (Hangfire's "Time" parameter, Unix seconds), how many times a worker
        // started executing it (each start writes a Processing state), whether it succeeded, and on which server.
        var runs = (await QueryAsync<(long JobId, DateTime CreatedAt, string? Time, long Starts, long Successes, string? Servers)>(app, $"""
            SELECT j.id, j.createdat,
                   (SELECT p.value FROM hangfire.jobparameter p WHERE p.jobid = j.id AND p.name = 'Time'),
                   (SELECT count(*) FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Processing'),
                   (SELECT count(*) FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Succeeded'),
                   (SELECT string_agg(DISTINCT s.data::jsonb ->> 'ServerId', ' ') FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Processing')
            FROM hangfire.job j WHERE {nightly} ORDER BY j.id
            """)).ToList();
        foreach (var run in runs)
            output.WriteLine($"job {run.JobId}: occurrence {run.Time}, created {run.CreatedAt:HH:mm:ss.fff}, started {run.Starts}×, succeeded {run.Successes}× on {run.Servers}");
        output.WriteLine($"{runs.Count} occurrences in {clock.Elapsed.TotalSeconds:F0} s, executed by {runs.Select(r => r.Servers).Distinct().Count()} distinct server(s)");

        // Two processes are really serving the same storage.
        Assert.Equal(2L, await ScalarAsync<long>(app, "SELECT count(*) FROM hangfire.server"));
        Assert.True(runs.Count >= occurrences);
        // Each occurrence became exactly one job: no two jobs for the same occurrence, none closer together than the schedule.
        Assert.All(runs, r => Assert.NotNull(r.Time));
        Assert.Equal(runs.Count, runs.Select(r => r.Time).Distinct().Count());
        var times = runs.Select(r => long.Parse(r.Time!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 4, $"occurrences {pair.First} and {pair.Second} are closer than the schedule"));
        // And each job was executed exactly once (the ones still running at the end excepted: the newest may be in flight).
        var finished = runs.Where(r => r.Successes > 0).ToList();
        Assert.True(finished.Count >= occurrences);
        Assert.All(finished, r => Assert.Equal((1L, 1L), (r.Starts, r.Successes)));
        Assert.All(runs, r => Assert.True(r.Starts <= 1, $"job {r.JobId} was started {r.Starts} times"));
    }

    [Fact]
    public async Task A_job_process_rides_out_a_PostgreSQL_restart_and_runs_jobs_again_by_itself()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var database = cluster.ConnectionString("cho40");
        // A job every 2 seconds (the nightly reports job on a fast schedule) shows whether the process is working.
        await using var jobs = JobProcess.Start(database, new Dictionary<string, string>(FastJobs) { ["Cho40__Reports__Cron"] = "*/2 * * * * *" });
        const string succeededAfter = "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%RunNightlyAsync%' AND statename = 'Succeeded' AND id > @after";
        var clock = Stopwatch.StartNew();
        while (await CountOrZeroAsync(database, succeededAfter) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the job process never ran a job");
            await Task.Delay(250);
        }
        var before = await CountAsync(database, "SELECT coalesce(max(id), 0) FROM hangfire.job");

        // PostgreSQL away for 5 seconds: the process must neither exit nor stay broken.
        await cluster.StopServerAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.False(jobs.HasExited, "the job process exited when PostgreSQL went away");
        await cluster.StartServerAsync();
        var restarted = Stopwatch.StartNew();
        while (await CountAsync(database, succeededAfter, new { after = before }) == 0)
        {
            Assert.False(jobs.HasExited, "the job process exited");
            Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(60), "the job process ran no job within 60 s of PostgreSQL's return");
            await Task.Delay(250);
        }
        output.WriteLine($"the job process ran a job again {restarted.Elapsed.TotalSeconds:F1} s after PostgreSQL started (schedule: every 2 s)");
        Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(30), $"recovery took {restarted.Elapsed.TotalSeconds:F1} s");
    }

    // While the job process is still creating the database and Hangfire's schema.
    private static async Task<long> CountOrZeroAsync(string connectionString, string sql)
    {
        try { return await CountAsync(connectionString, sql, new { after = 0L }); }
        catch (Npgsql.PostgresException e) when (e.SqlState is "3D000" or "3F000" or "42P01") { return 0; }
    }

    private static async Task<long> CountAsync(string connectionString, string sql, object? parameters = null)
    {
        // Unpooled: a pooled connection would not survive the restart the test causes.
        await using var connection = new Npgsql.NpgsqlConnection(connectionString + ";Pooling=false");
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, sql, parameters);
    }

    private static async Task<IEnumerable<T>> QueryAsync<T>(Cho40App app, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        return await Dapper.SqlMapper.QueryAsync<T>(connection, sql);
    }
}
