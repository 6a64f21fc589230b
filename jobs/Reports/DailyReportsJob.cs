using System.ComponentModel;
using System.Globalization;
using Cho40.Db;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Reports;

/// <summary>
/// Computes the daily sales reports (every stall, seller and market) of a Vietnam day. Safe to re-run and to race:
/// <see cref="ReportComputation.ComputeDayAsync"/> holds an advisory lock and stores each day once (unique keys).
/// </summary>
public sealed class DailyReportsJob(ReportComputation reports, ReportBackfills backfills, ReportOptions options, TimeProvider time, ILogger<DailyReportsJob> log)
{
    public const string RecurringJobId = "daily-sales-reports";
    public const string Queue = "reports";

    /// <summary>
    /// The nightly run (~00:15 Asia/Ho_Chi_Minh): yesterday, and every day missed since the last computed one (downtime),
    /// at most <see cref="ReportOptions.CatchUpDays"/> back, oldest first. Returns how many days it computed.
    /// </summary>
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Báo cáo bán hàng hằng ngày (hôm qua và các ngày bị lỡ)")]
    public async Task<int> RunNightlyAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var latest = ReportComputation.LatestClosedDay(now, options.SettleTime);
        var last = await reports.LastComputedDayAsync(cancellationToken);
        var from = last is { } l ? l.AddDays(1) : latest.AddDays(1 - options.FirstRunDays);
        var earliest = latest.AddDays(-options.CatchUpDays);
        if (from < earliest) from = earliest;
        var computed = 0;
        foreach (var day in await reports.MissingDaysAsync(from, latest, cancellationToken))
        {
            var result = await reports.ComputeDayAsync(day, time.GetUtcNow(), options.SettleTime, cancellationToken);
            Log(result);
            if (result.Outcome == ReportDayOutcome.Computed) computed++;
        }
        return computed;
    }

    /// <summary>One day ("yyyy-MM-dd").</summary>
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Báo cáo bán hàng ngày {0}")]
    public async Task<ReportDayResult> ComputeDayAsync(string day, CancellationToken cancellationToken = default)
    {
        var result = await reports.ComputeDayAsync(ParseDay(day), time.GetUtcNow(), options.SettleTime, cancellationToken);
        Log(result);
        return result;
    }

    /// <summary>One day of an admin's backfill: the same computation, with the day's progress recorded for the page.</summary>
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Tính bù báo cáo ngày {1} (đợt {0})")]
    public async Task<ReportDayResult> ComputeBackfillDayAsync(long backfillId, string day, CancellationToken cancellationToken = default)
    {
        var date = ParseDay(day);
        await backfills.MarkBackfillDayAsync(backfillId, date, "running", null, time.GetUtcNow(), cancellationToken);
        try
        {
            var result = await reports.ComputeDayAsync(date, time.GetUtcNow(), options.SettleTime, cancellationToken);
            Log(result);
            await backfills.MarkBackfillDayAsync(backfillId, date,
                result.Outcome == ReportDayOutcome.Computed ? "computed" : "already", null, time.GetUtcNow(), cancellationToken);
            return result;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Recorded for the page, then rethrown: Hangfire retries the day (and shows it failed when retries run out).
            // A day stopped by a shutdown has not failed: Hangfire runs it again.
            await backfills.MarkBackfillDayAsync(backfillId, date, "failed", e.Message, time.GetUtcNow(), cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// Starts an admin's backfill of [<paramref name="from"/>, <paramref name="to"/>]: one job per day, chained in day order
    /// (so each day's comparisons find the days before it stored), each visible in the Hangfire dashboard; progress per day
    /// in report_backfill_days. Days already computed are found so and left as they are.
    /// </summary>
    public static async Task<long> EnqueueBackfillAsync(ReportBackfills backfills, IBackgroundJobClient jobs, DateOnly from, DateOnly to,
        long? userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var backfillId = await backfills.CreateBackfillAsync(from, to, userId, now, cancellationToken);
        string? previous = null;
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var key = DayKey(day);
            previous = previous is null
                ? jobs.Enqueue<DailyReportsJob>(j => j.ComputeBackfillDayAsync(backfillId, key, CancellationToken.None))
                : jobs.ContinueJobWith<DailyReportsJob>(previous, j => j.ComputeBackfillDayAsync(backfillId, key, CancellationToken.None),
                    options: JobContinuationOptions.OnAnyFinishedState);
            // The day's job is enqueued: its id is recorded even if the caller gives up now, or the page loses track of it.
            await backfills.SetBackfillJobAsync(backfillId, day, previous, CancellationToken.None);
        }
        // The province aggregates are built from the reports: rebuilt once the backfill's last day is done.
        if (previous is not null)
            jobs.ContinueJobWith<Province.ProvinceAggregatesJob>(previous, j => j.RefreshAsync(CancellationToken.None),
                options: JobContinuationOptions.OnAnyFinishedState);
        return backfillId;
    }

    public static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string day) =>
        DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new ArgumentException($"not a day (yyyy-MM-dd): {day}", nameof(day));

    private void Log(ReportDayResult r) =>
        log.LogInformation("Daily reports {Day}: {Outcome}, {Scopes} reports, {Late} late items, {Ms} ms",
            DayKey(r.Day), r.Outcome, r.Scopes, r.LateItems, r.DurationMs);
}
