using System.Collections.Concurrent;
using Cho40.Db;
using Cho40.Db.Domain;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// Counts views of batch trace pages in memory and adds them to <c>trace_batch_scans</c> every few
/// seconds in one statement, so the most visited page never waits on a counter row. A crash loses at
/// most the last few seconds of counts; serialised codes are recorded at once (they carry the copy warning).
/// </summary>
public sealed class ScanCounter(Db.Trace trace, TimeProvider clock)
{
    private ConcurrentDictionary<long, long> pending = new();

    public void Count(long batchId) => pending.AddOrUpdate(batchId, 1, static (_, n) => n + 1);

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var taken = Interlocked.Exchange(ref pending, new ConcurrentDictionary<long, long>());
        if (taken.IsEmpty) return;
        var day = VietnamTime.DayOf(clock.GetUtcNow());
        await trace.AddBatchScansAsync(taken.Select(kv => (kv.Key, day, kv.Value)).ToList(), cancellationToken);
    }
}

public sealed class ScanCounterFlusher(ScanCounter counter, TraceOptions options, ILogger<ScanCounterFlusher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.ScanFlushSeconds)));
        try
        {
            // A flush that has begun runs to the end: its counts are already out of memory.
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushLoggingErrorsAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushLoggingErrorsAsync(cancellationToken);
    }

    private async Task FlushLoggingErrorsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await counter.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            // The counts of this round are lost; the page views themselves were served.
            log.LogWarning(e, "Could not write trace scan counts");
        }
    }
}
