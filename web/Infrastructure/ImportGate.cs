using System.Diagnostics;
using System.Threading.RateLimiting;
using Cho40.Db.Domain;

namespace Cho40.Web.Infrastructure;

/// <summary>The "Cho40:Imports" configuration section: how many spreadsheet imports run at once and what one may cost.</summary>
public sealed class ImportOptions
{
    /// <summary>Imports (listing files, COD statements) running at once in this process, all users together.</summary>
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>Imports one user may run at once.</summary>
    public int MaxPerUser { get; set; } = 1;

    /// <summary>Overrides every format's reading deadline (seconds) when set.</summary>
    public int? TimeoutSeconds { get; set; }

    /// <summary>Overrides every format's limit on the unpacked size of one part of an XLSX (MB) when set.</summary>
    public int? MaxUncompressedMegabytes { get; set; }
}

/// <summary>
/// Admits spreadsheet imports: at most <see cref="ImportOptions.MaxPerUser"/> per user and
/// <see cref="ImportOptions.MaxConcurrent"/> in all (System.Threading.RateLimiting concurrency limiters, no queue: a
/// refused import is told at once to try again), and gives each admitted one a token that ends it when its client
/// leaves or the host shuts down. Per process: N web processes admit N × the limit.
/// </summary>
public sealed class ImportGate : IDisposable
{
    private readonly PartitionedRateLimiter<long> limiter;
    private readonly ImportOptions options;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<ImportGate> logger;

    public ImportGate(ImportOptions options, IHostApplicationLifetime lifetime, ILogger<ImportGate> logger)
    {
        this.options = options;
        this.lifetime = lifetime;
        this.logger = logger;
        var perUser = PartitionedRateLimiter.Create<long, long>(user => RateLimitPartition.GetConcurrencyLimiter(user,
            _ => new ConcurrencyLimiterOptions { PermitLimit = Math.Max(1, options.MaxPerUser), QueueLimit = 0 }));
        var overall = PartitionedRateLimiter.Create<long, int>(_ => RateLimitPartition.GetConcurrencyLimiter(0,
            _ => new ConcurrencyLimiterOptions { PermitLimit = Math.Max(1, options.MaxConcurrent), QueueLimit = 0 }));
        limiter = PartitionedRateLimiter.CreateChained(perUser, overall);
    }

    /// <summary>A slot for <paramref name="userId"/>'s import, or null when this user or the server is busy with others.</summary>
    public ImportSlot? TryEnter(long userId, CancellationToken requestAborted)
    {
        var lease = limiter.AttemptAcquire(userId);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }
        return new ImportSlot(lease, CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping), userId, logger);
    }

    /// <summary>True once the host has begun to shut down (an import cancelled for that answers 503).</summary>
    public bool ShuttingDown => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>A format's limits with this server's overrides.</summary>
    public SpreadsheetLimits Apply(SpreadsheetLimits limits) => limits with
    {
        Timeout = options.TimeoutSeconds is int seconds ? TimeSpan.FromSeconds(seconds) : limits.Timeout,
        MaxPartBytes = options.MaxUncompressedMegabytes is int megabytes ? megabytes * 1024L * 1024 : limits.MaxPartBytes,
    };

    public void Dispose() => limiter.Dispose();
}

/// <summary>An admitted import: dispose it when the import is over (answered, failed or cancelled).</summary>
public sealed class ImportSlot(RateLimitLease lease, CancellationTokenSource cancellation, long userId, ILogger logger) : IDisposable
{
    private readonly long started = Stopwatch.GetTimestamp();

    /// <summary>Cancelled when the client leaves or the host shuts down.</summary>
    public CancellationToken Token => cancellation.Token;

    public void Dispose()
    {
        // One line per abandoned import: operators see how often people give up on a slow import (and tests see it stop).
        if (cancellation.IsCancellationRequested)
            logger.LogInformation("Import by user {UserId} stopped after {Seconds:F1} s: the client left or the server is shutting down",
                userId, Stopwatch.GetElapsedTime(started).TotalSeconds);
        cancellation.Dispose();
        lease.Dispose();
    }
}
