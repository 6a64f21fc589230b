using System.Diagnostics;
using System.Text.Json;
using Cho40.Db.Domain;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// Daily sales reports per stall, seller and market: computed once per Vietnam day after it closes (all scopes of the day
/// in one transaction, set-based SQL), stored, and never changed (the database refuses updates and deletes). Data that
/// arrives after a day was reported is counted as late in the next report computed. See docs/features/reports.md.
/// </summary>
public sealed class ReportComputation(NpgsqlDataSource db)
{
    /// <summary>Serialises report computations: cutoffs then follow computation order, which the late-arrival rule needs.</summary>
    private const long ComputeLock = 7463860;

    /// <summary>
    /// A report's cutoff lags "now" by this much, so that a payment stamped just before the cutoff whose transaction has
    /// not committed yet is not missed by both this report and the next (which takes late data from the cutoff on).
    /// </summary>
    public static readonly TimeSpan DefaultSettleTime = TimeSpan.FromMinutes(2);

    /// <summary>Called after each step of a computation with its name and milliseconds (the benchmark's profile).</summary>
    public Action<string, long>? StepTimed { get; init; }

    /// <summary>The cutoff a computation started at <paramref name="now"/> uses.</summary>
    public static DateTimeOffset CutoffAt(DateTimeOffset now, TimeSpan settle) => now - settle;

    /// <summary>The latest Vietnam day that is closed at the cutoff of a computation started at <paramref name="now"/>.</summary>
    public static DateOnly LatestClosedDay(DateTimeOffset now, TimeSpan settle) =>
        VietnamTime.DayOf(CutoffAt(now, settle)).AddDays(-1);

