using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record ProvinceRefreshResult(DateOnly? FirstDay, DateOnly? LastDay, int Rows, long DurationMs);

/// <summary>
/// Rebuilds <c>province_stats</c>, the aggregates the province dashboard and the open data read: per ISO week (Monday–Sunday)
/// and calendar month of Vietnam days, per market, commune and province. Built from the stored daily reports (stall and
/// seller rows, and the late arrivals they list, counted on their own day), the stalls, sellers and products tables and
/// the trace scan counters — never read on a page request. The whole table is rebuilt in one transaction under an
/// advisory lock (readers see the previous build until it commits; two processes racing build it twice, one after the
/// other, with the same result). Definitions: docs/features/province.md.
/// </summary>
public sealed class ProvinceAggregates(NpgsqlDataSource db)
{
    private const long RefreshLock = 7463870;

    public async Task<ProvinceRefreshResult> RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@RefreshLock); SET LOCAL work_mem = '128MB'",
            new { RefreshLock }, tx, cancellationToken: cancellationToken));
        var (first, last) = await connection.QuerySingleAsync<(DateOnly? First, DateOnly? Last)>(new CommandDefinition(
            "SELECT min(report_day) AS First, max(report_day) AS Last FROM daily_report_days", transaction: tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM province_stats", transaction: tx, cancellationToken: cancellationToken));
        var rows = 0;
        if (first is { } f && last is { } l)
        {
            var (firstStart, _) = Domain.VietnamTime.DayBounds(f);
            var (_, lastEnd) = Domain.VietnamTime.DayBounds(l);
            var p = new { first = f, last = l, firstStart, lastEnd };
            await connection.ExecuteAsync(new CommandDefinition(BuildSql, p, tx, commandTimeout: 1800, cancellationToken: cancellationToken));
            rows = await connection.ExecuteAsync(new CommandDefinition(InsertSql, p, tx, commandTimeout: 1800, cancellationToken: cancellationToken));
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO province_refreshes (refreshed_at, first_day, last_day, row_count, duration_ms)
            VALUES (@now, @first, @last, @rows, @ms)
            """, new { now, first, last, rows, ms = (int)watch.ElapsedMilliseconds }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new ProvinceRefreshResult(first, last, rows, watch.ElapsedMilliseconds);
    }

    /// <summary>True when daily reports exist but the aggregates were never built (a new installation of this feature).</summary>
    public async Task<bool> NeverBuiltAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT NOT EXISTS (SELECT 1 FROM province_refreshes) AND EXISTS (SELECT 1 FROM daily_report_days)",
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The working tables of one build. "As of" a period = the start (Vietnam midnight) of the day after its last reported
    /// day: stock figures (stalls, signs, products online) count what existed before that instant.
    /// </summary>
    private const string BuildSql = """
        CREATE TEMP TABLE pv_periods ON COMMIT DROP AS
        SELECT g.kind, g.ps, g.pe, least(g.pe, @last::date + 1) AS de,
               (least(g.pe, @last::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS as_of,
               (SELECT count(*) FROM daily_report_days d WHERE d.report_day >= g.ps AND d.report_day < g.pe)::int AS days_reported
        FROM (SELECT k.kind, s::date AS ps, (s + k.step)::date AS pe
              FROM (VALUES ('week', interval '1 week'), ('month', interval '1 month')) k (kind, step)
              CROSS JOIN LATERAL generate_series(date_trunc(k.kind, @first::timestamp), date_trunc(k.kind, @last::timestamp), k.step) s) g;
        ANALYZE pv_periods;

        -- Stall takings per stall and period: the stored stall reports (by the day the money was taken) plus the late
        -- arrivals later reports listed, each on its own original day.
        CREATE TEMP TABLE pv_stall_flow ON COMMIT DROP AS
        SELECT CASE WHEN GROUPING(wk) = 0 THEN 'week' ELSE 'month' END AS kind, coalesce(wk, mo) AS ps, stall_id,
               sum(cash_n)::bigint AS cash_n, sum(cash_vnd)::bigint AS cash_vnd, sum(qr_n)::bigint AS qr_n, sum(qr_vnd)::bigint AS qr_vnd
        FROM (SELECT x.*, date_trunc('week', x.day)::date AS wk, date_trunc('month', x.day)::date AS mo
              FROM (SELECT r.scope_id AS stall_id, r.report_day AS day, r.cash_count AS cash_n, r.cash_vnd, r.qr_count AS qr_n, r.qr_vnd
                    FROM daily_reports r WHERE r.scope_kind = 'stall' AND r.total_count > 0
                    UNION ALL
                    SELECT li.scope_id, li.original_day, (li.method = 'cash')::int, CASE WHEN li.method = 'cash' THEN li.amount_vnd ELSE 0 END,
                           (li.method = 'qr')::int, CASE WHEN li.method = 'qr' THEN li.amount_vnd ELSE 0 END
                    FROM daily_report_late_items li WHERE li.scope_kind = 'stall') x) y
        GROUP BY GROUPING SETS ((stall_id, wk), (stall_id, mo));

        CREATE TEMP TABLE pv_market ON COMMIT DROP AS
        WITH stock AS (
            SELECT p.kind, p.ps, m.id AS market_id, count(s.id)::int AS stalls,
                   (count(b.stall_id) FILTER (WHERE b.linked_at < p.as_of))::int AS stalls_qr_sign
            FROM pv_periods p
            JOIN markets m ON m.created_at < p.as_of
            LEFT JOIN stalls s ON s.market_id = m.id AND s.created_at < p.as_of
            LEFT JOIN stall_bank_accounts b ON b.stall_id = s.id
            GROUP BY 1, 2, 3),
        flow AS (
            SELECT f.kind, f.ps, s.market_id,
                   (count(*) FILTER (WHERE f.cash_n + f.qr_n > 0))::int AS stalls_active, (count(*) FILTER (WHERE f.qr_n > 0))::int AS stalls_paid_qr,
                   (count(*) FILTER (WHERE f.cash_n > 0))::int AS stalls_paid_cash,
                   sum(f.qr_n)::bigint AS payments_qr, sum(f.cash_n)::bigint AS payments_cash,
                   sum(f.qr_vnd)::bigint AS takings_qr_vnd, sum(f.cash_vnd)::bigint AS takings_cash_vnd
            FROM pv_stall_flow f JOIN stalls s ON s.id = f.stall_id
            GROUP BY 1, 2, 3)
        SELECT coalesce(st.kind, fl.kind) AS kind, coalesce(st.ps, fl.ps) AS ps, m.id AS market_id, m.province_code, m.commune_code,
               coalesce(st.stalls, 0) AS stalls, coalesce(st.stalls_qr_sign, 0) AS stalls_qr_sign,
               coalesce(fl.stalls_active, 0) AS stalls_active, coalesce(fl.stalls_paid_qr, 0) AS stalls_paid_qr, coalesce(fl.stalls_paid_cash, 0) AS stalls_paid_cash,
               coalesce(fl.payments_qr, 0) AS payments_qr, coalesce(fl.payments_cash, 0) AS payments_cash,
               coalesce(fl.takings_qr_vnd, 0) AS takings_qr_vnd, coalesce(fl.takings_cash_vnd, 0) AS takings_cash_vnd
        FROM stock st
        FULL JOIN flow fl ON fl.kind = st.kind AND fl.ps = st.ps AND fl.market_id = st.market_id
        JOIN markets m ON m.id = coalesce(st.market_id, fl.market_id);

        -- Sellers: products online (published, by an approved seller) and with a trace batch as of the period's end;
        -- orders and COD from the stored seller reports; trace page views and pack scans of their products.
        CREATE TEMP TABLE pv_seller ON COMMIT DROP AS
        WITH first_batch AS (SELECT product_id, min(created_at) AS at FROM trace_batches GROUP BY product_id),
        stock AS (
            SELECT p.kind, p.ps, s.id AS seller_id, count(*)::int AS products_online,
                   (count(*) FILTER (WHERE fb.at < p.as_of))::int AS products_traceable
            FROM pv_periods p
            JOIN sellers s ON s.status = 'approved' AND s.created_at < p.as_of
            JOIN products pr ON pr.seller_id = s.id AND pr.status = 'published' AND pr.created_at < p.as_of
            LEFT JOIN first_batch fb ON fb.product_id = pr.id
            GROUP BY 1, 2, 3),
        orders AS (
            SELECT CASE WHEN GROUPING(wk) = 0 THEN 'week' ELSE 'month' END AS kind, coalesce(wk, mo) AS ps, seller_id,
                   sum(qr_count + cod_count)::int AS orders, sum(qr_vnd + cod_vnd)::bigint AS orders_vnd,
                   sum(cod_count)::int AS cod_orders, sum(cod_vnd)::bigint AS cod_vnd
            FROM (SELECT r.scope_id AS seller_id, r.qr_count, r.qr_vnd, r.cod_count, r.cod_vnd,
                         date_trunc('week', r.report_day)::date AS wk, date_trunc('month', r.report_day)::date AS mo
                  FROM daily_reports r WHERE r.scope_kind = 'seller' AND r.total_count > 0) x
            GROUP BY GROUPING SETS ((seller_id, wk), (seller_id, mo))),
        scans AS (
            SELECT CASE WHEN GROUPING(wk) = 0 THEN 'week' ELSE 'month' END AS kind, coalesce(wk, mo) AS ps, seller_id,
                   sum(n)::bigint AS trace_scans
            FROM (SELECT pr.seller_id, x.n, date_trunc('week', x.day)::date AS wk, date_trunc('month', x.day)::date AS mo
                  FROM (SELECT b.batch_id, b.day, b.scans AS n FROM trace_batch_scans b WHERE b.day BETWEEN @first AND @last
                        UNION ALL
                        SELECT u.batch_id, (us.scanned_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, count(*)
                        FROM trace_unit_scans us JOIN trace_units u ON u.id = us.unit_id
                        WHERE us.scanned_at >= @firstStart AND us.scanned_at < @lastEnd
                        GROUP BY 1, 2) x
                  JOIN trace_batches tb ON tb.id = x.batch_id JOIN products pr ON pr.id = tb.product_id) y
            GROUP BY GROUPING SETS ((seller_id, wk), (seller_id, mo))),
        keys AS (SELECT kind, ps, seller_id FROM stock UNION SELECT kind, ps, seller_id FROM orders
                 UNION SELECT kind, ps, seller_id FROM scans)
        SELECT k.kind, k.ps, k.seller_id, s.province_code, s.commune_code,
               coalesce(st.products_online, 0) AS products_online, coalesce(st.products_traceable, 0) AS products_traceable,
               coalesce(o.orders, 0) AS orders, coalesce(o.orders_vnd, 0) AS orders_vnd,
               coalesce(o.cod_orders, 0) AS cod_orders, coalesce(o.cod_vnd, 0) AS cod_vnd, coalesce(sc.trace_scans, 0) AS trace_scans
        FROM keys k
        JOIN sellers s ON s.id = k.seller_id
        JOIN pv_periods p ON p.kind = k.kind AND p.ps = k.ps
        LEFT JOIN stock st ON st.kind = k.kind AND st.ps = k.ps AND st.seller_id = k.seller_id
        LEFT JOIN orders o ON o.kind = k.kind AND o.ps = k.ps AND o.seller_id = k.seller_id
        LEFT JOIN scans sc ON sc.kind = k.kind AND sc.ps = k.ps AND sc.seller_id = k.seller_id;

        -- Communes: the markets located there and the sellers registered there (commune NULL: not recorded).
        CREATE TEMP TABLE pv_commune ON COMMIT DROP AS
        WITH m AS (
            SELECT kind, ps, province_code, commune_code, count(*)::int AS markets, sum(stalls)::int AS stalls,
                   sum(stalls_qr_sign)::int AS stalls_qr_sign, sum(stalls_active)::int AS stalls_active,
                   sum(stalls_paid_qr)::int AS stalls_paid_qr, sum(stalls_paid_cash)::int AS stalls_paid_cash,
                   sum(payments_qr)::bigint AS payments_qr,
                   sum(payments_cash)::bigint AS payments_cash, sum(takings_qr_vnd)::bigint AS takings_qr_vnd,
                   sum(takings_cash_vnd)::bigint AS takings_cash_vnd
            FROM pv_market GROUP BY 1, 2, 3, 4),
        s AS (
            SELECT kind, ps, province_code, commune_code,
                   (count(*) FILTER (WHERE products_online > 0))::int AS sellers_online, sum(products_online)::int AS products_online,
                   (count(*) FILTER (WHERE products_traceable > 0))::int AS sellers_traceable, sum(products_traceable)::int AS products_traceable,
                   (count(*) FILTER (WHERE trace_scans > 0))::int AS sellers_scanned, sum(trace_scans)::bigint AS trace_scans,
                   (count(*) FILTER (WHERE orders > 0))::int AS sellers_with_orders, sum(orders)::int AS orders, sum(orders_vnd)::bigint AS orders_vnd,
                   (count(*) FILTER (WHERE cod_orders > 0))::int AS sellers_with_cod, sum(cod_orders)::int AS cod_orders, sum(cod_vnd)::bigint AS cod_vnd
            FROM pv_seller GROUP BY 1, 2, 3, 4)
        SELECT coalesce(m.kind, s.kind) AS kind, coalesce(m.ps, s.ps) AS ps, coalesce(m.province_code, s.province_code) AS province_code,
               coalesce(m.commune_code, s.commune_code) AS commune_code,
               coalesce(m.markets, 0) AS markets, coalesce(m.stalls, 0) AS stalls, coalesce(m.stalls_qr_sign, 0) AS stalls_qr_sign,
               coalesce(m.stalls_active, 0) AS stalls_active, coalesce(m.stalls_paid_qr, 0) AS stalls_paid_qr,
               coalesce(m.stalls_paid_cash, 0) AS stalls_paid_cash,
               coalesce(m.payments_qr, 0) AS payments_qr, coalesce(m.payments_cash, 0) AS payments_cash,
               coalesce(m.takings_qr_vnd, 0) AS takings_qr_vnd, coalesce(m.takings_cash_vnd, 0) AS takings_cash_vnd,
               coalesce(s.sellers_online, 0) AS sellers_online, coalesce(s.products_online, 0) AS products_online,
               coalesce(s.sellers_traceable, 0) AS sellers_traceable, coalesce(s.products_traceable, 0) AS products_traceable,
               coalesce(s.sellers_scanned, 0) AS sellers_scanned, coalesce(s.trace_scans, 0) AS trace_scans,
               coalesce(s.sellers_with_orders, 0) AS sellers_with_orders, coalesce(s.orders, 0) AS orders,
               coalesce(s.orders_vnd, 0) AS orders_vnd, coalesce(s.sellers_with_cod, 0) AS sellers_with_cod,
               coalesce(s.cod_orders, 0) AS cod_orders, coalesce(s.cod_vnd, 0) AS cod_vnd
        FROM m FULL JOIN s ON s.kind = m.kind AND s.ps = m.ps AND s.province_code = m.province_code
                          AND coalesce(s.commune_code, '') = coalesce(m.commune_code, '');
        """;

    private const string InsertSql = """
        INSERT INTO province_stats (period_kind, period_start, period_end, days_reported, scope_kind, scope_key, province_code,
                                    commune_code, market_id, markets, stalls, stalls_qr_sign, stalls_active, stalls_paid_qr, stalls_paid_cash,
                                    payments_qr, payments_cash, takings_qr_vnd, takings_cash_vnd, sellers_online, products_online,
                                    sellers_traceable, products_traceable, sellers_scanned, trace_scans, sellers_with_orders, orders,
                                    orders_vnd, sellers_with_cod, cod_orders, cod_vnd)
        SELECT x.kind, x.ps, p.pe, p.days_reported, x.scope_kind, x.scope_key, x.province_code, x.commune_code, x.market_id,
               x.markets, x.stalls, x.stalls_qr_sign, x.stalls_active, x.stalls_paid_qr, x.stalls_paid_cash, x.payments_qr, x.payments_cash,
               x.takings_qr_vnd, x.takings_cash_vnd, x.sellers_online, x.products_online, x.sellers_traceable, x.products_traceable,
               x.sellers_scanned, x.trace_scans, x.sellers_with_orders, x.orders, x.orders_vnd, x.sellers_with_cod, x.cod_orders, x.cod_vnd
        FROM (
            SELECT kind, ps, 'market' AS scope_kind, market_id::text AS scope_key, province_code, commune_code, market_id, 1 AS markets,
                   stalls, stalls_qr_sign, stalls_active, stalls_paid_qr, stalls_paid_cash, payments_qr, payments_cash, takings_qr_vnd, takings_cash_vnd,
                   NULL::int AS sellers_online, NULL::int AS products_online, NULL::int AS sellers_traceable, NULL::int AS products_traceable,
                   NULL::int AS sellers_scanned, NULL::bigint AS trace_scans, NULL::int AS sellers_with_orders, NULL::int AS orders,
                   NULL::bigint AS orders_vnd, NULL::int AS sellers_with_cod, NULL::int AS cod_orders, NULL::bigint AS cod_vnd
            FROM pv_market
            UNION ALL
            SELECT kind, ps, 'commune', province_code || '/' || coalesce(commune_code, '-'), province_code, commune_code, NULL, markets,
                   stalls, stalls_qr_sign, stalls_active, stalls_paid_qr, stalls_paid_cash, payments_qr, payments_cash, takings_qr_vnd, takings_cash_vnd,
                   sellers_online, products_online, sellers_traceable, products_traceable, sellers_scanned, trace_scans,
                   sellers_with_orders, orders, orders_vnd, sellers_with_cod, cod_orders, cod_vnd
            FROM pv_commune
            UNION ALL
            SELECT kind, ps, 'province', province_code, province_code, NULL, NULL, sum(markets)::int,
                   sum(stalls)::int, sum(stalls_qr_sign)::int, sum(stalls_active)::int, sum(stalls_paid_qr)::int, sum(stalls_paid_cash)::int,
                   sum(payments_qr)::bigint,
                   sum(payments_cash)::bigint, sum(takings_qr_vnd)::bigint, sum(takings_cash_vnd)::bigint,
                   sum(sellers_online)::int, sum(products_online)::int, sum(sellers_traceable)::int, sum(products_traceable)::int,
                   sum(sellers_scanned)::int, sum(trace_scans)::bigint, sum(sellers_with_orders)::int, sum(orders)::int,
                   sum(orders_vnd)::bigint, sum(sellers_with_cod)::int, sum(cod_orders)::int, sum(cod_vnd)::bigint
            FROM pv_commune GROUP BY kind, ps, province_code
        ) x
        JOIN pv_periods p ON p.kind = x.kind AND p.ps = x.ps
        """;
}
