using System.Collections.Concurrent;
using Cho40.Db;
using Cho40.Db.Domain;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// Counts views of batch trace pages (<see cref="TraceScanCounting"/> calls <see cref="Count"/>) in memory and adds them to <c>trace_batch_scans</c> every few
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

/// <summary>
/// Counts every batch page view in a step before the output cache, so views answered from the cache are counted
/// too. The page names its batch in <see cref="BatchHeader"/>; the header is stored with a cached response, and
/// this step takes it off every response (cached or not) just before the headers are sent, and counts it.
/// </summary>
public sealed class TraceScanCounting(RequestDelegate next, ScanCounter counter)
{
    /// <summary>Internal: never leaves the process.</summary>
    public const string BatchHeader = "X-Cho40-Counted-Batch";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (http, scans) = ((HttpContext, ScanCounter))state;
            var headers = http.Response.Headers;
            if (headers.TryGetValue(BatchHeader, out var value))
            {
                headers.Remove(BatchHeader);
                if (http.Response.StatusCode == StatusCodes.Status200OK && long.TryParse(value, out var batchId)) scans.Count(batchId);
            }
            return Task.CompletedTask;
        }, (context, counter));
        return next(context);
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
