using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// A stall's (or, with <see cref="StallId"/> null, the platform collection account's) link to the bank-notification
/// service that watches its account. <see cref="Token"/> is the last segment of its webhook address.
/// </summary>
public sealed record BankConnection(long Id, string Token, string Provider, long? StallId, string AuthMode, string SyncApi, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastDeliveryAt, DateTimeOffset? LastTestAt,
    string? SyncCursor, DateTimeOffset? LastSyncedAt, string? LastSyncError, int SyncFailures)
{
    public bool IsActive => Status == "active";

    public bool IsPlatform => StallId is null;

    /// <summary>The webhook path (append it to the site's public address).</summary>
    public string WebhookPath => $"/api/bank-notifications/{Provider}/{Token}";

    /// <summary>SePay's OAuth 2.0 mode: where SePay asks for an access token.</summary>
    public string TokenPath => $"{WebhookPath}/oauth/token";

    /// <summary>The OAuth client id SePay sends (public: it names the connection, the client secret proves it).</summary>
    public string ClientId => "cho40-" + Token;
}

/// <summary>Bank connections: creation with a fresh token, revocation, delivery and safety-net state, OAuth access tokens.</summary>
public sealed class BankConnections(NpgsqlDataSource db)
{
    public const string SecretOwnerKind = "bank_connection";

    private const string Select = """
        SELECT id, token, provider, stall_id AS StallId, auth_mode AS AuthMode, sync_api AS SyncApi, status, created_at AS CreatedAt,
               revoked_at AS RevokedAt, last_delivery_at AS LastDeliveryAt, last_test_at AS LastTestAt, sync_cursor AS SyncCursor,
               last_synced_at AS LastSyncedAt, last_sync_error AS LastSyncError, sync_failures AS SyncFailures
        FROM bank_connections
        """;

