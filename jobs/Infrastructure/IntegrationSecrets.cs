using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace Cho40.Jobs.Infrastructure;

/// <summary>What a person may see of a stored secret: its name, last characters and when it stops being accepted.</summary>
public sealed record SecretInfo(string Name, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? RetiresAt);

/// <summary>
/// Secrets the platform keeps for an integration — a bank connection's webhook key, OAuth client secret and API token;
/// a carrier's, later — encrypted at rest with ASP.NET data protection (key ring in PostgreSQL, <see cref="KeyRing"/>),
/// under the purpose <c>Cho40.IntegrationSecrets/{ownerKind}/{name}</c>: a value sealed for one use does not open as
/// another. Rotating keeps the old value accepted for a grace period; retiring stops all of an owner's at once.
/// Reusable: an owner is any (kind, id) pair, e.g. <c>("bank_connection", 42)</c>.
/// </summary>
public sealed class IntegrationSecrets(NpgsqlDataSource db, IDataProtectionProvider protection)
{
    /// <summary>A fresh random secret: <paramref name="bytes"/> random bytes, base64url (24 bytes → 32 characters).</summary>
    public static string NewSecret(int bytes = 24) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private IDataProtector Protector(string ownerKind, string name) =>
        protection.CreateProtector("Cho40.IntegrationSecrets", ownerKind, name);

    private static string HintOf(string value) => value.Length <= 8 ? "" : "…" + value[^4..];

    /// <summary>
    /// Makes <paramref name="value"/> the current secret <paramref name="name"/> of the owner. The one it replaces stays
    /// accepted until <paramref name="now"/> + <paramref name="grace"/> (zero: it stops at once).
    /// </summary>
    public async Task SetAsync(string ownerKind, long ownerId, string name, string value, DateTimeOffset now, TimeSpan grace,
        CancellationToken cancellationToken = default)
    {
        var sealedValue = Protector(ownerKind, name).Protect(value);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE integration_secrets SET retires_at = @retiresAt
            WHERE owner_kind = @ownerKind AND owner_id = @ownerId AND name = @name AND retires_at IS NULL
            """, new { ownerKind, ownerId, name, retiresAt = now + grace }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO integration_secrets (owner_kind, owner_id, name, sealed, hint, created_at)
            VALUES (@ownerKind, @ownerId, @name, @sealedValue, @hint, @now)
            """, new { ownerKind, ownerId, name, sealedValue, hint = HintOf(value), now }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The values of <paramref name="name"/> accepted now: the current one first, then those still in their grace period.</summary>
    public async Task<IReadOnlyList<string>> AcceptedAsync(string ownerKind, long ownerId, string name, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var sealedValues = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT sealed FROM integration_secrets
            WHERE owner_kind = @ownerKind AND owner_id = @ownerId AND name = @name AND (retires_at IS NULL OR retires_at > @now)
            ORDER BY (retires_at IS NULL) DESC, created_at DESC
            """, new { ownerKind, ownerId, name, now }, cancellationToken: cancellationToken));
        var protector = Protector(ownerKind, name);
        return sealedValues.Select(protector.Unprotect).ToList();
    }

    /// <summary>The current value, or null when there is none.</summary>
    public async Task<string?> CurrentAsync(string ownerKind, long ownerId, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var sealedValue = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT sealed FROM integration_secrets
            WHERE owner_kind = @ownerKind AND owner_id = @ownerId AND name = @name AND retires_at IS NULL
            """, new { ownerKind, ownerId, name }, cancellationToken: cancellationToken));
        return sealedValue is null ? null : Protector(ownerKind, name).Unprotect(sealedValue);
    }

    /// <summary>The owner's secrets still accepted now, as a person may see them (never the values).</summary>
    public async Task<IReadOnlyList<SecretInfo>> DescribeAsync(string ownerKind, long ownerId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SecretInfo>(new CommandDefinition("""
            SELECT name, hint, created_at AS CreatedAt, retires_at AS RetiresAt FROM integration_secrets
            WHERE owner_kind = @ownerKind AND owner_id = @ownerId AND (retires_at IS NULL OR retires_at > @now)
            ORDER BY name, (retires_at IS NULL) DESC, created_at DESC
            """, new { ownerKind, ownerId, now }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Stops every secret of the owner now (revocation).</summary>
    public async Task RetireAllAsync(string ownerKind, long ownerId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE integration_secrets SET retires_at = @now
            WHERE owner_kind = @ownerKind AND owner_id = @ownerId AND (retires_at IS NULL OR retires_at > @now)
            """, new { ownerKind, ownerId, now }, cancellationToken: cancellationToken));
    }
}
