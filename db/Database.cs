using Npgsql;

namespace Cho40.Db;

/// <summary>Where the database is: <c>DATABASE_URL</c> as a postgres:// URL or an Npgsql connection string.</summary>
public static class Database
{
    /// <summary>
    /// The connection string the web and job processes use for their data source: statements run at least twice on a
    /// connection are prepared (Npgsql prepares nothing unless told), so PostgreSQL stops planning the same query again
    /// and again — the public trace page's seven-join query planned in 2.7 ms and ran in 0.3 ms. A connection string that
    /// sets "Max Auto Prepare" itself (0 turns it off) is left as it is. Not multiplexing: the stall event stream's
    /// LISTEN (Wait) and the data-protection key ring (synchronous commands) are refused in that mode.
    /// No reset on close: with prepared statements Npgsql cannot send DISCARD ALL when a connection goes back to the pool,
    /// so it sent seven statements instead (RESET ALL, UNLISTEN *, DISCARD TEMP …) in front of every request's first query
    /// — more statements than the trace page itself. The application keeps no session state: settings are SET LOCAL, temp
    /// tables ON COMMIT DROP, advisory locks transaction-scoped, and the stall event listener unlistens before its
    /// connection goes back (StallEventListener).
    /// </summary>
    public static string ForApplication(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The builder writes every setting under its canonical name, whichever synonym was given.
        if (builder.ConnectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) return builder.ConnectionString;
        builder.MaxAutoPrepare = 100;
        builder.AutoPrepareMinUsages = 2;
        if (!builder.ConnectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    public static string ConnectionStringFrom(string databaseUrl)
    {
        if (!databaseUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !databaseUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(databaseUrl).ConnectionString;
        }

        var uri = new Uri(databaseUrl);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return builder.ConnectionString;
    }
}
