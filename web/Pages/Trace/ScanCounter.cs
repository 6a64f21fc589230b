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

    public async Task FlushAsync()
    {
        var taken = Interlocked.Exchange(ref pending, new ConcurrentDictionary<long, long>());
        if (taken.IsEmpty) return;
        var day = VietnamTime.DayOf(clock.GetUtcNow());
        await trace.AddBatchScansAsync(taken.Select(kv => (kv.Key, day, kv.Value)).ToList());
    }
}

public sealed class ScanCounterFlusher(ScanCounter counter, TraceOptions options, ILogger<ScanCounterFlusher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.ScanFlushSeconds)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushLoggingErrorsAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushLoggingErrorsAsync();
    }

    private async Task FlushLoggingErrorsAsync()
    {
        try
        {
            await counter.FlushAsync();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            // The counts of this round are lost; the page views themselves were served.
            log.LogWarning(e, "Could not write trace scan counts");
        }
    }
}
