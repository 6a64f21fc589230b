using System.ComponentModel;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Infrastructure;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Province;

/// <summary>
/// Rebuilds the province aggregates (<see cref="ProvinceAggregates"/>) the province dashboard and the open data read.
/// Nightly at 00:45 Asia/Ho_Chi_Minh (after the daily reports of 00:15), after every report backfill, and once at start-up
/// when reports exist but the aggregates were never built. A rebuild replaces the whole table in one transaction, so
/// running it twice, or two processes racing, leaves the same table.
/// </summary>
public sealed class ProvinceAggregatesJob(ProvinceAggregates aggregates, TimeProvider time, ILogger<ProvinceAggregatesJob> log)
{
    public const string RecurringJobId = "province-aggregates";
    public const string Queue = "reports";
    public const string Cron = "45 0 * * *";

    [Queue(Queue)]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Số liệu tỉnh (chợ, xã, tỉnh theo tuần và tháng)")]
    public async Task<ProvinceRefreshResult> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var result = await aggregates.RefreshAsync(time.GetUtcNow(), cancellationToken);
        log.LogInformation("Province aggregates rebuilt: report days {First}–{Last}, {Rows} rows, {Ms} ms",
            result.FirstDay, result.LastDay, result.Rows, result.DurationMs);
        return result;
    }
}

/// <summary>Registers the nightly rebuild (fixed id: harmless from every process) and builds once when never built.</summary>
public sealed class ProvinceSchedule(IRecurringJobManager recurring, IBackgroundJobClient jobs, ProvinceAggregates aggregates,
    ILogger<ProvinceSchedule> log) : RecurringJobRegistration(log)
{
    protected override string What => "the province aggregates job";

    protected override async Task RegisterAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<ProvinceAggregatesJob>(ProvinceAggregatesJob.RecurringJobId, ProvinceAggregatesJob.Queue,
            j => j.RefreshAsync(CancellationToken.None), ProvinceAggregatesJob.Cron, new RecurringJobOptions { TimeZone = VietnamTime.Zone });
        if (await aggregates.NeverBuiltAsync(cancellationToken))
            jobs.Enqueue<ProvinceAggregatesJob>(j => j.RefreshAsync(CancellationToken.None));
    }
}
