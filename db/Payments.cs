using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record PaymentRequest(long Id, long StallId, string Reference, long AmountVnd, string Payload, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? PaidAt)
{
    /// <summary>Pending, but past its expiry time: no longer matched as paid.</summary>
    public bool IsExpired(DateTimeOffset now) => Status == "pending" && now >= ExpiresAt;

    /// <summary>"C40 7KQ3XM": how the reference is written in the transfer's purpose.</summary>
    public string Purpose => PaymentReferences.Purpose(Reference);
}

/// <summary>
/// A transfer as a bank-notification provider reported it, before matching. <paramref name="AccountNumber"/> is the
/// account the bank credited; <paramref name="VirtualAccount"/> the virtual account on it the provider names, if any
/// (SePay <c>subAccount</c>, Casso <c>virtualAccountNumber</c>, payOS <c>virtualAccountNumber</c>), else "".
/// <paramref name="DedupKey"/>: a second key for the same transaction reported under another id (SePay API v2);
/// <paramref name="ProviderOrderCode"/>: payOS's orderCode (the payment link paid).
/// </summary>
public sealed record IncomingTransfer(string ProviderTransactionId, string AccountNumber, long AmountVnd, string Content,
    string? BankReference, DateTimeOffset TransactionTime, string VirtualAccount = "", string? DedupKey = null,
    string? ProviderOrderCode = null)
{
    /// <summary>Why this transfer cannot be money (amount ≤ 0, no account), or null. Stored as invalid, counted nowhere.</summary>
    public string? Invalidity => AmountVnd <= 0 ? $"amount {AmountVnd} is not a positive number of đồng"
        : AccountNumber.Trim().Length == 0 && VirtualAccount.Trim().Length == 0 ? "no receiving account" : null;
}

/// <summary>A provider transaction stored once (the row matchers work on).</summary>
public sealed record ProviderTransaction(long Id, string Provider, string ProviderTxnId, string AccountNumber, long AmountVnd,
    string Content, string? BankReference, DateTimeOffset TransactionTime, DateTimeOffset ReceivedAt, string VirtualAccount = "",
    string? ProviderOrderCode = null);

/// <summary>Where a delivery came from: the service's webhook, or the safety net's pull of its transactions API.</summary>
public enum DeliverySource { Webhook, Sync }

/// <summary>Whose account a transfer was credited to (<c>provider_transactions.credited_to</c>).</summary>
public enum CreditedTo
{
    /// <summary>No account the platform knows (or none reported): nobody's money to book.</summary>
    Unknown,
    /// <summary>The platform's collection account: pays shop orders.</summary>
    Platform,
    /// <summary>One stall's linked account or virtual account: that stall's takings.</summary>
    Stall,
    /// <summary>The accounts reported belong to more than one owner: a person decides.</summary>
    Ambiguous,
}

/// <summary>A payment counted in a stall's takings, as the stall screen shows it.</summary>
public sealed record StallPayment(long Id, long StallId, string Method, long AmountVnd, DateTimeOffset OccurredAt,
    string CheckResult, long? ExpectedAmountVnd, long? PaymentRequestId, string? Content, DateTimeOffset RecordedAt = default,
    DateTimeOffset? VoidedAt = null)
{
    public bool Voided => VoidedAt is not null;

    /// <summary>
    /// A cash sale may be voided by its stall while it is still the Vietnam day it was sold or typed in (a phone that was
    /// offline sends it later): a mistake is caught the same day, and a day's takings are not rewritten afterwards.
    /// </summary>
    public bool CanVoid(DateTimeOffset now) => Method == "cash" && !Voided
        && (Domain.VietnamTime.DayOf(now) == Domain.VietnamTime.DayOf(OccurredAt) || Domain.VietnamTime.DayOf(now) == Domain.VietnamTime.DayOf(RecordedAt));
}

/// <summary>A cash sale as logged: new, or the one already stored under the same idempotency key.</summary>
public sealed record CashLogResult(StallPayment Payment, bool Duplicate);

