using System.Diagnostics;
using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Jobs.Settlement;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Settlement;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Operations;

/// <summary>Real job processes (<c>Cho40.Jobs.dll</c>) on one database: killed mid-job, and two of them sharing one schedule.</summary>
[Trait("Speed", "Slow")]
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
    public async Task A_job_process_SIGKILLed_mid_COD_reconciliation_loses_nothing_another_process_gives_the_uninterrupted_result()
    {
        await using var app = await Cho40App.StartAsync();
        // A carrier's statement big enough that reconciling it takes a while (no pause in the product code): 60,000
        // delivered COD orders of 100 sellers, each on one line by its tracking code; every 50th line 1,000 đ short,
        // every 40th a returned parcel.
        const int lines = 60_000;
        await using (var connection = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO sellers (slug, name, kind, province_code, status)
                SELECT 'fault-' || i, 'HTX thử ' || i, 'cooperative', (SELECT min(code) FROM provinces), 'approved' FROM generate_series(1, 100) i;
                INSERT INTO checkout_groups (idempotency_key, access_token, created_at) VALUES (gen_random_uuid(), 'fault-cod', now());
                INSERT INTO orders (code, access_token, checkout_group_id, seller_id, customer_name, customer_phone, province_code, commune_code,
                                    address_line, payment_method, status, subtotal_vnd, shipping_fee_vnd, total_vnd, carrier, tracking_code,
                                    created_at, updated_at)
                SELECT 'DH-W' || (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', (i / (31 ^ k)::bigint % 31)::int + 1, 1), '' ORDER BY k)
                                  FROM generate_series(0, 4) k),
                       'fault-cod-' || i, (SELECT id FROM checkout_groups WHERE access_token = 'fault-cod'),
                       (SELECT id FROM sellers WHERE slug = 'fault-' || (i % 100 + 1)), 'Khách', '0912345678', c.province_code, c.code, 'Xóm 1',
                       'cod', 'delivered', 100000 + i % 50 * 1000, 30000, 130000 + i % 50 * 1000, 'GHN', 'GHNF' || lpad(i::text, 9, '0'),
                       now() - interval '3 days', now() - interval '3 days'
                FROM generate_series(1, @lines) i, (SELECT code, province_code FROM communes ORDER BY code LIMIT 1) c;
                ANALYZE orders;
                """, new { lines }, commandTimeout: 300);
        }
        var vi = new System.Globalization.CultureInfo("vi-VN");
        var csv = new System.Text.StringBuilder(string.Join(",", Cho40.Db.CodStatementFormats.CanonicalHeaders)).Append("\r\n");
        long remittance = 0;
        for (var i = 1; i <= lines; i++)
        {
            var total = 130_000 + i % 50 * 1000;
            if (i % 40 == 0)
            {
                csv.Append($"GHNF{i:D9},,0,25000,0,12000,Đã trả hàng,,20/11/2026\r\n");
                remittance -= 25_000 + 12_000;
            }
            else
            {
                var cod = i % 50 == 0 ? total - 1000 : total;
                csv.Append($"GHNF{i:D9},,\"{cod.ToString("N0", vi)}\",25000,{total / 100},0,Đã giao,17/11/2026,20/11/2026\r\n");
                remittance += cod - 25_000 - total / 100;
            }
        }
        var import = await app.Services.GetRequiredService<CodStatements>()
            .ImportAsync("GHN", "fault.csv", System.Text.Encoding.UTF8.GetBytes(csv.ToString()), null, DateTimeOffset.UtcNow);
        Assert.Equal(CodImportStatus.Imported, import.Status);
        var statementId = import.StatementId!.Value;

        // Enqueued through the storage; the first job process takes it and is SIGKILLed while the matching statement (INSERT … SELECT into cod_line_matches) runs.
        var jobId = long.Parse(app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ReconcileCodStatementJob>(j => j.RunAsync(statementId)));
        await using var doomed = JobProcess.Start(app.ConnectionString, FastJobs);
        const string matching = """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE 'WITH l AS (%FROM cod_statement_lines l%' AND pid <> pg_backend_pid()
            """;
        var waiting = Stopwatch.StartNew();
        while (await ScalarAsync<long>(app, matching) == 0)
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(90), "the job process never started reconciling (job "
                + await ScalarAsync<string>(app, "SELECT statename FROM hangfire.job WHERE id = @jobId", new { jobId }) + "):\n" + doomed.RecentOutput);
            await Task.Delay(20);
        }
        await doomed.KillAsync();
        var killedAt = Stopwatch.StartNew();
        // Its PostgreSQL backend finishes the statement it was running, finds the client gone and rolls back: nothing of
        // the interrupted run remains.
        while (await ScalarAsync<long>(app, matching) > 0) await Task.Delay(50);
        Assert.Null(await ScalarAsync<DateTimeOffset?>(app, "SELECT reconciled_at FROM cod_statements WHERE id = @statementId", new { statementId }));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM cod_lines WHERE statement_id = @statementId AND (outcome <> 'pending' OR order_id IS NOT NULL)",
            new { statementId }));
        Assert.Equal("Processing", await ScalarAsync<string>(app, "SELECT statename FROM hangfire.job WHERE id = @jobId", new { jobId }));

        // Another job process takes the abandoned job up by itself and runs it to the end.
        await using var rescuer = JobProcess.Start(app.ConnectionString, FastJobs);
        string state;
        do
        {
            await Task.Delay(250);
            state = await ScalarAsync<string>(app, "SELECT statename FROM hangfire.job WHERE id = @jobId", new { jobId });
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(90), $"the killed reconciliation was not finished by another process (state {state}):\n{rescuer.RecentOutput}");
        } while (state != "Succeeded");
        output.WriteLine($"{lines:N0}-line reconciliation killed mid-match after {waiting.Elapsed.TotalSeconds:F1} s; "
                         + $"succeeded on the other process {killedAt.Elapsed.TotalSeconds:F1} s after the kill");

        // The result of an uninterrupted run: every line on its own order with its outcome, the remittance posted once.
        var outcomes = (await QueryAsync<(string Outcome, long Lines)>(app,
            $"SELECT outcome, count(*) FROM cod_lines WHERE statement_id = {statementId} GROUP BY outcome")).ToDictionary(o => o.Outcome, o => o.Lines);
        long returned = lines / 40, mismatched = Enumerable.Range(1, lines).Count(i => i % 50 == 0 && i % 40 != 0);
        Assert.Equal(new Dictionary<string, long> { ["matched"] = lines - returned - mismatched, ["amount_mismatch"] = mismatched, ["returned"] = returned }, outcomes);
        Assert.Equal(0L, await ScalarAsync<long>(app, """
            SELECT count(*) FROM cod_lines l LEFT JOIN orders o ON o.id = l.order_id
            WHERE l.statement_id = @statementId AND (o.tracking_code IS DISTINCT FROM l.tracking_code OR l.expected_cod_vnd <> o.total_vnd)
            """, new { statementId }));
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM ledger_transactions WHERE idempotency_key = @key",
            new { key = $"remittance:statement:{statementId}" }));
        Assert.Equal(remittance, await ScalarAsync<long>(app, """
            SELECT e.amount_vnd FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
            WHERE t.idempotency_key = @key AND e.amount_vnd > 0
            """, new { key = $"remittance:statement:{statementId}" }));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));
    }

    [Fact]
    public async Task Two_job_processes_run_a_recurring_job_once_per_occurrence()
    {
        await using var app = await Cho40App.StartAsync();
        // The nightly reports job on a schedule of every 3 seconds (Hangfire takes 6-part cron with seconds), served by
        // two job processes that both register it and both poll the schedule every second.
        var everyFewSeconds = new Dictionary<string, string>(FastJobs) { ["Cho40__Reports__Cron"] = "*/3 * * * * *" };
        await using var first = JobProcess.Start(app.ConnectionString, everyFewSeconds);
        await using var second = JobProcess.Start(app.ConnectionString, everyFewSeconds);

        // Each job a recurring job triggers carries the time it was triggered (job parameter "Time", Unix seconds): within
        // a poll (1 s) of its occurrence, so jobs are counted per 3-second slot of the schedule. A scheduler late by more
        // than a slot skips to the next occurrence (Hangfire's relaxed misfire handling), so slots never borrow jobs.
        const string perOccurrence = """
            SELECT p.value::bigint / 3 * 3 AS Occurrence, count(*) AS Jobs,
                   count(*) FILTER (WHERE j.statename = 'Succeeded') AS Succeeded,
                   max((SELECT count(*) FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Processing')) AS MostRuns
            FROM hangfire.job j JOIN hangfire.jobparameter p ON p.jobid = j.id AND p.name = 'Time'
            WHERE j.invocationdata::text LIKE '%RunNightlyAsync%'
            GROUP BY 1 ORDER BY 1
            """;
        var clock = Stopwatch.StartNew();
        while ((await QueryAsync<(long Occurrence, long Jobs, long Succeeded, long MostRuns)>(app, perOccurrence)).Count(o => o.Succeeded > 0) < 5)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the recurring job did not run five times within 90 s:\n" + first.RecentOutput);
            await Task.Delay(500);
        }
        // Both schedulers poll every second: give them more chances to (wrongly) trigger an occurrence twice.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var occurrences = (await QueryAsync<(long Occurrence, long Jobs, long Succeeded, long MostRuns)>(app, perOccurrence)).ToList();
        output.WriteLine(string.Join(", ", occurrences.Select(o =>
            $"{DateTimeOffset.FromUnixTimeSeconds(o.Occurrence):HH:mm:ss} → {o.Jobs} job(s), {o.Succeeded} succeeded, run {o.MostRuns}×")));
        Assert.True(occurrences.Count >= 5);
        Assert.All(occurrences, o => Assert.Equal(1, o.Jobs));      // triggered once per occurrence
        Assert.All(occurrences, o => Assert.True(o.MostRuns <= 1)); // and performed once
        // Two processes are really serving the same storage.
        Assert.Equal(2L, await ScalarAsync<long>(app, "SELECT count(*) FROM hangfire.server"));
    }

    private static async Task<IEnumerable<T>> QueryAsync<T>(Cho40App app, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        return await Dapper.SqlMapper.QueryAsync<T>(connection, sql);
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
        // Target: a job again within about 5 s (schedule every 2 s, polled every second). Hangfire retries a failed
        // server loop after a delay that grows with each failure ("will be retried in no more than …"): on a loaded machine the
        // restart itself is slow, more attempts fail during it, and the next one may be due tens of seconds later.
        // 10× the target allows that; a process that stays broken does not pass.
        var target = TimeSpan.FromSeconds(5);
        while (await CountAsync(database, succeededAfter, new { after = before }) == 0)
        {
            Assert.False(jobs.HasExited, "the job process exited:\n" + jobs.RecentOutput);
            Assert.True(restarted.Elapsed < TimeLimit.Allowed(target, 10),
                $"the job process ran no job within {TimeLimit.Allowed(target, 10).TotalSeconds:F0} s of PostgreSQL's return:\n" + jobs.RecentOutput);
            await Task.Delay(250);
        }
        TimeLimit.Check(output, "the job process ran a job again after PostgreSQL started (schedule: every 2 s)", restarted.Elapsed, target, 10);
    }

    [Fact]
    public async Task A_scheduler_lock_left_behind_by_a_dead_process_or_a_PostgreSQL_restart_holds_schedules_up_for_seconds_not_minutes()
    {
        await using var app = await Cho40App.StartAsync();
        // Hangfire keeps its distributed locks as rows. A process killed, or a PostgreSQL restart, while a scheduler holds
        // one leaves the row behind (seen in the restart test above: "hangfire:locks:schedulepoller: Failed to remove
        // lock"); no process schedules anything until the row counts as expired — Hangfire.PostgreSql's default 10 min.
        // Rows as a dead holder leaves them, for both schedulers (recurring and delayed jobs):
        await using (var connection = new Npgsql.NpgsqlConnection(app.ConnectionString))
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO hangfire.lock (resource, updatecount, acquired)
                VALUES ('hangfire:recurring-jobs:lock', 0, now()), ('hangfire:locks:schedulepoller', 0, now())
                """);
        var held = Stopwatch.StartNew();
        await using var jobs = JobProcess.Start(app.ConnectionString, new Dictionary<string, string>(FastJobs) { ["Cho40__Reports__Cron"] = "*/2 * * * * *" });
        const string succeeded = "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%RunNightlyAsync%' AND statename = 'Succeeded'";
        while (await ScalarAsync<long>(app, succeeded) == 0)
        {
            Assert.False(jobs.HasExited, "the job process exited:\n" + jobs.RecentOutput);
            Assert.True(held.Elapsed < TimeSpan.FromSeconds(120), "no recurring job ran within 120 s of the stale lock:\n" + jobs.RecentOutput);
            await Task.Delay(500);
        }
        output.WriteLine($"the first recurring job succeeded {held.Elapsed.TotalSeconds:F1} s after the stale lock rows were written");
        // It was held up (else the rows did not name Hangfire's locks and this test proves nothing)…
        Assert.True(held.Elapsed > TimeSpan.FromSeconds(15), $"ran after {held.Elapsed.TotalSeconds:F1} s: the stale rows held nothing up");
        // …for the storage's lock timeout (30 s) and a poll or two, not for minutes.
        Assert.True(held.Elapsed < TimeSpan.FromSeconds(90), $"held up for {held.Elapsed.TotalSeconds:F1} s");
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
}
