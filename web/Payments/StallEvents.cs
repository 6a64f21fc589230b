using Cho40.Db;
using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Dapper;
using Npgsql;

namespace Cho40.Web.Payments;

/// <summary>
/// "Something changed at stall N" — a payment arrived (<c>p{id}</c>) or a request changed (<c>r{id}</c>).
/// Published with PostgreSQL NOTIFY inside the transaction that made the change, so it is delivered only
/// when that commits and reaches every web process; <see cref="StallEventListener"/> LISTENs and hands
/// each event to this process's open stall screens (server-sent events).
/// </summary>
public sealed class StallEvents
{
    public const string Channel = StallNotices.Channel;

    /// <summary>Handed to every open stream when events may have been missed (see <see cref="ResyncAll"/>).</summary>
    public const string Resync = "sync";

    private readonly ConcurrentDictionary<long, ConcurrentDictionary<Channel<string>, byte>> subscribers = new();

    /// <summary>Publishes inside <paramref name="tx"/> (signature of <see cref="Cho40.Db.NotifyStall"/>).</summary>
    public static Task PublishAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long stallId, string what,
        CancellationToken cancellationToken) => StallNotices.PublishAsync(connection, tx, stallId, what, cancellationToken);

    /// <summary>Events of one stall until <paramref name="cancellation"/> fires.</summary>
    public ChannelReader<string> Subscribe(long stallId, CancellationToken cancellation)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<string>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest });
        var set = subscribers.GetOrAdd(stallId, _ => new());
        set[channel] = 0;
        cancellation.Register(() =>
        {
            set.TryRemove(channel, out _);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    /// <summary>
    /// This process was not listening for a while (its LISTEN connection was lost, e.g. PostgreSQL restarted): payments
    /// committed meanwhile were announced to nobody here. Every open stream looks up what it has not sent yet.
    /// </summary>
    public void ResyncAll()
    {
        foreach (var set in subscribers.Values)
            foreach (var channel in set.Keys) channel.Writer.TryWrite(Resync);
    }

    /// <summary>Hands a NOTIFY payload (<c>{stallId}:{what}</c>) to the stall's subscribers in this process.</summary>
    public void Deliver(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(payload.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var stallId)) return;
        if (!subscribers.TryGetValue(stallId, out var set)) return;
        foreach (var channel in set.Keys) channel.Writer.TryWrite(payload[(colon + 1)..]);
    }
}

/// <summary>LISTENs on <see cref="StallEvents.Channel"/> and hands each event to this process's open stall screens.</summary>
public sealed class StallEventListener(NpgsqlDataSource db, StallEvents events, ILogger<StallEventListener> logger)
    : Cho40.Web.Infrastructure.NotificationListener(db, logger)
{
    protected override string Channel => StallEvents.Channel;

    protected override void Notified(string payload) => events.Deliver(payload);

    protected override Task ListeningAsync(NpgsqlConnection connection, bool again, CancellationToken cancellationToken)
    {
        // Listening again after a lost connection: whatever was committed in between reached nobody here.
        if (again) events.ResyncAll();
        return Task.CompletedTask;
    }
}
