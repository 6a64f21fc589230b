using Cho40.Db;

namespace Cho40.Web.Infrastructure;

/// <summary>Every hour, removes sign-in throttle rows that neither block nor count any more (the table stays small).</summary>
public sealed class SignInThrottleSweeper(SignInThrottle throttle, TimeProvider time, ILogger<SignInThrottleSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await throttle.ForgetOldAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // The database is away: the rows wait for the next hour.
                log.LogWarning(e, "Could not clear old sign-in throttle rows");
            }
        }
    }
}
