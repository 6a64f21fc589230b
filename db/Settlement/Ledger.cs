using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>One entry of a transaction: debit positive, credit negative, whole VND.</summary>
public sealed record LedgerLine(string AccountCode, long AmountVnd, string Memo = "");

public enum PostResult { Posted, AlreadyPosted }

public sealed record LedgerBalance(long AccountId, string Code, string Kind, string Name, long? SellerId, string? Carrier, long BalanceVnd);

public sealed record LedgerEntryRow(string IdempotencyKey, string AccountCode, long AmountVnd, string Memo);

/// <summary>
/// The double-entry ledger. Accounts are named by code and created on first use. <see cref="PostAsync(NpgsqlConnection, NpgsqlTransaction, string, string, IReadOnlyList{LedgerLine}, DateTimeOffset, CancellationToken)"/>
/// is the one way to write: a transaction and its entries together, idempotent on its key. The database checks at
/// commit that every transaction sums to zero (a deferred constraint trigger) and refuses edits.
/// </summary>
public sealed class Ledger(NpgsqlDataSource db)
{
    public const string PlatformBank = "platform:bank";
    public const string Commission = "platform:commission";
    /// <summary>Payouts decided by a settlement run that the bank has not been confirmed to have sent yet.</summary>
    public const string PayoutsPending = "platform:payouts-pending";
    public static string CarrierReceivable(string carrier) => $"carrier:{carrier}:receivable";
    public static string SellerPayable(long sellerId) => $"seller:{sellerId}:payable";
    /// <summary>A carrier's session-level fees (debit) and refunds (credit), not tied to one shipment: the platform's.</summary>
    public static string CarrierAdjustments(string carrier) => $"platform:expense:carrier:{carrier}";

    /// <summary>Posts in its own database transaction.</summary>
    public async Task<PostResult> PostAsync(string idempotencyKey, string description, IReadOnlyList<LedgerLine> lines, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var result = await PostAsync(connection, tx, idempotencyKey, description, lines, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Posts inside the caller's transaction (so that a settlement and the rows it marks commit together).
    /// The key already posted answers <see cref="PostResult.AlreadyPosted"/> and writes nothing; a concurrent
    /// poster of the same key waits for the first to commit (the unique index), then gets AlreadyPosted.
    /// </summary>
    public static async Task<PostResult> PostAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string idempotencyKey,
        string description, IReadOnlyList<LedgerLine> lines, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entries = lines.Where(l => l.AmountVnd != 0).ToList();
        if (entries.Sum(l => l.AmountVnd) != 0)
            throw new ArgumentException($"ledger transaction {idempotencyKey} does not sum to zero", nameof(lines));
        if (entries.Count < 2)
            throw new ArgumentException($"ledger transaction {idempotencyKey} needs at least two non-zero entries", nameof(lines));

        var transactionId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO ledger_transactions (idempotency_key, description, posted_at)
            VALUES (@idempotencyKey, @description, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """, new { idempotencyKey, description, now }, tx, cancellationToken: cancellationToken));
        if (transactionId is null) return PostResult.AlreadyPosted;

        var codes = entries.Select(e => e.AccountCode).Distinct().ToArray();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ledger_accounts (code, kind, name, seller_id, carrier)
            SELECT c.code,
                   CASE WHEN c.code = 'platform:bank' OR c.code LIKE 'carrier:%' THEN 'asset'
                        WHEN c.code LIKE 'seller:%' OR c.code = 'platform:payouts-pending' THEN 'liability'
                        WHEN c.code LIKE 'platform:expense:%' THEN 'expense'
                        ELSE 'revenue' END,
                   CASE WHEN c.code = 'platform:bank' THEN 'Tài khoản ngân hàng của sàn'
                        WHEN c.code = 'platform:commission' THEN 'Doanh thu hoa hồng'
                        WHEN c.code = 'platform:payouts-pending' THEN 'Chi trả chờ chuyển khoản'
                        WHEN c.code LIKE 'carrier:%' THEN 'Phải thu COD từ ' || split_part(c.code, ':', 2)
                        WHEN c.code LIKE 'platform:expense:carrier:%' THEN 'Phí và tiền hoàn phiên của ' || split_part(c.code, ':', 4)
                        WHEN c.code LIKE 'seller:%' THEN 'Phải trả người bán ' || coalesce(s.name, split_part(c.code, ':', 2))
                        ELSE c.code END,
                   s.id,
                   CASE WHEN c.code LIKE 'carrier:%' THEN split_part(c.code, ':', 2) END
            FROM unnest(@codes) AS c (code)
            LEFT JOIN sellers s ON c.code LIKE 'seller:%' AND s.id::text = split_part(c.code, ':', 2)
            ORDER BY c.code
            ON CONFLICT (code) DO NOTHING
            """, new { codes }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ledger_entries (transaction_id, account_id, amount_vnd, memo)
            SELECT @transactionId, a.id, e.amount, e.memo
            FROM unnest(@accountCodes, @amounts, @memos) WITH ORDINALITY AS e (code, amount, memo, n)
            JOIN ledger_accounts a ON a.code = e.code
            ORDER BY e.n
            """, new
        {
            transactionId,
            accountCodes = entries.Select(e => e.AccountCode).ToArray(),
            amounts = entries.Select(e => e.AmountVnd).ToArray(),
            memos = entries.Select(e => e.Memo).ToArray(),
        }, tx, cancellationToken: cancellationToken));
        return PostResult.Posted;
    }

    public async Task<IReadOnlyList<LedgerBalance>> BalancesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LedgerBalance>(new CommandDefinition("""
            SELECT account_id AS AccountId, code, kind, name, seller_id AS SellerId, carrier, balance_vnd AS BalanceVnd
            FROM ledger_balances ORDER BY code
            """, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<long> BalanceAsync(string accountCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(
            new CommandDefinition("SELECT balance_vnd FROM ledger_balances WHERE code = @accountCode", new { accountCode },
            cancellationToken: cancellationToken)) ?? 0;
    }

    /// <summary>Every entry, in a stable order: what tests compare to say "the same ledger".</summary>
    public async Task<IReadOnlyList<LedgerEntryRow>> EntriesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LedgerEntryRow>(new CommandDefinition("""
            SELECT t.idempotency_key AS IdempotencyKey, a.code AS AccountCode, e.amount_vnd AS AmountVnd, e.memo
            FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id JOIN ledger_accounts a ON a.id = e.account_id
            ORDER BY t.idempotency_key, a.code, e.amount_vnd, e.memo
            """, cancellationToken: cancellationToken))).AsList();
    }
}
