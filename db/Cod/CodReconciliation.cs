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

public sealed record ReconcileSummary(int Matched, int Mismatched, int Returned, int Unknown, int Lost, int Partial = 0, int AwaitingReturn = 0);

public sealed record MissingCodOrder(long OrderId, string Code, string SellerName, string? Carrier, string? TrackingCode, long TotalVnd,
    DateTimeOffset DeliveredAt);

/// <summary>
/// Matching statement lines to orders. EVERY query that reads the shop's <c>orders</c> table for
/// reconciliation is in this file: orders.id, code, seller_id, payment_method, payment_status, status,
/// total_vnd, carrier, tracking_code, updated_at, and order_events (kind 'delivered', created_at).
/// </summary>
public sealed class CodReconciliation(NpgsqlDataSource db)
{
    // What a line is matched to and what that means (shared by both statements below). A line finds its order by our
    // order code when the carrier gives one (lenient: case, spaces, a missing hyphen), otherwise by the carrier's tracking
    // code the seller entered on hand-over (the lowest order id when several orders carry it). Expected cash: a COD
    // order's total, less the goods value of what came back when part of it was returned (order_returned_items); nothing
    // for an order paid by transfer. A partial delivery nobody has recorded the returned items of cannot be checked yet
    // ('awaiting_return'). Where a carrier's webhook reported the COD amount, the statement must say the same.
    private const string MatchCtes = """
            WITH l AS (
                SELECT l.id, l.statement_id, l.status, l.cod_vnd, l.carrier, l.tracking_code,
                       CASE WHEN l.order_code IS NOT NULL
                            THEN 'DH-' || regexp_replace(upper(regexp_replace(l.order_code, '[^A-Za-z0-9]', '', 'g')), '^DH', '') END AS code
                FROM cod_statement_lines l
                WHERE l.statement_id = @statementId AND l.duplicate_of IS NULL AND l.decision IS NULL AND l.settled_run_id IS NULL
            ),
            returned AS (
                SELECT ri.order_id, sum(ri.quantity * i.unit_price_vnd)::bigint AS value
                FROM order_returned_items ri JOIN order_items i ON i.order_id = ri.order_id AND i.product_id = ri.product_id
                GROUP BY ri.order_id
            ),
            m AS (
                SELECT l.id, l.statement_id, o.id AS order_id, sh.cod_reported_vnd AS reported,
                       CASE WHEN o.id IS NULL THEN NULL WHEN o.payment_method = 'cod' THEN o.total_vnd - coalesce(r.value, 0) ELSE 0 END AS expected,
                       CASE WHEN o.id IS NULL THEN 'unknown_order'
                            WHEN l.status = 'lost' THEN 'lost'
                            WHEN l.status = 'returned' THEN 'returned'
                            WHEN l.status = 'partial' AND r.value IS NULL THEN 'awaiting_return'
                            WHEN sh.cod_reported_vnd IS NOT NULL AND sh.cod_reported_vnd <> l.cod_vnd THEN 'amount_mismatch'
                            WHEN l.cod_vnd <> CASE WHEN o.payment_method = 'cod' THEN o.total_vnd - coalesce(r.value, 0) ELSE 0 END THEN 'amount_mismatch'
                            WHEN l.status = 'partial' THEN 'partial'
                            ELSE 'matched' END AS outcome
                FROM l
                -- Two look-ups, not one OR: by our order code first, else by the tracking code (the lowest order id among
                -- the orders carrying it). Each brings the order's columns itself (no third look-up by id). Joins, not a
                -- LATERAL per line, so that a large statement can be matched with hash joins (see ReconcileAsync).
                LEFT JOIN (SELECT c.id, c.code, c.payment_method, c.total_vnd FROM orders c WHERE c.code IN (SELECT code FROM l WHERE code IS NOT NULL)) c
                       ON c.code = l.code
                LEFT JOIN (
                    SELECT DISTINCT ON (upper(btrim(t.tracking_code))) upper(btrim(t.tracking_code)) AS tracking_code,
                           t.id, t.payment_method, t.total_vnd
                    FROM orders t WHERE upper(btrim(t.tracking_code)) IN (SELECT tracking_code FROM l)
                    ORDER BY upper(btrim(t.tracking_code)), t.id
                ) t ON c.id IS NULL AND t.tracking_code = l.tracking_code
                CROSS JOIN LATERAL (
                    SELECT coalesce(c.id, t.id) AS id,
                           CASE WHEN c.id IS NULL THEN t.payment_method ELSE c.payment_method END AS payment_method,
                           CASE WHEN c.id IS NULL THEN t.total_vnd ELSE c.total_vnd END AS total_vnd
                ) o
                LEFT JOIN returned r ON r.order_id = o.id
                LEFT JOIN shipments sh ON sh.carrier = l.carrier AND sh.tracking_code = l.tracking_code
            )
            """;

    /// <summary>From this many lines a statement is matched with hash joins (<c>enable_nestloop</c> off for the transaction).</summary>
    public const int LargeStatementLines = 5_000;

    /// <summary>
    /// A statement's first reconciliation (parameters @statementId, @now; public for the benchmark's EXPLAIN): one
    /// INSERT … SELECT of one narrow <c>cod_line_matches</c> row per line — the carrier's line itself is not rewritten.
    /// </summary>
    public const string FirstMatchSql = MatchCtes + "\n" + """
            INSERT INTO cod_line_matches (statement_id, line_id, order_id, expected_cod_vnd, reported_cod_vnd, outcome, ready_at)
            SELECT m.statement_id, m.id, m.order_id, m.expected, m.reported, m.outcome,
                   CASE WHEN m.outcome IN ('matched', 'partial', 'returned') THEN @now END
            FROM m
            """;