    /// <summary>
    /// Computes and stores the reports of every stall, seller and market for <paramref name="day"/>, once: a second call
    /// (or a racing process, which waits on the lock) finds the day computed and stores nothing.
    /// </summary>
    public async Task<ReportDayResult> ComputeDayAsync(DateOnly day, DateTimeOffset now, TimeSpan settle,
        CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var cutoff = CutoffAt(now, settle);
        var (windowStart, windowEnd) = VietnamTime.DayBounds(day);
        if (windowEnd > cutoff)
            throw new ArgumentOutOfRangeException(nameof(day), day, $"the day is not closed yet at the cutoff {cutoff:O}");

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@ComputeLock)", new { ComputeLock }, tx,
            cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition("SELECT EXISTS (SELECT 1 FROM daily_report_days WHERE report_day = @day)",
                new { day }, tx, cancellationToken: cancellationToken)))
            return new ReportDayResult(day, ReportDayOutcome.AlreadyComputed, 0, 0, watch.ElapsedMilliseconds);

        var previousCutoff = await connection.ExecuteScalarAsync<DateTimeOffset?>(
            new CommandDefinition("SELECT max(computed_at) FROM daily_report_days", transaction: tx, cancellationToken: cancellationToken));
        // Cutoffs strictly increase in computation order (that is what partitions recording time between reports): a
        // backfill computing day after day within one clock tick, or a process whose clock is behind, takes the next
        // microsecond (PostgreSQL's resolution) after the previous cutoff.
        if (previousCutoff is { } last && last >= cutoff) cutoff = last.AddTicks(10);

        var p = new { day, windowStart, windowEnd, cutoff, previousCutoff };
        var step = Stopwatch.StartNew();
        void Done(string name)
        {
            StepTimed?.Invoke(name, step.ElapsedMilliseconds);
            step.Restart();
        }
        // JIT compiles each statement's expressions for ~25 ms, more than it saves on these plans.
        await connection.ExecuteAsync(new CommandDefinition("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off", transaction: tx,
            cancellationToken: cancellationToken));

        // The scans of the day's rows are CREATE TEMP TABLE … AS: unlike INSERT … SELECT (PostgreSQL 15), those may run
        // in parallel, like the plain aggregate they are compared with. What they keep is small (one row per stall, per
        // seller); one statement then finds the late arrivals and writes every report from them.

        // The day's stall payments, per stall. Day by occurred_at (bank time for QR, logging time for cash); only what was
        // recorded before the cutoff and not voided by then. One grouping by stall with FILTERed aggregates: as fast as grouping
        // by stall and method and then pivoting (measured), and one statement level fewer.
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE rpt_stall_day ON COMMIT DROP AS
            SELECT p.stall_id,
                   count(*) FILTER (WHERE p.method = 'cash')                                AS cash_count,
                   coalesce(sum(p.amount_vnd) FILTER (WHERE p.method = 'cash'), 0)::bigint AS cash_vnd,
                   count(*) FILTER (WHERE p.method = 'qr')                                  AS qr_count,
                   coalesce(sum(p.amount_vnd) FILTER (WHERE p.method = 'qr'), 0)::bigint   AS qr_vnd,
                   count(*) FILTER (WHERE p.check_result = 'short')                         AS short_count
            FROM stall_payments p
            WHERE p.occurred_at >= @windowStart AND p.occurred_at < @windowEnd AND p.recorded_at < @cutoff
              AND (p.voided_at IS NULL OR p.voided_at >= @cutoff)
            GROUP BY p.stall_id
            """, p, tx, commandTimeout: 600, cancellationToken: cancellationToken));
        Done("stall payments");

        // The day's shop orders (placed that day), by seller and method. Revenue: goods value of those not cancelled or
        // returned by now. No test against the cutoff: the window ends at or before it (checked above), so every order
        // placed in the window is before it. Grouped by seller and method as the plain aggregate is, the cancelled and
        // returned ones counted by a FILTER in the same pass (a third grouping key, cancelled or not, cost ~20 % more).
        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE rpt_seller_day ON COMMIT DROP AS
            SELECT seller_id,
                   coalesce(sum(n - cancelled) FILTER (WHERE payment_method = 'transfer'), 0)::bigint AS qr_count,
                   coalesce(sum(vnd) FILTER (WHERE payment_method = 'transfer'), 0)::bigint           AS qr_vnd,
                   coalesce(sum(n - cancelled) FILTER (WHERE payment_method = 'cod'), 0)::bigint      AS cod_count,
                   coalesce(sum(vnd) FILTER (WHERE payment_method = 'cod'), 0)::bigint                AS cod_vnd,
                   sum(cancelled)::bigint                                                             AS cancelled_count
            FROM (SELECT o.seller_id, o.payment_method, count(*) AS n,
                         count(*) FILTER (WHERE o.status IN ('cancelled', 'returned'))           AS cancelled,
                         sum(o.subtotal_vnd) FILTER (WHERE o.status NOT IN ('cancelled', 'returned')) AS vnd
                  FROM orders o
                  WHERE o.created_at >= @windowStart AND o.created_at < @windowEnd
                  GROUP BY o.seller_id, o.payment_method) x
            GROUP BY seller_id
            """, p, tx, commandTimeout: 600, cancellationToken: cancellationToken));
        Done("orders");

        // Every report of the day in one INSERT: stalls, markets (the sum of their stalls, top stalls) and sellers (top
        // products), each with its comparisons (the stored reports of the 7 days before, read in one pass); then each late
        // payment listed under its stall's and its market's report; then the day's row. No ON CONFLICT: under the lock this transaction found
        // the day not computed, so a report stored twice or a payment listed twice is a bug the unique keys refuse (and
        // the whole computation rolls back).
        var (scopes, lateItems) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition("""
            WITH
            -- Late arrivals: recorded since the previous computation's cutoff, for a day already reported before they were
            -- recorded (so that day's report could not count them). Consecutive cutoffs partition recording time, so each one
            -- is late in exactly one report. A late arrival is recorded on a later Vietnam day than it occurred (a day's
            -- cutoff is at or after its end): that condition, written as stall_payments_recorded_later_idx's predicate, lets
            -- the scan read that small index instead of every payment recorded since the previous cutoff. A CTE of this
            -- statement, not a temp table of its own: a few thousand rows read by index, not worth a statement, a table
            -- and parallel workers (that cost 25–45 ms).
            rpt_late AS MATERIALIZED (
                SELECT p.id, p.stall_id, s.market_id, d.report_day AS original_day, p.method, p.amount_vnd, p.occurred_at, p.recorded_at,
                       'arrival' AS kind
                FROM stall_payments p
                JOIN stalls s ON s.id = p.stall_id
                JOIN daily_report_days d ON d.report_day = (p.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                WHERE @previousCutoff::timestamptz IS NOT NULL
                  AND p.recorded_at >= @previousCutoff::timestamptz AND p.recorded_at < @cutoff
                  AND (p.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (p.recorded_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                  AND d.computed_at <= p.recorded_at
                  AND (p.voided_at IS NULL OR p.voided_at >= @cutoff)
                UNION ALL
                -- Late voids: a cash sale voided since the previous cutoff that an issued report had already counted (it was
                -- recorded before the previous cutoff and its day was reported by then). Listed with a negative amount and
                -- the void's time: the issued report stays as it was.
                SELECT p.id, p.stall_id, s.market_id, d.report_day, p.method, -p.amount_vnd, p.occurred_at, p.voided_at, 'void'
                FROM stall_payments p
                JOIN stalls s ON s.id = p.stall_id
                JOIN daily_report_days d ON d.report_day = (p.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                WHERE @previousCutoff::timestamptz IS NOT NULL
                  AND p.voided_at >= @previousCutoff::timestamptz AND p.voided_at < @cutoff
                  AND p.recorded_at < @previousCutoff::timestamptz AND d.computed_at <= @previousCutoff::timestamptz
            ),
            history AS (
                SELECT scope_kind, scope_id, round(avg(total_vnd))::bigint AS avg_vnd, count(*)::int AS days,
                       max(total_vnd) FILTER (WHERE report_day = @day - 1) AS previous_vnd
                FROM daily_reports WHERE report_day BETWEEN @day - 7 AND @day - 1
                GROUP BY scope_kind, scope_id
            ),
            late_stall AS (SELECT stall_id, count(*) AS n, sum(amount_vnd) AS vnd FROM rpt_late GROUP BY stall_id),
            late_market AS (SELECT market_id, count(*) AS n, sum(amount_vnd) AS vnd FROM rpt_late GROUP BY market_id),
            market_day AS (
                SELECT s.market_id, sum(d.cash_count)::int AS cash_count, sum(d.cash_vnd)::bigint AS cash_vnd,
                       sum(d.qr_count)::int AS qr_count, sum(d.qr_vnd)::bigint AS qr_vnd, sum(d.short_count)::int AS short_count
                FROM rpt_stall_day d JOIN stalls s ON s.id = d.stall_id GROUP BY s.market_id
            ),
            market_top AS (
                SELECT market_id, jsonb_agg(jsonb_build_object('id', stall_id, 'name', name, 'quantity', n, 'vnd', vnd)
                                            ORDER BY vnd DESC, stall_id) AS top
                FROM (SELECT s.market_id, d.stall_id, s.stall_number || ' · ' || s.name AS name,
                             d.cash_count + d.qr_count AS n, d.cash_vnd + d.qr_vnd AS vnd,
                             row_number() OVER (PARTITION BY s.market_id ORDER BY d.cash_vnd + d.qr_vnd DESC, d.stall_id) AS rank
                      FROM rpt_stall_day d JOIN stalls s ON s.id = d.stall_id) x
                WHERE rank <= 5 GROUP BY market_id
            ),
            -- What each product sold in the day's orders not cancelled or returned, for the sellers' top products: read from
            -- product_sales_days, which the write path keeps (triggers on order_items and orders, migration 0930) — the lines
            -- of the day's live orders by seller, product, name and unit as sold — instead of joining the day's order lines
            -- to their orders here. Its day is the Vietnam day of orders.created_at, i.e. this window. Name and unit as sold:
            -- the largest among the day's live lines (rows with line_count > 0), as when they were taken from the lines.
            rpt_products AS (
                SELECT product_id, seller_id, max(product_name) AS name, max(unit) AS unit, sum(quantity)::bigint AS quantity,
                       sum(revenue_vnd)::bigint AS vnd
                FROM product_sales_days
                WHERE sale_day = @day AND line_count > 0
                GROUP BY seller_id, product_id
            ),
            -- The JSON array written as text and read once per seller: 10,000 jsonb_build_object calls and their jsonb_agg
            -- cost ~15 % more (names escaped by to_json; jsonb keeps one canonical form, so the stored value is the same).
            seller_top AS (
                SELECT seller_id,
                       ('[' || string_agg(concat('{"id":', product_id, ',"name":', to_json(name), ',"unit":', to_json(unit),
                                                 ',"quantity":', quantity, ',"vnd":', vnd, '}'), ',' ORDER BY vnd DESC, product_id)
                        || ']')::jsonb AS top
                FROM (SELECT p.*, row_number() OVER (PARTITION BY seller_id ORDER BY vnd DESC, product_id) AS rank FROM rpt_products p) x
                WHERE rank <= 5 GROUP BY seller_id
            ),
            scopes AS (
                -- Stalls: payments received at the stall, by method.
                SELECT 'stall' AS scope_kind, s.id AS scope_id, coalesce(d.cash_count, 0) AS cash_count, coalesce(d.cash_vnd, 0) AS cash_vnd,
                       coalesce(d.qr_count, 0) AS qr_count, coalesce(d.qr_vnd, 0) AS qr_vnd, 0 AS cod_count, 0::bigint AS cod_vnd,
                       0 AS cancelled_count, coalesce(d.short_count, 0) AS short_count,
                       CASE WHEN d.cash_vnd + d.qr_vnd > 0 THEN round(d.qr_vnd * 10000.0 / (d.cash_vnd + d.qr_vnd))::int END AS cashless_share_bp,
                       coalesce(l.n, 0) AS late_count, coalesce(l.vnd, 0) AS late_vnd, '[]'::jsonb AS top
                FROM stalls s
                LEFT JOIN rpt_stall_day d ON d.stall_id = s.id
                LEFT JOIN late_stall l ON l.stall_id = s.id
                WHERE s.created_at < @windowEnd OR d.stall_id IS NOT NULL OR l.stall_id IS NOT NULL
                UNION ALL
                -- Markets: the sum of their stalls, and the five stalls that took the most.
                SELECT 'market', m.id, coalesce(d.cash_count, 0), coalesce(d.cash_vnd, 0), coalesce(d.qr_count, 0), coalesce(d.qr_vnd, 0),
                       0, 0, 0, coalesce(d.short_count, 0),
                       CASE WHEN d.cash_vnd + d.qr_vnd > 0 THEN round(d.qr_vnd * 10000.0 / (d.cash_vnd + d.qr_vnd))::int END,
                       coalesce(l.n, 0), coalesce(l.vnd, 0), coalesce(t.top, '[]')
                FROM markets m
                LEFT JOIN market_day d ON d.market_id = m.id
                LEFT JOIN late_market l ON l.market_id = m.id
                LEFT JOIN market_top t ON t.market_id = m.id
                WHERE m.created_at < @windowEnd OR d.market_id IS NOT NULL OR l.market_id IS NOT NULL
                UNION ALL
                -- Sellers: orders placed that day by payment method (QR transfer, COD), and the five best-selling products.
                SELECT 'seller', s.id, 0, 0, coalesce(d.qr_count, 0), coalesce(d.qr_vnd, 0), coalesce(d.cod_count, 0), coalesce(d.cod_vnd, 0),
                       coalesce(d.cancelled_count, 0), 0,
                       CASE WHEN d.qr_vnd + d.cod_vnd > 0 THEN round(d.qr_vnd * 10000.0 / (d.qr_vnd + d.cod_vnd))::int END,
                       0, 0, coalesce(t.top, '[]')
                FROM sellers s
                LEFT JOIN rpt_seller_day d ON d.seller_id = s.id
                LEFT JOIN seller_top t ON t.seller_id = s.id
                WHERE (s.status = 'approved' AND s.created_at < @windowEnd) OR d.seller_id IS NOT NULL
            ),
            reports AS (
                INSERT INTO daily_reports (scope_kind, scope_id, report_day, computed_at, cash_count, cash_vnd, qr_count, qr_vnd,
                                           cod_count, cod_vnd, cancelled_count, short_count, cashless_share_bp,
                                           previous_day_vnd, avg7_vnd, avg7_days, late_count, late_vnd, top)
                SELECT x.scope_kind, x.scope_id, @day, @cutoff, x.cash_count, x.cash_vnd, x.qr_count, x.qr_vnd,
                       x.cod_count, x.cod_vnd, x.cancelled_count, x.short_count, x.cashless_share_bp,
                       h.previous_vnd, h.avg_vnd, coalesce(h.days, 0), x.late_count, x.late_vnd, x.top
                FROM scopes x LEFT JOIN history h ON h.scope_kind = x.scope_kind AND h.scope_id = x.scope_id
                RETURNING id, scope_kind, scope_id
            ),
            late_items AS (
                INSERT INTO daily_report_late_items (report_id, scope_kind, scope_id, stall_payment_id, original_day, method,
                                                     amount_vnd, occurred_at, recorded_at, kind)
                SELECT r.id, r.scope_kind, r.scope_id, l.id, l.original_day, l.method, l.amount_vnd, l.occurred_at, l.recorded_at, l.kind
                FROM rpt_late l JOIN reports r ON r.scope_kind = 'stall' AND r.scope_id = l.stall_id
                UNION ALL
                SELECT r.id, r.scope_kind, r.scope_id, l.id, l.original_day, l.method, l.amount_vnd, l.occurred_at, l.recorded_at, l.kind
                FROM rpt_late l JOIN reports r ON r.scope_kind = 'market' AND r.scope_id = l.market_id
                RETURNING 1
            ),
            -- The day's row, in this statement: the check that every report has its day (a statement-level trigger,
            -- migration 0960, in place of a foreign key checked row by row at commit) runs when the statement ends and
            -- sees it. It counts the reports and the late arrivals this statement writes; its duration is the time so far.
            day_row AS (
                INSERT INTO daily_report_days (report_day, window_start, window_end, computed_at, previous_cutoff, scope_count,
                                               late_count, duration_ms)
                SELECT @day, @windowStart, @windowEnd, @cutoff, @previousCutoff, r.n, l.n,
                       @elapsedMs + (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::int
                FROM (SELECT count(*)::int AS n FROM reports) r, (SELECT count(*)::int AS n FROM rpt_late) l
                RETURNING scope_count
            )
            SELECT (SELECT scope_count FROM day_row), (SELECT count(*) FROM late_items)::int
            """, new { day, windowStart, windowEnd, cutoff, previousCutoff, elapsedMs = (int)watch.ElapsedMilliseconds }, tx,
            commandTimeout: 600, cancellationToken: cancellationToken));
        Done("reports written");

        await tx.CommitAsync(cancellationToken);
        Done("commit");
        return new ReportDayResult(day, ReportDayOutcome.Computed, scopes, lateItems, watch.ElapsedMilliseconds);
    }

    /// <summary>The last computed day, or null when none has been.</summary>
    public async Task<DateOnly?> LastComputedDayAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<DateOnly?>(new CommandDefinition("SELECT max(report_day) FROM daily_report_days",
            cancellationToken: cancellationToken));
    }

    /// <summary>Days in [from, to] not computed yet, oldest first.</summary>
    public async Task<IReadOnlyList<DateOnly>> MissingDaysAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DateOnly>(new CommandDefinition("""
            SELECT g::date FROM generate_series(@from::date, @to::date, interval '1 day') g
            WHERE NOT EXISTS (SELECT 1 FROM daily_report_days d WHERE d.report_day = g::date)
            ORDER BY 1
            """, new { from, to }, cancellationToken: cancellationToken))).AsList();
    }
}
