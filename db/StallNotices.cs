using System.Globalization;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// "Something changed at stall N" (<c>p{paymentId}</c>, <c>r{requestId}</c>), published with PostgreSQL NOTIFY inside the
/// transaction that made the change: delivered only when it commits, to every web process (their listener hands it to
/// the stall's open screens). Here so that matching in a job process publishes exactly as a web process does.
/// </summary>
public static class StallNotices
{
    public const string Channel = "cho40_stall_events";

    /// <summary>Publishes inside <paramref name="tx"/> (signature of <see cref="NotifyStall"/>).</summary>
    public static Task PublishAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long stallId, string what,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@Channel, @payload)",
            new { Channel, payload = stallId.ToString(CultureInfo.InvariantCulture) + ":" + what }, tx, cancellationToken: cancellationToken));
}
