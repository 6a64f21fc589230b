using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record MarketOption(long Id, string Name);

public sealed record ManagedMarket(long Id, string Slug, string Name);

/// <summary>
/// The account a stall's sign pays into; <paramref name="VirtualAccount"/> is the virtual account a bank-notification
/// service may report for it instead (SePay sub-account, payOS VA), if the stall uses one. Transfers credited to either
/// are this stall's money — and only they can pay its charge requests.
/// </summary>
public sealed record StallBankAccount(string BankBin, string AccountNumber, string Service, string AccountHolder, string? VirtualAccount = null);

/// <summary>A stall as its keeper sees it (owner and the helper who set it up), with the account its sign pays.</summary>
public sealed record StallDetail(long Id, long MarketId, string MarketName, string StallNumber, string Name, string Goods,
    long? OwnerUserId, string? OwnerName, string? OwnerPhone, long? CreatedByUserId,
    string? BankBin, string? AccountNumber, string? Service, string? AccountHolder, string MarketSlug, string? VirtualAccount = null)
{
    public StallBankAccount? BankAccount =>
        BankBin is null ? null : new StallBankAccount(BankBin, AccountNumber!, Service!, AccountHolder!, VirtualAccount);
}

public sealed record NewStall(long MarketId, string StallNumber, string Name, string Goods, StallBankAccount BankAccount);

public sealed record StallOwner(long UserId, bool Created);

public sealed record ActivationCode(long UserId, string CodeHash);

public enum StallSaveResult { Saved, StallNumberTaken, NotFound, VirtualAccountTaken }

/// <summary>How far a stall a helper set up has come: the four steps to taking money by QR.</summary>
public sealed record StallProgress(long StallId, bool AccountActivated, bool BankLinked, DateTimeOffset? SignPrintedAt,
    DateTimeOffset? FirstPaymentAt)
{
    public int StepsDone => (AccountActivated ? 1 : 0) + (BankLinked ? 1 : 0) + (SignPrintedAt is null ? 0 : 1) + (FirstPaymentAt is null ? 0 : 1);
}

/// <summary>
/// Market stalls and the bank account each one's sign pays into. Who may see a stall is decided here,
/// in SQL: its owner, and the community digital helper who set it up. Anyone else gets nothing (→ 404).
/// </summary>
public sealed class Stalls(NpgsqlDataSource db)
{
    private const string DetailSelect = """
        SELECT s.id, s.market_id AS MarketId, m.name AS MarketName, s.stall_number AS StallNumber, s.name, s.goods,
               s.owner_user_id AS OwnerUserId, o.display_name AS OwnerName, o.phone AS OwnerPhone,
               s.created_by_user_id AS CreatedByUserId,
               b.bank_bin AS BankBin, b.account_number AS AccountNumber, b.service, b.account_holder AS AccountHolder,
               m.slug AS MarketSlug, b.virtual_account AS VirtualAccount
        FROM stalls s
        JOIN markets m ON m.id = s.market_id
        LEFT JOIN users o ON o.id = s.owner_user_id
        LEFT JOIN stall_bank_accounts b ON b.stall_id = s.id
        """;

