using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Infrastructure;

/// <summary>
/// Registers a feature's recurring Hangfire job when a web or job process starts. Registration is AddOrUpdate under a
/// fixed id, so every process doing it, any number of times, leaves one recurring job. While the database is
/// unreachable it retries in the background every 30 s instead of failing the process's start-up.
/// </summary>
public abstract class RecurringJobRegistration(ILogger log) : BackgroundService
{
    /// <summary>What is registered, for the log ("the nightly reports job").</summary>
    protected abstract string What { get; }

    /// <summary>Registers (and whatever else must happen once at start-up); may throw while the database is down.</summary>
    protected abstract Task RegisterAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await RegisterAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                log.LogWarning(e, "Could not register {What} (attempt {Attempt}); retrying in 30 s", What, attempt);
                await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken);
            }
        }
    }
}
