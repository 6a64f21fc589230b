using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record UserAccount(long Id, string Phone, string DisplayName, string PasswordHash, Guid SecurityStamp);

/// <summary>What a sign-in cookie is checked against on every request: the user's current stamp, name and roles.</summary>
public sealed record SessionState(Guid SecurityStamp, string Phone, string DisplayName, string[] Roles);

/// <summary>Users, their roles and their security stamps (a new stamp ends every session issued before it).</summary>
public sealed class Accounts(NpgsqlDataSource db)
{
    private const string UserColumns = """
        id, phone, display_name AS DisplayName, password_hash AS PasswordHash, security_stamp AS SecurityStamp
        """;

    public async Task<UserAccount?> FindByPhoneAsync(string phone, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE phone = @phone", new { phone }, cancellationToken: cancellationToken));
    }

    public async Task<UserAccount?> FindByIdAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE id = @userId", new { userId }, cancellationToken: cancellationToken));
    }

    /// <summary>One indexed read per (uncached) request: the stamp, name and roles a cookie is compared with.</summary>
    public async Task<SessionState?> SessionStateAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition("""
            SELECT u.security_stamp AS SecurityStamp, u.phone, u.display_name AS DisplayName,
                   ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.role) AS Roles
            FROM users u WHERE u.id = @userId
            """, new { userId }, cancellationToken: cancellationToken));
        return row is null ? null : new SessionState(row.SecurityStamp, row.Phone, row.DisplayName, row.Roles);
    }

    private sealed class SessionRow
    {
        public Guid SecurityStamp { get; set; }
        public string Phone { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string[] Roles { get; set; } = [];
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
    /// Takes a role away and ends every session of the user (a new stamp), so no cookie keeps the role's pages open.
    /// False when the user did not have the role (nothing changes).
    /// </summary>
    public async Task<bool> RevokeRoleAsync(long userId, string role, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            WITH removed AS (DELETE FROM user_roles WHERE user_id = @userId AND role = @role RETURNING user_id),
                 stamped AS (UPDATE users SET security_stamp = gen_random_uuid() WHERE id IN (SELECT user_id FROM removed) RETURNING id)
            SELECT EXISTS (SELECT 1 FROM stamped)
            """, new { userId, role }, cancellationToken: cancellationToken));
    }

    /// <summary>A new stamp: every cookie issued before it is refused from now on. Returns the new stamp.</summary>
    public async Task<Guid> RenewSecurityStampAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<Guid>(new CommandDefinition(
            "UPDATE users SET security_stamp = gen_random_uuid() WHERE id = @userId RETURNING security_stamp",
            new { userId }, cancellationToken: cancellationToken));
    }

    /// <summary>Sets a new password and a new stamp (every other session ends). Returns the new stamp.</summary>
    public async Task<Guid> ChangePasswordAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<Guid>(new CommandDefinition("""
            UPDATE users SET password_hash = @passwordHash, security_stamp = gen_random_uuid()
            WHERE id = @userId RETURNING security_stamp
            """, new { userId, passwordHash }, cancellationToken: cancellationToken));
    }

    public async Task RecordSuccessfulSignInAsync(long userId, DateTimeOffset now, string? rehashedPassword,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE users
            SET last_signed_in_at = @now, password_hash = COALESCE(@rehashedPassword, password_hash)
            WHERE id = @userId
            """, new { userId, now, rehashedPassword }, cancellationToken: cancellationToken));
    }
}