    /// <summary>
    /// A later reconciliation: a row whose result changed is updated (a line that became payable keeps the time it first
    /// did); nothing else is written. ON CONFLICT on the key rather than a join to the existing rows: no plan to get wrong
    /// when the table's statistics do not know the statement yet (a join planned as a loop over a sequential scan never
    /// finished on 100,000 lines).
    /// </summary>
    private const string RematchSql = MatchCtes + "\n" + """
            INSERT INTO cod_line_matches AS x (statement_id, line_id, order_id, expected_cod_vnd, reported_cod_vnd, outcome, ready_at)
            SELECT m.statement_id, m.id, m.order_id, m.expected, m.reported, m.outcome,
                   CASE WHEN m.outcome IN ('matched', 'partial', 'returned') THEN @now END
            FROM m
            ON CONFLICT (statement_id, line_id) DO UPDATE
            SET order_id = EXCLUDED.order_id, expected_cod_vnd = EXCLUDED.expected_cod_vnd, outcome = EXCLUDED.outcome,
                reported_cod_vnd = EXCLUDED.reported_cod_vnd,
                ready_at = CASE WHEN EXCLUDED.ready_at IS NOT NULL THEN coalesce(x.ready_at, EXCLUDED.ready_at) END
            WHERE (x.order_id, x.expected_cod_vnd, x.outcome, x.reported_cod_vnd, x.ready_at IS NOT NULL)
                  IS DISTINCT FROM (EXCLUDED.order_id, EXCLUDED.expected_cod_vnd, EXCLUDED.outcome, EXCLUDED.reported_cod_vnd, EXCLUDED.ready_at IS NOT NULL)
            """;

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
        var lineCount = await connection.QuerySingleOrDefaultAsync<int?>(
            new CommandDefinition("SELECT line_count FROM cod_statements WHERE id = @statementId FOR UPDATE", new { statementId }, tx,
            cancellationToken: cancellationToken));
        if (lineCount is null) return null;

        // What a line means: MatchCtes. JIT-compiling its plan costs more than it saves (seconds, measured). A statement
        // just imported is not in the table's statistics yet, so the planner takes it for a few lines and looks each one up
        // in the orders' indexes; past LargeStatementLines lines, hash joins over the orders (as a plain join does) are
        // what is quick — measured on 100,000 lines: docs/quality/benchmarks.md, Settlement.
        await connection.ExecuteAsync(new CommandDefinition(
            lineCount >= LargeStatementLines ? "SET LOCAL jit = off; SET LOCAL enable_nestloop = off" : "SET LOCAL jit = off",
            transaction: tx, cancellationToken: cancellationToken));
        // Matched before (a re-run, or lines decided or settled since): only changes are written. Otherwise one INSERT.
        var matchedBefore = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM cod_line_matches WHERE statement_id = @statementId)", new { statementId }, tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(matchedBefore ? RematchSql : FirstMatchSql, new { statementId, now }, tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("SET LOCAL enable_nestloop = on", transaction: tx, cancellationToken: cancellationToken));
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
        // Session-level fees (the carrier kept them from the transfer) and refunds (it paid them back): the platform's, not
        // one seller's — posted once each, against the bank account the remittance reached.
        var adjustments = (await connection.QueryAsync<(long Id, string Kind, string Carrier, long Amount, string Description)>(new CommandDefinition("""
            SELECT a.id, a.kind, s.carrier, a.amount_vnd, a.description
            FROM cod_statement_adjustments a JOIN cod_statements s ON s.id = a.statement_id
            WHERE a.statement_id = @statementId ORDER BY a.id
            """, new { statementId }, tx, cancellationToken: cancellationToken))).AsList();
        foreach (var a in adjustments)
        {
            var sign = a.Kind == "fee" ? 1 : -1;
            await Ledger.PostAsync(connection, tx, $"carrier-adjustment:statement:{statementId}:{a.Id}",
                $"{(a.Kind == "fee" ? "Phí phiên" : "Tiền hoàn phiên")} {a.Carrier} (bảng kê #{statementId}): {a.Description}",
                [new(Ledger.CarrierAdjustments(a.Carrier), sign * a.Amount, a.Description),
                 new(Ledger.PlatformBank, -sign * a.Amount, a.Kind == "fee" ? "Đơn vị vận chuyển giữ lại" : "Đơn vị vận chuyển hoàn lại")],
                now, cancellationToken);
        }
        var summary = await connection.QuerySingleAsync<ReconcileSummary>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE outcome = 'matched')::int AS Matched,
                   count(*) FILTER (WHERE outcome = 'amount_mismatch')::int AS Mismatched,
                   count(*) FILTER (WHERE outcome = 'returned')::int AS Returned,
                   count(*) FILTER (WHERE outcome = 'unknown_order')::int AS Unknown,
                   count(*) FILTER (WHERE outcome = 'lost')::int AS Lost,
                   count(*) FILTER (WHERE outcome = 'partial')::int AS Partial,
                   count(*) FILTER (WHERE outcome = 'awaiting_return')::int AS AwaitingReturn
            FROM cod_line_matches WHERE statement_id = @statementId
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
              AND NOT EXISTS (SELECT 1 FROM cod_line_matches m WHERE m.order_id = o.id)
              AND NOT EXISTS (SELECT 1 FROM cod_statement_lines l
                              WHERE l.duplicate_of IS NULL AND l.tracking_code = upper(btrim(o.tracking_code)))
            ORDER BY d.delivered_at, o.id
            LIMIT @limit
            """, new { cutoff = now.AddDays(-afterDays), limit }, cancellationToken: cancellationToken))).AsList();
    }
}