    /// <summary>128 random bits, base64url (22 characters): the webhook address cannot be guessed.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// A new active connection for the stall (or the platform when <paramref name="stallId"/> is null). Null when the owner
    /// already has an active one (revoke it first: one working connection per account).
    /// </summary>
    public async Task<BankConnection?> CreateAsync(string provider, long? stallId, string authMode, long? userId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO bank_connections (token, provider, stall_id, auth_mode, created_at, created_by)
            VALUES (@token, @provider, @stallId, @authMode, @now, @userId)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, new { token = NewToken(), provider, stallId, authMode, now, userId }, cancellationToken: cancellationToken));
        return id is null ? null : await FindAsync(id.Value, cancellationToken);
    }

    public async Task<BankConnection?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<BankConnection>(
            new CommandDefinition(Select + " WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The connection a webhook address names (active or not: the caller decides what a revoked one gets).</summary>
    public async Task<BankConnection?> FindByTokenAsync(string provider, string token, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<BankConnection>(new CommandDefinition(
            Select + " WHERE token = @token AND provider = @provider", new { token, provider }, cancellationToken: cancellationToken));
    }

    /// <summary>The owner's active connection: a stall's, or the platform's when <paramref name="stallId"/> is null.</summary>
    public async Task<BankConnection?> ActiveAsync(long? stallId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<BankConnection>(new CommandDefinition(
            Select + " WHERE status = 'active' AND stall_id IS NOT DISTINCT FROM @stallId", new { stallId }, cancellationToken: cancellationToken));
    }

    /// <summary>Every connection the owner had, newest first (revoked ones too: the history a person reads).</summary>
    public async Task<IReadOnlyList<BankConnection>> HistoryAsync(long? stallId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<BankConnection>(new CommandDefinition(
            Select + " WHERE stall_id IS NOT DISTINCT FROM @stallId ORDER BY created_at DESC, id DESC LIMIT 20", new { stallId },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Stops a connection at once: its address answers 404 from now on (its secrets are retired by the caller).</summary>
    public async Task<bool> RevokeAsync(long id, long? userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var revoked = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE bank_connections SET status = 'revoked', revoked_at = @now, revoked_by = @userId
            WHERE id = @id AND status = 'active'
            """, new { id, userId, now }, cancellationToken: cancellationToken)) == 1;
        if (revoked)
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM bank_connection_access_tokens WHERE connection_id = @id", new { id },
                cancellationToken: cancellationToken));
        return revoked;
    }

    public async Task SetSyncApiAsync(long id, string syncApi, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE bank_connections SET sync_api = @syncApi, sync_failures = 0, last_sync_error = NULL WHERE id = @id
            """, new { id, syncApi }, cancellationToken: cancellationToken));
    }

    /// <summary>An authenticated delivery arrived (a test one too): "Kiểm tra kết nối" reads these times.</summary>
    public async Task MarkDeliveryAsync(long id, DateTimeOffset now, bool isTest, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE bank_connections
            SET last_delivery_at = GREATEST(last_delivery_at, @now),
                last_test_at = CASE WHEN @isTest THEN GREATEST(last_test_at, @now) ELSE last_test_at END
            WHERE id = @id
              -- One row per connection takes every delivery: a busy one (the collection account) is written at most once a
              -- second, not once per delivery ("Kiểm tra kết nối" counts in whole seconds).
              AND (@isTest OR last_delivery_at IS NULL OR last_delivery_at < @now - interval '1 second')
            """, new { id, now, isTest }, cancellationToken: cancellationToken));
    }

    // ---- OAuth access tokens (SePay) ------------------------------------------------------------

    public static byte[] HashToken(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    public async Task IssueAccessTokenAsync(long connectionId, string token, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM bank_connection_access_tokens WHERE connection_id = @connectionId AND expires_at < @now;
            INSERT INTO bank_connection_access_tokens (token_hash, connection_id, created_at, expires_at)
            VALUES (@hash, @connectionId, @now, @expiresAt)
            """, new { connectionId, hash = HashToken(token), now, expiresAt }, cancellationToken: cancellationToken));
    }

    public async Task<bool> AccessTokenValidAsync(long connectionId, string token, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM bank_connection_access_tokens
                           WHERE token_hash = @hash AND connection_id = @connectionId AND expires_at > @now)
            """, new { connectionId, hash = HashToken(token), now }, cancellationToken: cancellationToken));
    }

    // ---- Safety net (transactions API) ------------------------------------------------------------

    /// <summary>Active connections with a transactions API to read, least recently synced first.</summary>
    public async Task<IReadOnlyList<long>> SyncableAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT id FROM bank_connections WHERE status = 'active' AND sync_api <> 'none'
            ORDER BY last_synced_at NULLS FIRST, id
            """, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Takes the connection's sync lease (false: another run has it, or the connection is gone or revoked).</summary>
    public async Task<bool> TakeSyncLeaseAsync(long id, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE bank_connections SET sync_lease_until = @until
            WHERE id = @id AND status = 'active' AND (sync_lease_until IS NULL OR sync_lease_until < @now)
            """, new { id, now, until = now + lease }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task SyncSucceededAsync(long id, string? cursor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE bank_connections
            SET sync_cursor = COALESCE(@cursor, sync_cursor), last_synced_at = @now, last_sync_error = NULL, sync_failures = 0,
                sync_lease_until = NULL
            WHERE id = @id
            """, new { id, cursor, now }, cancellationToken: cancellationToken));
    }

    /// <summary>Records a failed sync (the cursor stays: the next run reads from where the last good one stopped).</summary>
    public async Task SyncFailedAsync(long id, string error, string? cursor, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE bank_connections
            SET sync_failures = sync_failures + 1, last_sync_error = left(@error, 500), sync_cursor = COALESCE(@cursor, sync_cursor),
                sync_lease_until = NULL
            WHERE id = @id
            """, new { id, error, cursor }, cancellationToken: cancellationToken));
    }

    /// <summary>A stall's linked account and virtual account (null when it has none).</summary>
    public async Task<WatchedAccount?> StallAccountAsync(long stallId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WatchedAccount>(new CommandDefinition("""
            SELECT account_number AS AccountNumber, virtual_account AS VirtualAccount FROM stall_bank_accounts WHERE stall_id = @stallId
            """, new { stallId }, cancellationToken: cancellationToken));
    }

    /// <summary>The latest deliveries of a connection (what "Kiểm tra kết nối" lists).</summary>
    public async Task<IReadOnlyList<ConnectionDelivery>> RecentDeliveriesAsync(long connectionId, int limit = 10,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ConnectionDelivery>(new CommandDefinition("""
            SELECT id, source, status, error, received_at AS ReceivedAt FROM bank_notifications
            WHERE connection_id = @connectionId ORDER BY received_at DESC, id DESC LIMIT @limit
            """, new { connectionId, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Stalls whose active connection last synced, and how it went (the stall list shows it).</summary>
    public async Task<IReadOnlyDictionary<long, BankConnection>> ActiveOfStallsAsync(IReadOnlyCollection<long> stallIds,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<BankConnection>(new CommandDefinition(
            Select + " WHERE status = 'active' AND stall_id = ANY(@stallIds)", new { stallIds = stallIds.ToArray() },
            cancellationToken: cancellationToken))).ToDictionary(c => c.StallId!.Value);
    }
}

public sealed record ConnectionDelivery(long Id, string Source, string Status, string? Error, DateTimeOffset ReceivedAt);

/// <summary>The accounts a connection watches: its stall's linked account and virtual account, or the collection account.</summary>
public sealed record WatchedAccount(string AccountNumber, string? VirtualAccount);