public enum VoidResult { Voided, NotFound, NotAllowed, AlreadyVoided }

public sealed record DayTotals(long Qr, long Cash, int Count)
{
    public long Total => Qr + Cash;
}

public sealed record InboxItem(long Id, string Reason, string Provider, string AccountNumber, long AmountVnd, string Content,
    DateTimeOffset TransactionTime, long? StallId, string? StallLabel, long? ExpectedAmountVnd, DateTimeOffset? ResolvedAt,
    string VirtualAccount = "");

/// <summary>Short unique references for dynamic QR codes, in an alphabet nobody misreads (no 0/O, 1/I/L).</summary>
public static class PaymentReferences
{
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    public const string Prefix = "C40";

    public static string New()
    {
        Span<char> chars = stackalloc char[6];
        for (var i = 0; i < chars.Length; i++) chars[i] = Alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(chars);
    }

    public static string Purpose(string reference) => $"{Prefix} {reference}";
}

/// <summary>
/// Stall payments: requests for an exact amount, the provider transactions bank notifications report
/// (stored once per provider and transaction id), the payments applied to stalls, and the inbox of
/// transfers a person must look at. The three are separate records on purpose.
/// </summary>
public sealed class Payments(NpgsqlDataSource db)
{
    private const string RequestSelect = """
        SELECT id, stall_id AS StallId, reference, amount_vnd AS AmountVnd, payload, status, created_at AS CreatedAt,
               expires_at AS ExpiresAt, paid_at AS PaidAt
        FROM payment_requests
        """;

    private const string PaymentSelect = """
        SELECT p.id, p.stall_id AS StallId, p.method, p.amount_vnd AS AmountVnd, p.occurred_at AS OccurredAt, p.check_result AS CheckResult,
               p.expected_amount_vnd AS ExpectedAmountVnd, p.payment_request_id AS PaymentRequestId, t.content,
               p.recorded_at AS RecordedAt, p.voided_at AS VoidedAt
        FROM stall_payments p LEFT JOIN provider_transactions t ON t.id = p.provider_transaction_id
        """;

