using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>A shop order's payOS payment link: pending until the job created it at payOS, then its QR text and checkout page.</summary>
public sealed record PayOsLink(long OrderId, long ConnectionId, long OrderCode, long AmountVnd, string Description, string ReturnUrl,
    string CancelUrl, string Status, string? PaymentLinkId, string? CheckoutUrl, string? QrCode, string? Bin, string? AccountNumber,
    string? AccountName, int Attempts, string? LastError);

/// <summary>payOS payment links of transfer orders (table <c>payos_payment_links</c>).</summary>
public sealed class PayOsLinks(NpgsqlDataSource db)
{
    private const string Select = """
        SELECT order_id AS OrderId, connection_id AS ConnectionId, order_code AS OrderCode, amount_vnd AS AmountVnd, description,
               return_url AS ReturnUrl, cancel_url AS CancelUrl, status, payment_link_id AS PaymentLinkId, checkout_url AS CheckoutUrl,
               qr_code AS QrCode, bin, account_number AS AccountNumber, account_name AS AccountName, attempts, last_error AS LastError
        FROM payos_payment_links
        """;

    /// <summary>Records that the order wants a link (once: a second call, a retried checkout, changes nothing).</summary>
    public async Task EnsureAsync(long orderId, long connectionId, long orderCode, long amountVnd, string description, string returnUrl,
        string cancelUrl, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO payos_payment_links (order_id, connection_id, order_code, amount_vnd, description, return_url, cancel_url,
                                             created_at, updated_at)
            VALUES (@orderId, @connectionId, @orderCode, @amountVnd, @description, @returnUrl, @cancelUrl, @now, @now)
            ON CONFLICT (order_id) DO NOTHING
            """, new { orderId, connectionId, orderCode, amountVnd, description, returnUrl, cancelUrl, now }, cancellationToken: cancellationToken));
    }

    public async Task<PayOsLink?> FindAsync(long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PayOsLink>(
            new CommandDefinition(Select + " WHERE order_id = @orderId", new { orderId }, cancellationToken: cancellationToken));
    }

    /// <summary>The link payOS created (guarded: only a pending or failed link becomes created).</summary>
    public async Task MarkCreatedAsync(long orderId, string paymentLinkId, string checkoutUrl, string? qrCode, string? bin, string? accountNumber,
        string? accountName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE payos_payment_links
            SET status = 'created', payment_link_id = @paymentLinkId, checkout_url = @checkoutUrl, qr_code = @qrCode, bin = @bin,
                account_number = @accountNumber, account_name = @accountName, attempts = attempts + 1, last_error = NULL, updated_at = @now
            WHERE order_id = @orderId AND status <> 'created'
            """, new { orderId, paymentLinkId, checkoutUrl, qrCode, bin, accountNumber, accountName, now }, cancellationToken: cancellationToken));
    }

    /// <summary>An attempt failed; after <paramref name="maxAttempts"/> (or at once when <paramref name="final"/>) the link is given up.</summary>
    public async Task MarkAttemptFailedAsync(long orderId, string error, bool final, int maxAttempts, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE payos_payment_links
            SET attempts = attempts + 1, last_error = left(@error, 500), updated_at = @now,
                status = CASE WHEN @final OR attempts + 1 >= @maxAttempts THEN 'failed' ELSE 'pending' END
            WHERE order_id = @orderId AND status <> 'created'
            """, new { orderId, error, final, maxAttempts, now }, cancellationToken: cancellationToken));
    }
}
