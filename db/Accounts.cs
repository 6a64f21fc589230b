using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record UserAccount(long Id, string Phone, string DisplayName, string PasswordHash,
    int FailedSignIns, DateTimeOffset? LockedUntil);

/// <summary>Users, their roles, and the sign-in lockout counters.</summary>
public sealed class Accounts(NpgsqlDataSource db)
{
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public async Task<UserAccount?> FindByPhoneAsync(string phone, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition("""
            SELECT id, phone, display_name AS DisplayName, password_hash AS PasswordHash,
                   failed_sign_ins AS FailedSignIns, locked_until AS LockedUntil
            FROM users WHERE phone = @phone
            """, new { phone }, cancellationToken: cancellationToken));
    }

    /// <summary>Creates a user; null when the phone number is already registered.</summary>
    public async Task<long?> CreateAsync(string phone, string displayName, string passwordHash, string[]? roles = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO users (phone, display_name, password_hash) VALUES (@phone, @displayName, @passwordHash)
            ON CONFLICT (phone) DO NOTHING
            RETURNING id
            """, new { phone, displayName, passwordHash }, tx, cancellationToken: cancellationToken));
        if (id is null) return null;
        foreach (var role in roles ?? [])
        {
            await connection.ExecuteAsync(
                new CommandDefinition("INSERT INTO user_roles (user_id, role) VALUES (@id, @role) ON CONFLICT DO NOTHING",
                new { id, role }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<IReadOnlyList<string>> RolesOfAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(
            new CommandDefinition("SELECT role FROM user_roles WHERE user_id = @userId ORDER BY role", new { userId },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task GrantRoleAsync(long userId, string role, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition("INSERT INTO user_roles (user_id, role) VALUES (@userId, @role) ON CONFLICT DO NOTHING",
            new { userId, role }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Counts a failed attempt and locks the account once the limit is reached; a lock that has
    /// run out starts the count again.
    /// </summary>
    public async Task<DateTimeOffset?> RecordFailedSignInAsync(long userId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<DateTimeOffset?>(new CommandDefinition("""
            UPDATE users
            SET failed_sign_ins = attempt.count,
                locked_until = CASE WHEN attempt.count >= @max THEN @lockUntil
                                    WHEN users.locked_until <= @now THEN NULL
                                    ELSE users.locked_until END
            FROM (SELECT CASE WHEN locked_until <= @now THEN 1 ELSE failed_sign_ins + 1 END AS count
                  FROM users WHERE id = @userId) AS attempt
            WHERE id = @userId
            RETURNING users.locked_until
            """, new { userId, now, max = MaxFailedSignIns, lockUntil = now + LockoutDuration }, cancellationToken: cancellationToken));
    }

    public async Task RecordSuccessfulSignInAsync(long userId, DateTimeOffset now, string? rehashedPassword,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE users
            SET failed_sign_ins = 0, locked_until = NULL, last_signed_in_at = @now,
                password_hash = COALESCE(@rehashedPassword, password_hash)
            WHERE id = @userId
            """, new { userId, now, rehashedPassword }, cancellationToken: cancellationToken));
    }
}