    public async Task<IReadOnlyList<MarketOption>> MarketsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MarketOption>(new CommandDefinition("SELECT id, name FROM markets ORDER BY name",
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The stalls a user keeps: those they own and those they set up for someone else.</summary>
    public async Task<IReadOnlyList<StallDetail>> KeptByAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StallDetail>(new CommandDefinition(DetailSelect + """
             WHERE s.owner_user_id = @userId OR s.created_by_user_id = @userId
             ORDER BY m.name, s.stall_number
            """, new { userId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The stall when <paramref name="userId"/> keeps it; null otherwise (the caller answers 404).</summary>
    public async Task<StallDetail?> FindKeptAsync(long stallId, long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StallDetail>(new CommandDefinition(DetailSelect + """
             WHERE s.id = @stallId AND (s.owner_user_id = @userId OR s.created_by_user_id = @userId)
            """, new { stallId, userId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The progress of the stalls <paramref name="helperUserId"/> set up for someone else: the owner has signed in with
    /// their own password (activation code spent), the sign's bank account is linked, the sign was printed, and the first
    /// QR payment arrived.
    /// </summary>
    public async Task<IReadOnlyList<StallProgress>> ProgressOfHelpedAsync(long helperUserId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StallProgress>(new CommandDefinition("""
            SELECT s.id AS StallId,
                   (o.last_signed_in_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM account_activation_codes a WHERE a.user_id = o.id)) AS AccountActivated,
                   EXISTS (SELECT 1 FROM stall_bank_accounts b WHERE b.stall_id = s.id) AS BankLinked,
                   (SELECT min(printed_at) FROM stall_sign_prints sp WHERE sp.stall_id = s.id) AS SignPrintedAt,
                   (SELECT min(occurred_at) FROM stall_payments p WHERE p.stall_id = s.id AND p.method = 'qr') AS FirstPaymentAt
            FROM stalls s JOIN users o ON o.id = s.owner_user_id
            WHERE s.created_by_user_id = @helperUserId AND s.owner_user_id <> @helperUserId
            ORDER BY s.id
            """, new { helperUserId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Remembers that these stalls' signs were printed (PDF or print-size PNG downloaded).</summary>
    public async Task RecordSignPrintsAsync(IReadOnlyCollection<long> stallIds, long userId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO stall_sign_prints (stall_id, printed_at, printed_by) SELECT unnest(@ids), @now, @userId",
            new { ids = stallIds.ToArray(), now, userId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> KeepsAsync(long stallId, long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM stalls WHERE id = @stallId AND (owner_user_id = @userId OR created_by_user_id = @userId))
            """, new { stallId, userId }, cancellationToken: cancellationToken));
    }

    /// <summary>Markets whose signs a user may print: the ones they manage, or all of them for an admin.</summary>
    public async Task<IReadOnlyList<MarketOption>> ManagedMarketsAsync(long userId, bool isAdmin,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MarketOption>(new CommandDefinition("""
            SELECT m.id, m.name FROM markets m
            WHERE @isAdmin OR EXISTS (SELECT 1 FROM market_managers mm WHERE mm.market_id = m.id AND mm.user_id = @userId)
            ORDER BY m.name
            """, new { userId, isAdmin }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The market when <paramref name="userId"/> manages it (or is an admin); null otherwise (the caller answers 404).</summary>
    public async Task<ManagedMarket?> FindManagedMarketAsync(long marketId, long userId, bool isAdmin,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ManagedMarket>(new CommandDefinition("""
            SELECT m.id, m.slug, m.name FROM markets m
            WHERE m.id = @marketId
              AND (@isAdmin OR EXISTS (SELECT 1 FROM market_managers mm WHERE mm.market_id = m.id AND mm.user_id = @userId))
            """, new { marketId, userId, isAdmin }, cancellationToken: cancellationToken));
    }

    /// <summary>Every stall of a market, with its bank account when it has one, in stall-number order.</summary>
    public async Task<IReadOnlyList<StallDetail>> InMarketAsync(long marketId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StallDetail>(new CommandDefinition(DetailSelect + """
             WHERE s.market_id = @marketId
             ORDER BY s.stall_number
            """, new { marketId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Every stall of a market that has a bank account (so a sign), in stall-number order.</summary>
    public async Task<IReadOnlyList<StallDetail>> WithBankAccountInMarketAsync(long marketId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StallDetail>(new CommandDefinition(DetailSelect + """
             WHERE s.market_id = @marketId AND b.stall_id IS NOT NULL
             ORDER BY s.stall_number
            """, new { marketId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Creates a stall with its bank account, in one transaction. The owner is the creator, or — when a
    /// helper sets it up — the account with <paramref name="ownerPhone"/> (created when new, without a usable
    /// password: see <see cref="ActivationCodes"/>).
    /// </summary>
    public async Task<(StallSaveResult Result, long StallId, StallOwner? Owner)> CreateAsync(NewStall stall, long creatorUserId,
        string? ownerPhone, string? ownerName, string unusablePasswordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        StallOwner owner;
        if (ownerPhone is null)
        {
            owner = new StallOwner(creatorUserId, false);
        }
        else
        {
            var existing = await connection.QuerySingleOrDefaultAsync<long?>(
                new CommandDefinition("SELECT id FROM users WHERE phone = @ownerPhone",
                new { ownerPhone }, tx, cancellationToken: cancellationToken));
            owner = existing is { } id
                ? new StallOwner(id, false)
                : new StallOwner(await connection.QuerySingleAsync<long>(new CommandDefinition("""
                    INSERT INTO users (phone, display_name, password_hash) VALUES (@ownerPhone, @ownerName, @unusablePasswordHash)
                    RETURNING id
                    """, new { ownerPhone, ownerName, unusablePasswordHash }, tx, cancellationToken: cancellationToken)), true);
        }
        var stallId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id, created_by_user_id)
            VALUES (@MarketId, @StallNumber, @Name, @Goods, @ownerId, @creatorUserId)
            ON CONFLICT (market_id, stall_number) DO NOTHING
            RETURNING id
            """, new { stall.MarketId, stall.StallNumber, stall.Name, stall.Goods, ownerId = owner.UserId, creatorUserId }, tx,
            cancellationToken: cancellationToken));
        if (stallId is null) return (StallSaveResult.StallNumberTaken, 0, null); // rolled back: no half-made owner either
        await connection.ExecuteAsync(
            new CommandDefinition("INSERT INTO user_roles (user_id, role) VALUES (@UserId, 'stallholder') ON CONFLICT DO NOTHING",
            new { owner.UserId }, tx, cancellationToken: cancellationToken));
        if (!await UpsertBankAccountAsync(connection, tx, stallId.Value, stall.BankAccount, creatorUserId, cancellationToken))
            return (StallSaveResult.VirtualAccountTaken, 0, null);
        await tx.CommitAsync(cancellationToken);
        return (StallSaveResult.Saved, stallId.Value, owner);
    }

    /// <summary>Changes name, goods and bank account of a stall the user keeps.</summary>
    public async Task<StallSaveResult> UpdateAsync(long stallId, long userId, string name, string goods, StallBankAccount account,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE stalls SET name = @name, goods = @goods
            WHERE id = @stallId AND (owner_user_id = @userId OR created_by_user_id = @userId)
            """, new { stallId, userId, name, goods }, tx, cancellationToken: cancellationToken));
        if (changed == 0) return StallSaveResult.NotFound;
        if (!await UpsertBankAccountAsync(connection, tx, stallId, account, userId, cancellationToken)) return StallSaveResult.VirtualAccountTaken;
        await tx.CommitAsync(cancellationToken);
        return StallSaveResult.Saved;
    }

    /// <summary>False (and the transaction is dead: the caller returns without committing) when another stall has the virtual account.</summary>
    private static async Task<bool> UpsertBankAccountAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long stallId,
        StallBankAccount account, long userId, CancellationToken cancellationToken)
    {
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, service, account_holder, virtual_account, updated_by)
                VALUES (@stallId, @BankBin, @AccountNumber, @Service, @AccountHolder, @VirtualAccount, @userId)
                ON CONFLICT (stall_id) DO UPDATE
                SET bank_bin = excluded.bank_bin, account_number = excluded.account_number, service = excluded.service,
                    account_holder = excluded.account_holder, virtual_account = excluded.virtual_account,
                    updated_by = excluded.updated_by, updated_at = now()
                """, new { stallId, account.BankBin, account.AccountNumber, account.Service, account.AccountHolder, account.VirtualAccount, userId },
                tx, cancellationToken: cancellationToken));
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation
                                          && e.ConstraintName == "stall_bank_accounts_virtual_account_key")
        {
            return false;
        }
    }
}

/// <summary>
/// One-time codes with which a stall owner whose account a helper created sets their own password.
/// Only a hash is kept; a new code replaces the old one.
/// </summary>
public sealed class ActivationCodes(NpgsqlDataSource db)
{
    public async Task IssueAsync(long userId, string codeHash, long issuedBy, DateTimeOffset expiresAt,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO account_activation_codes (user_id, code_hash, created_by, expires_at)
            VALUES (@userId, @codeHash, @issuedBy, @expiresAt)
            ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, created_by = excluded.created_by,
                                                expires_at = excluded.expires_at, attempts = 0
            """, new { userId, codeHash, issuedBy, expiresAt }, cancellationToken: cancellationToken));
    }

    /// <summary>Wrong guesses one code survives; past them the code is dead and a helper issues a new one.</summary>
    public const int MaxAttemptsPerCode = 5;

    /// <summary>
    /// Takes one of the code's attempts BEFORE the code is checked (the row is locked, so parallel guesses queue and
    /// each takes its own attempt): the code to check, or null when there is no live code for the phone or its attempts
    /// are used up.
    /// </summary>
    public async Task<ActivationCode?> TakeAttemptAsync(string phone, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ActivationCode>(new CommandDefinition("""
            UPDATE account_activation_codes a SET attempts = a.attempts + 1
            FROM users u
            WHERE u.id = a.user_id AND u.phone = @phone AND a.expires_at > @now AND a.attempts < @max
            RETURNING a.user_id AS UserId, a.code_hash AS CodeHash
            """, new { phone, now, max = MaxAttemptsPerCode }, cancellationToken: cancellationToken));
    }

    /// <summary>Sets the password and spends the code, once (a second use finds no code).</summary>
    public async Task<bool> RedeemAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var spent = await connection.ExecuteAsync(
            new CommandDefinition("DELETE FROM account_activation_codes WHERE user_id = @userId", new { userId }, tx,
            cancellationToken: cancellationToken));
        if (spent == 0) return false;
        await connection.ExecuteAsync(
            // A new password ends every session issued before it (a new stamp).
            new CommandDefinition("UPDATE users SET password_hash = @passwordHash, security_stamp = gen_random_uuid() WHERE id = @userId",
            new { userId, passwordHash }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
