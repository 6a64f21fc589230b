using Npgsql;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// One PostgreSQL LISTEN connection kept open for the life of the process, reconnecting 2 s after a failure. A subclass
/// names its channel and is told when listening starts (again), of each notification in commit order, and when the
/// connection is lost. Notifications that arrive while <see cref="ListeningAsync"/> or <see cref="IdleAsync"/> runs on the
/// connection are held and handed over after it returns, so state those read can never overwrite a later change.
/// </summary>
public abstract class NotificationListener(NpgsqlDataSource db, ILogger logger) : BackgroundService
{
    private readonly List<string> held = [];
    private bool holding;

    protected abstract string Channel { get; }

    /// <summary>One notification's payload, in the order the transactions committed.</summary>
    protected abstract void Notified(string payload);

    /// <summary>Right after LISTEN took effect: anything committed from now on will be notified. <paramref name="again"/>: after a lost connection.</summary>
    protected virtual Task ListeningAsync(NpgsqlConnection connection, bool again, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The connection is gone: notifications may be missed until <see cref="ListeningAsync"/> is called again.</summary>
    protected virtual void Lost()
    {
    }

    /// <summary>How long without a notification before <see cref="IdleAsync"/> runs (null: never).</summary>
    protected virtual TimeSpan? IdleAfter => null;

    /// <summary>After <see cref="IdleAfter"/> of silence, on the listening connection: e.g. check that nothing was missed.</summary>
    protected virtual Task IdleAsync(NpgsqlConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listenedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (holding) held.Add(e.Payload);
                    else Notified(e.Payload);
                };
                try
                {
                    await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                        await listen.ExecuteNonQueryAsync(stoppingToken);
                    await HoldingAsync(() => ListeningAsync(connection, listenedBefore, stoppingToken));
                    listenedBefore = true;
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        if (IdleAfter is { } idle)
                        {
                            if (!await connection.WaitAsync(idle, stoppingToken)) await HoldingAsync(() => IdleAsync(connection, stoppingToken));
                        }
                        else await connection.WaitAsync(stoppingToken);
                    }
                }
                finally
                {
                    Lost();
                    holding = false;
                    held.Clear();
                    // The pool does not reset connections (Database.ForApplication): one still listening must not go back.
                    if (connection.FullState == System.Data.ConnectionState.Open)
                    {
                        try
                        {
                            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
                            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
                        }
                        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
                        {
                            logger.LogDebug(e, "UNLISTEN failed; the connection is broken and will not be reused");
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                logger.LogWarning(e, "Listener on {Channel} lost its connection; retrying in 2 s", Channel);
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task HoldingAsync(Func<Task> work)
    {
        holding = true;
        try
        {
            await work();
        }
        finally
        {
            holding = false;
        }
        foreach (var payload in held) Notified(payload);
        held.Clear();
    }
}
