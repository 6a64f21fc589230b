using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>Settlement settings (section <c>Cho40:Settlement</c>), shared by the web and the job processes.</summary>
public sealed class SettlementOptions
{
    /// <summary>Platform commission on the goods value (order subtotal) of each delivered order, in percent (e.g. 5 or 2.5).</summary>
    public decimal CommissionPercent { get; set; } = 5m;

    /// <summary>A delivered COD order missing from every statement this many days after delivery is flagged.</summary>
    public int MissingAfterDays { get; set; } = 7;
}

public sealed record ReconcileSummary(int Matched, int Mismatched, int Returned, int Unknown, int Lost);

public sealed record MissingCodOrder(long OrderId, string Code, string SellerName, string? Carrier, string? TrackingCode, long TotalVnd,
    DateTimeOffset DeliveredAt);

/// <summary>
/// Matching statement lines to orders. EVERY query that reads the shop's <c>orders</c> table for
/// reconciliation is in this file: orders.id, code, seller_id, payment_method, payment_status, status,
/// total_vnd, carrier, tracking_code, updated_at, and order_events (kind 'delivered', created_at).
/// </summary>
public sealed class CodReconciliation(NpgsqlDataSource db)
{
    /// <summary>
    /// Reconciles one statement, set-based and idempotent: lines already decided by an admin or already settled are
    /// left as they are; every other line is (re)matched. A line finds its order by our order code when the carrier
    /// gives one (lenient: case, spaces, a missing hyphen), otherwise by the carrier's tracking code the seller entered
    /// when handing the order over. Expected cash: the order's total for a COD order, nothing for any other.
    /// </summary>
    public async Task<ReconcileSummary?> ReconcileAsync(long statementId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Two runs of the same statement queue up behind each other here.
        var exists = await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition("SELECT id FROM cod_statements WHERE id = @statementId FOR UPDATE", new { statementId }, tx,
            cancellationToken: cancellationToken));
        if (exists is null) return null;

        await connection.ExecuteAsync(new CommandDefinition("""
            WITH m AS (
                SELECT l.id, o.id AS order_id,
                       CASE WHEN o.id IS NULL THEN NULL WHEN o.payment_method = 'cod' THEN o.total_vnd ELSE 0 END AS expected,
                       CASE WHEN o.id IS NULL THEN 'unknown_order'
                            WHEN l.status = 'lost' THEN 'lost'
                            WHEN l.status = 'returned' THEN 'returned'
                            WHEN l.cod_vnd = CASE WHEN o.payment_method = 'cod' THEN o.total_vnd ELSE 0 END THEN 'matched'
                            ELSE 'amount_mismatch' END AS outcome
                FROM cod_statement_lines l
                LEFT JOIN LATERAL (
                    SELECT o.id, o.payment_method, o.total_vnd
                    FROM orders o
                    WHERE o.code = 'DH-' || regexp_replace(upper(regexp_replace(coalesce(l.order_code, ''), '[^A-Za-z0-9]', '', 'g')), '^DH', '')
                       OR upper(btrim(o.tracking_code)) = l.tracking_code
                    ORDER BY (o.code = 'DH-' || regexp_replace(upper(regexp_replace(coalesce(l.order_code, ''), '[^A-Za-z0-9]', '', 'g')), '^DH', '')) DESC, o.id
                    LIMIT 1
                ) o ON true
                WHERE l.statement_id = @statementId AND l.duplicate_of IS NULL AND l.decision IS NULL AND l.settled_run_id IS NULL
            )
            UPDATE cod_statement_lines l
            SET order_id = m.order_id, expected_cod_vnd = m.expected, outcome = m.outcome,
                ready_at = CASE WHEN m.outcome IN ('matched', 'returned') THEN coalesce(l.ready_at, @now) END
            FROM m WHERE l.id = m.id
            """, new { statementId, now }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(
            new CommandDefinition("UPDATE cod_statements SET reconciled_at = @now WHERE id = @statementId", new { statementId, now }, tx,
            cancellationToken: cancellationToken));

        // The statement is the carrier's remittance advice: the cash it transfers is what it collected minus its fees.
        // Posted once per statement (key 'remittance:statement:{id}'); what settlement later credits to sellers is taken
        // from the carrier's receivable, so lines nobody was paid for (unknown, disputed) remain visible there.
        var remittance = await connection.QuerySingleAsync<(string Carrier, long Net)>(new CommandDefinition("""
            SELECT s.carrier, coalesce(sum(l.cod_vnd - l.shipping_fee_vnd - l.cod_fee_vnd - l.return_fee_vnd), 0)::bigint
            FROM cod_statements s LEFT JOIN cod_statement_lines l ON l.statement_id = s.id AND l.duplicate_of IS NULL
            WHERE s.id = @statementId GROUP BY s.carrier
            """, new { statementId }, tx, cancellationToken: cancellationToken));
        if (remittance.Net != 0)
            await Ledger.PostAsync(connection, tx, $"remittance:statement:{statementId}", $"Tiền COD {remittance.Carrier} chuyển về (bảng kê #{statementId})",
                [new(Ledger.PlatformBank, remittance.Net, "Tiền COD nhận từ đơn vị vận chuyển"),
                 new(Ledger.CarrierReceivable(remittance.Carrier), -remittance.Net, "Đơn vị vận chuyển đã chuyển")], now, cancellationToken);
        var summary = await connection.QuerySingleAsync<ReconcileSummary>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE outcome = 'matched')::int AS Matched,
                   count(*) FILTER (WHERE outcome = 'amount_mismatch')::int AS Mismatched,
                   count(*) FILTER (WHERE outcome = 'returned')::int AS Returned,
                   count(*) FILTER (WHERE outcome = 'unknown_order')::int AS Unknown,
                   count(*) FILTER (WHERE outcome = 'lost')::int AS Lost
            FROM cod_statement_lines WHERE statement_id = @statementId AND duplicate_of IS NULL
            """, new { statementId }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return summary;
    }

    /// <summary>
    /// Delivered COD orders handed to a carrier that no statement line has matched, <paramref name="afterDays"/> days or more
    /// after delivery (the time of the 'delivered' event; the order's last update when there is none).
    /// </summary>
    public async Task<IReadOnlyList<MissingCodOrder>> MissingAsync(DateTimeOffset now, int afterDays, int limit = 200,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MissingCodOrder>(new CommandDefinition("""
            SELECT o.id AS OrderId, o.code, s.name AS SellerName, o.carrier, o.tracking_code AS TrackingCode, o.total_vnd AS TotalVnd,
                   d.delivered_at AS DeliveredAt
            FROM orders o
            JOIN sellers s ON s.id = o.seller_id
            CROSS JOIN LATERAL (
                SELECT coalesce((SELECT max(e.created_at) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'delivered'),
                                o.updated_at) AS delivered_at) d
            WHERE o.payment_method = 'cod' AND o.status = 'delivered' AND o.tracking_code IS NOT NULL
              AND d.delivered_at <= @cutoff
              AND NOT EXISTS (SELECT 1 FROM cod_statement_lines l WHERE l.order_id = o.id)
              AND NOT EXISTS (SELECT 1 FROM cod_statement_lines l
                              WHERE l.duplicate_of IS NULL AND l.tracking_code = upper(btrim(o.tracking_code)))
            ORDER BY d.delivered_at, o.id
            LIMIT @limit
            """, new { cutoff = now.AddDays(-afterDays), limit }, cancellationToken: cancellationToken))).AsList();
    }
}
