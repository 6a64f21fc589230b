using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>The order side of bank-transfer matching: an order code found in a transfer's purpose pays the order.</summary>
public sealed partial class Orders
{
    /// <summary>
    /// "DH-7KQ3XM", "dh 7kq3xm", "DH7KQ3XM" → "DH-7KQ3XM"; null when it cannot be an order code.
    /// Banks and people drop the hyphen and change case.
    /// </summary>
    public static string? NormalizeCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var compact = new string(text.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        if (compact.StartsWith("DH", StringComparison.Ordinal)) compact = compact[2..];
        return compact.Length == 6 && compact.All(c => CodeAlphabet.Contains(c)) ? "DH-" + compact : null;
    }

    /// <summary>
    /// The order side of bank-transfer matching (the webhook matcher calls it with the code it found in
    /// the transfer's purpose). Exact amount only. Idempotent: the same transaction again, or any
    /// transaction for an order already paid, changes nothing and answers AlreadyPaid.
    /// </summary>
    public async Task<TransferPaymentOutcome> MarkPaidByTransferAsync(string orderCode, long amount, string providerTransactionId,
        DateTimeOffset bankTime, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await MarkPaidByTransferAsync(connection, tx, orderCode, amount, providerTransactionId, bankTime, cancellationToken);
        if (outcome.Outcome == TransferPaymentOutcome.Paid) await tx.CommitAsync(cancellationToken);
        return outcome.Outcome;
    }

    /// <summary>
    /// The same, inside the caller's transaction (the bank-notification intake stores the transfer and pays
    /// the order in one transaction, so a crash between the two cannot lose or double either). Also returns
    /// the order's id and total so the caller can flag a mismatch.
    /// </summary>
    public static async Task<(TransferPaymentOutcome Outcome, long? OrderId, long? OrderTotal)> MarkPaidByTransferAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string orderCode, long amount, string providerTransactionId, DateTimeOffset bankTime,
        CancellationToken cancellationToken = default)
    {
        var code = NormalizeCode(orderCode);
        if (code is null) return (TransferPaymentOutcome.Unknown, null, null);
        var o = await connection.QuerySingleOrDefaultAsync<PaymentRow>(new CommandDefinition("""
            SELECT id, total_vnd AS Total, payment_status AS PaymentStatus, payment_method AS Method
            FROM orders WHERE code = @code FOR UPDATE
            """, new { code }, tx, cancellationToken: cancellationToken));
        if (o is null || o.Method != PaymentMethods.Transfer) return (TransferPaymentOutcome.Unknown, null, null);
        if (o.PaymentStatus == "paid") return (TransferPaymentOutcome.AlreadyPaid, o.Id, o.Total);
        if (await connection.ExecuteScalarAsync<bool>(
                new CommandDefinition("SELECT EXISTS (SELECT 1 FROM orders WHERE payment_provider_transaction_id = @providerTransactionId)",
                new { providerTransactionId }, tx, cancellationToken: cancellationToken)))
            return (TransferPaymentOutcome.AlreadyPaid, o.Id, o.Total); // this bank transaction already paid another order
        if (amount != o.Total) return (TransferPaymentOutcome.AmountMismatch, o.Id, o.Total);

        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE orders SET payment_status = 'paid', paid_amount_vnd = @amount, paid_at = @bankTime,
                              payment_provider_transaction_id = @providerTransactionId, updated_at = @bankTime
            WHERE id = @Id AND payment_status = 'unpaid'
            """, new { o.Id, amount, bankTime, providerTransactionId }, tx, cancellationToken: cancellationToken));
        if (changed == 0) return (TransferPaymentOutcome.AlreadyPaid, o.Id, o.Total);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_events (order_id, kind, actor_kind, detail, created_at)
            VALUES (@Id, 'paid', 'bank', @providerTransactionId, @bankTime)
            """, new { o.Id, providerTransactionId, bankTime }, tx, cancellationToken: cancellationToken));
        return (TransferPaymentOutcome.Paid, o.Id, o.Total);
    }

    private sealed record PaymentRow(long Id, long Total, string PaymentStatus, string Method);
}