    /// <summary>
    /// Stores a new request with a fresh reference (a clash with an earlier one draws again).
    /// <paramref name="payloadFor"/> builds the QR payload for a reference.
    /// </summary>
    public async Task<PaymentRequest> CreateRequestAsync(long stallId, long amount, Func<string, string> payloadFor,
        DateTimeOffset now, TimeSpan lifetime, long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var reference = PaymentReferences.New();
            var created = await connection.QuerySingleOrDefaultAsync<PaymentRequest>(new CommandDefinition("""
                INSERT INTO payment_requests (stall_id, reference, amount_vnd, payload, created_by, created_at, expires_at)
                VALUES (@stallId, @reference, @amount, @payload, @userId, @now, @expiresAt)
                ON CONFLICT (reference) DO NOTHING
                RETURNING id, stall_id AS StallId, reference, amount_vnd AS AmountVnd, payload, status, created_at AS CreatedAt,
                          expires_at AS ExpiresAt, paid_at AS PaidAt
                """, new { stallId, reference, amount, payload = payloadFor(reference), userId, now, expiresAt = now + lifetime },
                cancellationToken: cancellationToken));
            if (created is not null) return created;
            if (attempt >= 10) throw new InvalidOperationException("could not draw a free payment reference");
        }
    }

    public async Task<PaymentRequest?> FindRequestAsync(long requestId, long stallId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PaymentRequest>(
            new CommandDefinition(RequestSelect + " WHERE id = @requestId AND stall_id = @stallId",
            new { requestId, stallId }, cancellationToken: cancellationToken));
    }

    /// <summary>What was received against a request (0 when nothing yet).</summary>
    public async Task<long> ReceivedForRequestAsync(long requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            new CommandDefinition("SELECT COALESCE(sum(amount_vnd), 0) FROM stall_payments WHERE payment_request_id = @requestId", new { requestId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Logs a cash sale once per <paramref name="idempotencyKey"/> (the key the phone drew when it was typed): sent again —
    /// a retry, a phone back online, a double tap — it finds the stored one. <paramref name="soldAt"/> is when it was typed
    /// (earlier than <paramref name="now"/> when it waited on an offline phone); it counts on that day.
    /// </summary>
    public async Task<CashLogResult> LogCashAsync(long stallId, long amount, DateTimeOffset now, long userId, NotifyStall notify,
        Guid? idempotencyKey = null, DateTimeOffset? soldAt = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO stall_payments (stall_id, method, amount_vnd, occurred_at, recorded_at, recorded_by, idempotency_key)
            VALUES (@stallId, 'cash', @amount, @soldAt, @now, @userId, @idempotencyKey)
            ON CONFLICT (stall_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """, new { stallId, amount, soldAt = soldAt ?? now, now, userId, idempotencyKey }, tx, cancellationToken: cancellationToken));
        if (id is null)
        {
            // Sent before: the racing or earlier insert has committed (the unique index waited for it).
            await tx.RollbackAsync(cancellationToken);
            var existing = await connection.QuerySingleAsync<long>(new CommandDefinition(
                "SELECT id FROM stall_payments WHERE stall_id = @stallId AND idempotency_key = @idempotencyKey",
                new { stallId, idempotencyKey }, cancellationToken: cancellationToken));
            return new CashLogResult((await FindPaymentAsync(existing, stallId, cancellationToken))!, true);
        }
        await notify(connection, tx, stallId, $"p{id}", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new CashLogResult((await FindPaymentAsync(id.Value, stallId, cancellationToken))!, false);
    }

    /// <summary>
    /// Voids a cash sale of the stall (see <see cref="StallPayment.CanVoid"/>), keeping who and when. Guarded, so two taps
    /// void it once.
    /// </summary>
    public async Task<VoidResult> VoidCashAsync(long stallId, long paymentId, long userId, DateTimeOffset now, NotifyStall notify,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var payment = await connection.QuerySingleOrDefaultAsync<StallPayment>(new CommandDefinition(
            PaymentSelect + " WHERE p.id = @paymentId AND p.stall_id = @stallId FOR UPDATE OF p",
            new { paymentId, stallId }, tx, cancellationToken: cancellationToken));
        if (payment is null) return VoidResult.NotFound;
        if (payment.Voided) return VoidResult.AlreadyVoided;
        if (!payment.CanVoid(now)) return VoidResult.NotAllowed;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE stall_payments SET voided_at = @now, voided_by = @userId WHERE id = @paymentId AND voided_at IS NULL",
            new { paymentId, userId, now }, tx, cancellationToken: cancellationToken));
        await notify(connection, tx, stallId, $"p{paymentId}", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return VoidResult.Voided;
    }

    public async Task<StallPayment?> FindPaymentAsync(long paymentId, long stallId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StallPayment>(
            new CommandDefinition(PaymentSelect + " WHERE p.id = @paymentId AND p.stall_id = @stallId",
            new { paymentId, stallId }, cancellationToken: cancellationToken));
    }

    /// <summary>A stall's payments of one Vietnam day (by the bank's transaction time), newest first.</summary>
    public async Task<IReadOnlyList<StallPayment>> OfDayAsync(long stallId, DateOnly day, CancellationToken cancellationToken = default)
    {
        var (start, end) = Domain.VietnamTime.DayBounds(day);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StallPayment>(new CommandDefinition(PaymentSelect + """
             WHERE p.stall_id = @stallId AND p.occurred_at >= @start AND p.occurred_at < @end
             ORDER BY p.occurred_at DESC, p.id DESC
            """, new { stallId, start, end }, cancellationToken: cancellationToken))).AsList();
    }

    public static DayTotals Totals(IEnumerable<StallPayment> payments)
    {
        long qr = 0, cash = 0;
        var count = 0;
        foreach (var p in payments)
        {
            if (p.Voided) continue;
            if (p.Method == "qr") qr += p.AmountVnd; else cash += p.AmountVnd;
            count++;
        }
        return new DayTotals(qr, cash, count);
    }

    // ---- Bank-notification intake --------------------------------------------------------------

    /// <summary>Keeps the body exactly as delivered (or as pulled), before anything is done with it.</summary>
    public async Task<long> StoreNotificationAsync(string provider, string rawBody, DateTimeOffset now, long? connectionId = null,
        DeliverySource source = DeliverySource.Webhook, string status = "received", CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO bank_notifications (provider, raw_body, received_at, connection_id, source, status)
            VALUES (@provider, @rawBody, @now, @connectionId, @source, @status) RETURNING id
            """, new { provider, rawBody, now, connectionId, source = source.ToString().ToLowerInvariant(), status },
            cancellationToken: cancellationToken));
    }

    public async Task MarkNotificationAsync(long notificationId, string status, string? error,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition("UPDATE bank_notifications SET status = @status, error = @error WHERE id = @notificationId",
            new { notificationId, status, error }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Whether this transfer is already stored: under its provider id, or (when it has one) its <see cref="IncomingTransfer.DedupKey"/>.
    /// A check before the fact (a stale retry, a pulled transaction); <see cref="RecordTransferAsync"/> decides for good.
    /// </summary>
    public async Task<bool> TransferStoredAsync(string provider, IncomingTransfer transfer, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM provider_transactions WHERE provider = @provider AND provider_txn_id = @ProviderTransactionId)
                OR (@DedupKey IS NOT NULL AND EXISTS (SELECT 1 FROM provider_transactions WHERE provider = @provider AND dedup_key = @DedupKey))
            """, new { provider, transfer.ProviderTransactionId, transfer.DedupKey }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Stores a transfer once per (provider, provider transaction id) — and once per <see cref="IncomingTransfer.DedupKey"/>
    /// when it has one — and, only when it is new, lets <paramref name="apply"/> match it: all in one transaction, so
    /// concurrent duplicate deliveries wait on the unique key (or the advisory lock on the dedup key) and then find it
    /// taken. Returns false for a duplicate.
    /// </summary>
    public async Task<bool> RecordTransferAsync(string provider, long notificationId, IncomingTransfer transfer, DateTimeOffset now,
        Func<NpgsqlConnection, NpgsqlTransaction, ProviderTransaction, CancellationToken, Task> apply, long? connectionId = null,
        DeliverySource source = DeliverySource.Webhook, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (transfer.DedupKey is { } dedupKey)
        {
            // The same transaction may come in under two ids at once (webhook and pull): one of them waits here.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(hashtextextended(@provider || '|' || @dedupKey, 14))",
                new { provider, dedupKey }, tx, cancellationToken: cancellationToken));
            var taken = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM provider_transactions WHERE provider = @provider AND dedup_key = @dedupKey)",
                new { provider, dedupKey }, tx, cancellationToken: cancellationToken));
            if (taken) return false;
        }
        var stored = await connection.QuerySingleOrDefaultAsync<ProviderTransaction>(new CommandDefinition("""
            INSERT INTO provider_transactions (provider, provider_txn_id, notification_id, account_number, virtual_account, amount_vnd,
                                               content, bank_reference, transaction_time, received_at, connection_id, source,
                                               provider_order_code, dedup_key)
            VALUES (@provider, @ProviderTransactionId, @notificationId, @AccountNumber, @VirtualAccount, @AmountVnd, @Content,
                    @BankReference, @TransactionTime, @now, @connectionId, @source, @ProviderOrderCode, @DedupKey)
            ON CONFLICT (provider, provider_txn_id) DO NOTHING
            RETURNING id, provider, provider_txn_id AS ProviderTxnId, account_number AS AccountNumber, amount_vnd AS AmountVnd, content,
                      bank_reference AS BankReference, transaction_time AS TransactionTime, received_at AS ReceivedAt,
                      virtual_account AS VirtualAccount, provider_order_code AS ProviderOrderCode
            """, new { provider, transfer.ProviderTransactionId, notificationId, transfer.AccountNumber, transfer.VirtualAccount,
                transfer.AmountVnd, transfer.Content, transfer.BankReference, transfer.TransactionTime, now, connectionId,
                source = source.ToString().ToLowerInvariant(), transfer.ProviderOrderCode, transfer.DedupKey }, tx,
            cancellationToken: cancellationToken));
        if (stored is null) return false;
        await apply(connection, tx, stored, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Whether any of these accounts received a payOS payment link the platform created (the collection account's).</summary>
    public static Task<bool> IsPayOsLinkAccountAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyCollection<string> accounts,
        CancellationToken cancellationToken = default) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM payos_payment_links WHERE account_number = ANY(@accounts))",
            new { accounts = accounts.ToArray() }, tx, cancellationToken: cancellationToken));

    /// <summary>
    /// The requests OF ONE STALL whose reference is one of <paramref name="references"/>, locked for the matching
    /// transaction. Only the stall whose account was credited is ever asked: another stall's reference is not found.
    /// </summary>
    public static async Task<IReadOnlyList<PaymentRequest>> LockRequestsAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        long stallId, IReadOnlyCollection<string> references, CancellationToken cancellationToken = default) =>
        (await connection.QueryAsync<PaymentRequest>(new CommandDefinition(
            RequestSelect + " WHERE stall_id = @stallId AND reference = ANY(@references) FOR UPDATE",
            new { stallId, references = references.ToArray() }, tx, cancellationToken: cancellationToken))).AsList();

    /// <summary>
    /// Stalls owning any of these account identifiers, as linked account number or as virtual account; only among
    /// <paramref name="amongStalls"/> when given (the accounts a delivery may book to), else among all stalls.
    /// </summary>
    public static async Task<IReadOnlyList<long>> StallsOwningAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        IReadOnlyCollection<string> accounts, IReadOnlyCollection<long>? amongStalls, CancellationToken cancellationToken = default) =>
        (await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT stall_id FROM stall_bank_accounts
            WHERE (account_number = ANY(@accounts) OR virtual_account = ANY(@accounts))
              AND (@anyStall OR stall_id = ANY(@amongStalls))
            ORDER BY stall_id
            """, new { accounts = accounts.ToArray(), anyStall = amongStalls is null, amongStalls = (amongStalls ?? []).ToArray() }, tx,
            cancellationToken: cancellationToken))).AsList();

    /// <summary>Records whose account the transfer was credited to; stall payments for it can then name only that stall.</summary>
    public static Task RecordCreditAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long providerTransactionId, CreditedTo creditedTo,
        long? stallId, CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE provider_transactions SET credited_to = @creditedTo, credited_stall_id = @stallId WHERE id = @providerTransactionId
            """, new { providerTransactionId, creditedTo = creditedTo.ToString().ToLowerInvariant(), stallId }, tx,
            cancellationToken: cancellationToken));

    public static Task<long> InsertTransferPaymentAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long stallId,
        ProviderTransaction transfer, DateTimeOffset now, long? requestId = null, string checkResult = "ok", long? expectedAmount = null,
        CancellationToken cancellationToken = default) =>
        connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO stall_payments (stall_id, method, amount_vnd, occurred_at, recorded_at, provider_transaction_id,
                                        payment_request_id, check_result, expected_amount_vnd)
            VALUES (@stallId, 'qr', @AmountVnd, @TransactionTime, @now, @Id, @requestId, @checkResult, @expectedAmount)
            RETURNING id
            """, new { stallId, transfer.AmountVnd, transfer.TransactionTime, now, transfer.Id, requestId, checkResult, expectedAmount }, tx,
            cancellationToken: cancellationToken));

    /// <summary>Moves a request on, only from 'pending' or 'underpaid' (a guarded update).</summary>
    public static Task<int> SetRequestStatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long requestId, string status,
        DateTimeOffset? paidAt, CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE payment_requests SET status = @status, paid_at = COALESCE(@paidAt, paid_at)
            WHERE id = @requestId AND status IN ('pending', 'underpaid')
            """, new { requestId, status, paidAt }, tx, cancellationToken: cancellationToken));

    public static Task AddToInboxAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long providerTransactionId, string reason,
        DateTimeOffset now, long? stallId = null, long? requestId = null, long? expectedAmount = null,
        CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO payment_inbox (provider_transaction_id, reason, stall_id, payment_request_id, expected_amount_vnd, created_at)
            VALUES (@providerTransactionId, @reason, @stallId, @requestId, @expectedAmount, @now)
            ON CONFLICT DO NOTHING
            """, new { providerTransactionId, reason, stallId, requestId, expectedAmount, now }, tx, cancellationToken: cancellationToken));

    // ---- Inbox ---------------------------------------------------------------------------------

    /// <summary>
    /// Open inbox items a user may see: every one for an admin; those of their markets' stalls (and the
    /// unmatched ones, which belong to no market yet) for a market manager.
    /// </summary>
    public async Task<IReadOnlyList<InboxItem>> InboxAsync(long userId, bool isAdmin, bool includeResolved = false,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<InboxItem>(new CommandDefinition("""
            SELECT i.id, i.reason, t.provider, t.account_number AS AccountNumber, t.amount_vnd AS AmountVnd, t.content,
                   t.transaction_time AS TransactionTime, i.stall_id AS StallId,
                   CASE WHEN s.id IS NULL THEN NULL ELSE m.name || ' · ' || s.stall_number || ' ' || s.name END AS StallLabel,
                   i.expected_amount_vnd AS ExpectedAmountVnd, i.resolved_at AS ResolvedAt, t.virtual_account AS VirtualAccount
            FROM payment_inbox i
            JOIN provider_transactions t ON t.id = i.provider_transaction_id
            LEFT JOIN stalls s ON s.id = i.stall_id
            LEFT JOIN markets m ON m.id = s.market_id
            WHERE (@includeResolved OR i.resolved_at IS NULL)
              AND (@isAdmin OR s.id IS NULL
                   OR EXISTS (SELECT 1 FROM market_managers mm WHERE mm.market_id = s.market_id AND mm.user_id = @userId))
            ORDER BY i.created_at DESC, i.id DESC
            LIMIT 500
            """, new { userId, isAdmin, includeResolved }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<bool> ResolveInboxItemAsync(long itemId, long userId, bool isAdmin, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE payment_inbox i SET resolved_at = @now, resolved_by = @userId
            WHERE i.id = @itemId AND i.resolved_at IS NULL
              AND (@isAdmin OR i.stall_id IS NULL OR EXISTS (
                    SELECT 1 FROM stalls s JOIN market_managers mm ON mm.market_id = s.market_id
                    WHERE s.id = i.stall_id AND mm.user_id = @userId))
            """, new { itemId, userId, isAdmin, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>A stall's open short payments and expired-request transfers: shown loudly on its screen.</summary>
    public async Task<IReadOnlyList<InboxItem>> OpenAlertsOfStallAsync(long stallId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<InboxItem>(new CommandDefinition("""
            SELECT i.id, i.reason, t.provider, t.account_number AS AccountNumber, t.amount_vnd AS AmountVnd, t.content,
                   t.transaction_time AS TransactionTime, i.stall_id AS StallId, NULL AS StallLabel,
                   i.expected_amount_vnd AS ExpectedAmountVnd, i.resolved_at AS ResolvedAt, t.virtual_account AS VirtualAccount
            FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE i.stall_id = @stallId AND i.resolved_at IS NULL
            ORDER BY i.created_at DESC LIMIT 20
            """, new { stallId }, cancellationToken: cancellationToken))).AsList();
    }
}

/// <summary>Tells a stall's open screens that something changed (published inside the caller's transaction).</summary>
public delegate Task NotifyStall(NpgsqlConnection connection, NpgsqlTransaction tx, long stallId, string what,
    CancellationToken cancellationToken);
