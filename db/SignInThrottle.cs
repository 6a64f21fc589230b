using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// How one scope of the throttle slows guessing: <see cref="FreeFailures"/> failures without waiting, then a wait of
/// <see cref="FirstDelay"/> that doubles with every further failure, up to <see cref="MaxDelay"/>.
/// </summary>
public sealed record ThrottleRule(int FreeFailures, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>When the next attempt may come, should the attempt that brought the count to <paramref name="failures"/> fail.</summary>
    public DateTimeOffset? BlockedUntil(int failures, DateTimeOffset now)
    {
        if (failures < FreeFailures) return null;
        var doublings = Math.Min(failures - FreeFailures, 30);
        var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * (1L << doublings)));
        return now + delay;
    }
}

/// <summary>The throttle's settings (configuration "Cho40:SignInThrottle"); see docs/features/accounts.md.</summary>
public sealed class SignInThrottleOptions
{
    /// <summary>One phone number from one client network: the owner mistyping, or one attacker guessing one account.</summary>
    public ThrottleRule Pair { get; set; } = new(5, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

    /// <summary>One phone number from a browser that signed in to it before (its trusted-device cookie).</summary>
    public ThrottleRule Device { get; set; } = new(10, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(15));

    /// <summary>One client network, whatever the phone number: one password tried against many accounts.</summary>
    public ThrottleRule Client { get; set; } = new(50, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

    /// <summary>One phone number from every client without its trusted-device cookie: many networks guessing one account.</summary>
    public ThrottleRule Phone { get; set; } = new(20, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

    /// <summary>Failures older than this (and not blocking any more) are forgotten.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(24);

    public ThrottleRule RuleOf(string scope) => scope switch
    {
        ThrottleKey.PairScope => Pair,
        ThrottleKey.DeviceScope => Device,
        ThrottleKey.ClientScope => Client,
        ThrottleKey.PhoneScope => Phone,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "unknown throttle scope"),
    };
}

public sealed record ThrottleKey(string Scope, string Key)
{
    public const string PairScope = "pair";
    public const string DeviceScope = "device";
    public const string ClientScope = "client";
    public const string PhoneScope = "phone";

    /// <summary>
    /// The keys an attempt on <paramref name="phone"/> counts against: its trusted device only, when the browser carries
    /// that phone's device cookie; else the (phone, client) pair, the client and the phone's untrusted ceiling. An
    /// attempt with no usable phone number counts against the client alone.
    /// </summary>
    public static IReadOnlyList<ThrottleKey> For(string? phone, string client, string? trustedDevice)
    {
        if (phone is null) return [new(ClientScope, client)];
        if (trustedDevice is not null) return [new(DeviceScope, phone + "|" + trustedDevice)];
        return [new(PairScope, phone + "|" + client), new(ClientScope, client), new(PhoneScope, phone)];
    }
}

/// <summary>Allowed, or refused until <see cref="RetryAt"/> (the attempt was not counted and must not be checked).</summary>
public sealed record ThrottleVerdict(bool Allowed, DateTimeOffset? RetryAt);

/// <summary>
/// Counts attempts to prove a secret BEFORE the secret is checked: an attempt first takes its place in the count (rows
/// locked, so parallel attempts queue), and the block a failure would earn is set at once; a success then gives the
/// place back. So N simultaneous guesses are counted N times and the ones past the allowance are refused unchecked.
/// </summary>
public sealed class SignInThrottle(NpgsqlDataSource db, SignInThrottleOptions options)
{
    public SignInThrottleOptions Options => options;

    public async Task<ThrottleVerdict> ReserveAsync(IReadOnlyList<ThrottleKey> keys, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var ordered = keys.Distinct().OrderBy(k => k.Scope, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();
        var scopes = ordered.Select(k => k.Scope).ToArray();
        var names = ordered.Select(k => k.Key).ToArray();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Rows exist and are locked in one order (scope, key): parallel attempts wait for each other, never deadlock.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sign_in_throttle (scope, key, failures, last_failure_at)
            SELECT s, k, 0, @now FROM unnest(@scopes::text[], @names::text[]) AS t(s, k) ORDER BY s, k
            ON CONFLICT (scope, key) DO NOTHING
            """, new { scopes, names, now }, tx, cancellationToken: cancellationToken));
        var rows = (await connection.QueryAsync<ThrottleRow>(new CommandDefinition("""
            SELECT t.scope, t.key, t.failures, t.blocked_until AS BlockedUntil, t.last_failure_at AS LastFailureAt
            FROM sign_in_throttle t JOIN unnest(@scopes::text[], @names::text[]) AS k(s, n) ON t.scope = k.s AND t.key = k.n
            ORDER BY t.scope, t.key
            FOR UPDATE OF t
            """, new { scopes, names }, tx, cancellationToken: cancellationToken))).AsList();

        var blockedUntil = rows.Where(r => r.BlockedUntil > now).Select(r => r.BlockedUntil).Max();
        if (blockedUntil is not null)
        {
            await tx.RollbackAsync(cancellationToken);
            return new ThrottleVerdict(false, blockedUntil);
        }

        var failures = new int[rows.Count];
        var blocks = new DateTimeOffset?[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var forgotten = row.LastFailureAt < now - options.ForgetAfter;
            failures[i] = (forgotten ? 0 : row.Failures) + 1;
            blocks[i] = options.RuleOf(row.Scope).BlockedUntil(failures[i], now);
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE sign_in_throttle t SET failures = u.f, blocked_until = u.b, last_failure_at = @now
            FROM unnest(@scopes::text[], @names::text[], @failures::int[], @blocks::timestamptz[]) AS u(s, k, f, b)
            WHERE t.scope = u.s AND t.key = u.k
            """, new
        {
            scopes = rows.Select(r => r.Scope).ToArray(), names = rows.Select(r => r.Key).ToArray(), failures, blocks, now,
        }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new ThrottleVerdict(true, null);
    }

    /// <summary>
    /// The secret was right: the phone's own counts (pair, device) start again; the client's and the phone's shared
    /// counts get this attempt's place back (their other failures stand).
    /// </summary>
    public async Task SucceededAsync(IReadOnlyList<ThrottleKey> keys, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        foreach (var key in keys.Distinct().OrderBy(k => k.Scope, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal))
        {
            if (key.Scope is ThrottleKey.PairScope or ThrottleKey.DeviceScope)
            {
                await connection.ExecuteAsync(new CommandDefinition("DELETE FROM sign_in_throttle WHERE scope = @Scope AND key = @Key",
                    key, cancellationToken: cancellationToken));
                continue;
            }
            var free = options.RuleOf(key.Scope).FreeFailures;
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE sign_in_throttle
                SET failures = greatest(failures - 1, 0),
                    blocked_until = CASE WHEN failures - 1 < @free THEN NULL ELSE blocked_until END
                WHERE scope = @Scope AND key = @Key
                """, new { key.Scope, key.Key, free }, cancellationToken: cancellationToken));
        }
    }

    /// <summary>Removes rows that neither block nor count any more.</summary>
    public async Task<int> ForgetOldAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM sign_in_throttle
            WHERE last_failure_at < @cutoff AND (blocked_until IS NULL OR blocked_until < @now)
            """, new { cutoff = now - options.ForgetAfter, now }, cancellationToken: cancellationToken));
    }

    private sealed record ThrottleRow(string Scope, string Key, int Failures, DateTimeOffset? BlockedUntil, DateTimeOffset LastFailureAt);
}
