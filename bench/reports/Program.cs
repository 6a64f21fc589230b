using System.Diagnostics;
using System.Globalization;
using Cho40.Db;
using Cho40.Db.Domain;
using Dapper;
using Npgsql;
using NpgsqlTypes;

// One Vietnam day with 1,000,000 rows — half stall payments (2/3 QR transfers, 1/3 cash), half shop orders (1–3 items
// each) — over 5,000 stalls in 50 markets and 2,000 sellers, after 7 ordinary days (a tenth of that each) whose
// reports are computed first (so the comparisons and late arrivals are real). Then BENCH_ROUNDS rounds (default 5), each
// timing the plain SQL aggregate over the day's rows (GROUP BY stall/method and seller/method) and the full daily report
// computation, alternating which goes first; median, spread and the ratio against issue 15's target (≤ 2×).
var rows = int.Parse(Environment.GetEnvironmentVariable("BENCH_ROWS") ?? "1000000", CultureInfo.InvariantCulture);
var connectionString = Database.ConnectionStringFrom(Environment.GetEnvironmentVariable("DATABASE_URL")
    ?? throw new InvalidOperationException("DATABASE_URL is not set"));
await Migrator.EnsureDatabaseExistsAsync(connectionString);
await Migrator.MigrateAsync(connectionString, _ => { });
await using var db = NpgsqlDataSource.Create(connectionString);
await new AdminUnits(db).LoadIfEmptyAsync();

var day = new DateOnly(2031, 6, 15);
const int Markets = 50, StallsPerMarket = 100, Sellers = 2000, ProductsPerSeller = 10, HistoryDays = 7;
var HistoryRows = rows / 10;
var reports = new ReportComputation(db);
var settle = ReportComputation.DefaultSettleTime;
// BENCH_REUSE=1 with DATABASE_URL of a database this bench generated before: measure again without generating (iterations).
var reuse = Environment.GetEnvironmentVariable("BENCH_REUSE") == "1" && await reports.LastComputedDayAsync() >= day.AddDays(-1);
if (!reuse && await reports.LastComputedDayAsync() is not null)
{
    Console.Error.WriteLine("this database already has reports (they cannot be deleted): run on a fresh database (./cho40 bench reports)");
    return 2;
}
if (!reuse)
{
    var random = new Random(615);
    var total = Stopwatch.StartNew();
    long[] stallIds, sellerIds;
    (long Id, long Seller, string Name, string Unit, long Price)[] products;
    string province, commune;
    long group;
    await using (var c = await db.OpenConnectionAsync())
    {
        (province, commune) = await c.QuerySingleAsync<(string, string)>("SELECT province_code, code FROM communes ORDER BY code LIMIT 1");
        await c.ExecuteAsync("""
            INSERT INTO markets (slug, name, province_code) SELECT 'bench-cho-' || i, 'Chợ thử ' || i, @province FROM generate_series(1, @Markets) i;
            INSERT INTO stalls (market_id, stall_number, name, created_at)
            SELECT m.id, 'S' || s, 'Sạp thử ' || s, '2031-01-01' FROM markets m, generate_series(1, @StallsPerMarket) s WHERE m.slug LIKE 'bench-cho-%';
            INSERT INTO sellers (slug, name, kind, province_code, status, created_at)
            SELECT 'bench-nb-' || i, 'HTX thử ' || i, 'cooperative', @province, 'approved', '2031-01-01' FROM generate_series(1, @Sellers) i;
            INSERT INTO categories (slug, name, name_en) VALUES ('bench-che', 'Chè thử', 'Test tea') ON CONFLICT (slug) DO NOTHING;
            INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status)
            SELECT s.id, (SELECT id FROM categories WHERE slug = 'bench-che'), s.slug || '-sp-' || p, 'Chè thử ' || p || ' của ' || s.name, 'gói 200 g',
                   (20 + (s.id * 7 + p * 13) % 300) * 1000, 1000, 'published'
            FROM sellers s, generate_series(1, @ProductsPerSeller) p WHERE s.slug LIKE 'bench-nb-%';
            INSERT INTO bank_notifications (provider, raw_body, received_at, status) VALUES ('bench', '{}', now(), 'processed');
            INSERT INTO checkout_groups (idempotency_key, access_token, created_at) VALUES (gen_random_uuid(), 'bench', now());
            """, new { province, Markets, StallsPerMarket, Sellers, ProductsPerSeller });
        stallIds = (await c.QueryAsync<long>("SELECT s.id FROM stalls s JOIN markets m ON m.id = s.market_id WHERE m.slug LIKE 'bench-cho-%'")).ToArray();
        sellerIds = (await c.QueryAsync<long>("SELECT id FROM sellers WHERE slug LIKE 'bench-nb-%'")).ToArray();
        products = (await c.QueryAsync<(long, long, string, string, long)>(
            "SELECT id, seller_id, name, unit, price_vnd FROM products WHERE slug LIKE 'bench-nb-%' ORDER BY id")).ToArray();
        group = await c.ExecuteScalarAsync<long>("SELECT id FROM checkout_groups WHERE access_token = 'bench'");
    }
    var productsBySeller = products.GroupBy(p => p.Seller).ToDictionary(g => g.Key, g => g.ToArray());
    var orderNumber = 0;
    var txnNumber = 0;

    async Task GenerateAsync(DateOnly d, int payments, int orders, int lateNextDay)
    {
        var (start, _) = VietnamTime.DayBounds(d);
        DateTimeOffset At() => start.AddSeconds(random.Next(86_400));
        await using var c = await db.OpenConnectionAsync();
        var notification = await c.ExecuteScalarAsync<long>("SELECT id FROM bank_notifications WHERE provider = 'bench'");
        // QR transfers: provider transactions by COPY, then the applied payments with one INSERT … SELECT (as matching would).
        var lastBefore = await c.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) FROM provider_transactions");
        await using (var import = await c.BeginBinaryImportAsync("""
            COPY provider_transactions (provider, provider_txn_id, notification_id, account_number, amount_vnd, content, transaction_time, received_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < payments * 2 / 3; i++)
            {
                var at = At();
                // The last lateNextDay transfers are reported by the bank only at 00:20 the next morning (after the report).
                var received = i >= payments * 2 / 3 - lateNextDay ? start.AddDays(1).AddMinutes(20) : at.AddSeconds(random.Next(2, 120));
                await import.StartRowAsync();
                await import.WriteAsync("bench");
                await import.WriteAsync("T" + txnNumber++);
                await import.WriteAsync(notification);
                await import.WriteAsync(stallIds[random.Next(stallIds.Length)].ToString(CultureInfo.InvariantCulture));
                await import.WriteAsync((long)random.Next(5, 500) * 1000);
                await import.WriteAsync("CK");
                await import.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(received, NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        // The account credited is the stall's (a stall payment can only name the stall its transfer was credited to).
        await c.ExecuteAsync("""
            UPDATE provider_transactions SET credited_to = 'stall', credited_stall_id = account_number::bigint WHERE id > @lastBefore;
            INSERT INTO stall_payments (stall_id, method, amount_vnd, occurred_at, recorded_at, provider_transaction_id)
            SELECT account_number::bigint, 'qr', amount_vnd, transaction_time, received_at, id FROM provider_transactions
            WHERE id > @lastBefore
            """, new { lastBefore }, commandTimeout: 600);
        await using (var import = await c.BeginBinaryImportAsync(
            "COPY stall_payments (stall_id, method, amount_vnd, occurred_at, recorded_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < payments - payments * 2 / 3; i++)
            {
                var at = At();
                await import.StartRowAsync();
                await import.WriteAsync(stallIds[random.Next(stallIds.Length)]);
                await import.WriteAsync("cash");
                await import.WriteAsync((long)random.Next(5, 300) * 1000);
                await import.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        // Orders and their items (ids follow on from the current maximum: one COPY on an otherwise idle table).
        var firstOrder = await c.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) + 1 FROM orders");
        var lines = new List<(int Order, (long Id, long Seller, string Name, string Unit, long Price) Product, int Quantity)>(orders * 2);
        string[] statuses = ["placed", "placed", "confirmed", "shipped", "delivered", "delivered", "cancelled", "returned"];
        await using (var import = await c.BeginBinaryImportAsync("""
            COPY orders (code, access_token, checkout_group_id, seller_id, customer_name, customer_phone, province_code, commune_code,
                         address_line, payment_method, status, subtotal_vnd, shipping_fee_vnd, total_vnd, created_at, updated_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            import.Timeout = TimeSpan.FromMinutes(30);
            for (var i = 0; i < orders; i++)
            {
                var seller = sellerIds[random.Next(sellerIds.Length)];
                var own = productsBySeller[seller];
                long subtotal = 0;
                var count = random.Next(1, 4);
                var first = random.Next(own.Length);
                for (var k = 0; k < count; k++)
                {
                    var p = own[(first + k) % own.Length];
                    var quantity = random.Next(1, 4);
                    lines.Add((i, p, quantity));
                    subtotal += p.Price * quantity;
                }
                var at = At();
                await import.StartRowAsync();
                await import.WriteAsync(Code(orderNumber++));
                await import.WriteAsync("b" + orderNumber);
                await import.WriteAsync(group);
                await import.WriteAsync(seller);
                await import.WriteAsync("Khách thử");
                await import.WriteAsync("0912345678");
                await import.WriteAsync(province);
                await import.WriteAsync(commune);
                await import.WriteAsync("Xóm 1");
                await import.WriteAsync(random.Next(5) < 2 ? "transfer" : "cod");
                await import.WriteAsync(statuses[random.Next(statuses.Length)]);
                await import.WriteAsync(subtotal);
                await import.WriteAsync(30_000L);
                await import.WriteAsync(subtotal + 30_000);
                await import.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        // The lines by COPY, as production's checkout inserts them: the insert trigger on order_items (migration 0930) fires
        // once for the COPY and adds them to product_sales_days — generation pays for it, not the report.
        var copyLines = Stopwatch.StartNew();
        await using (var import = await c.BeginBinaryImportAsync("""
            COPY order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd) FROM STDIN (FORMAT BINARY)
            """))
        {
            // Completing the COPY runs the trigger over a million lines: 16–41 s on this machine, past the default 30 s.
            import.Timeout = TimeSpan.FromMinutes(30);
            foreach (var (order, p, quantity) in lines)
            {
                await import.StartRowAsync();
                await import.WriteAsync(firstOrder + order);
                await import.WriteAsync(p.Id);
                await import.WriteAsync(p.Name);
                await import.WriteAsync(p.Unit);
                await import.WriteAsync(p.Price);
                await import.WriteAsync(quantity);
                await import.WriteAsync(p.Price * quantity);
            }
            await import.CompleteAsync();
        }
        if (d == day)
            Console.WriteLine($"the day's {lines.Count:N0} order lines by COPY, product_sales_days kept by its trigger: {copyLines.ElapsedMilliseconds:N0} ms");
    }

    for (var d = day.AddDays(-HistoryDays); d < day; d = d.AddDays(1))
        await GenerateAsync(d, HistoryRows / 2, HistoryRows / 2, lateNextDay: d == day.AddDays(-1) ? 1000 : 0);
    await GenerateAsync(day, rows / 2, rows - rows / 2, lateNextDay: 0);
    await using (var c = await db.OpenConnectionAsync()) await c.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 1200);
    Console.WriteLine($"generated: {HistoryDays} days × {HistoryRows:N0} rows, then {day:yyyy-MM-dd} with {rows / 2:N0} stall payments + {rows - rows / 2:N0} orders "
                      + $"(1–3 items each); {Markets * StallsPerMarket:N0} stalls, {Markets} markets, {Sellers:N0} sellers; {total.Elapsed.TotalSeconds:F0} s; "
                      + $"{Environment.ProcessorCount} cores");

    var history = Stopwatch.StartNew();
    for (var d = day.AddDays(-HistoryDays); d < day; d = d.AddDays(1))
        await reports.ComputeDayAsync(d, VietnamTime.DayBounds(d.AddDays(1)).Start.AddMinutes(15), settle);
    Console.WriteLine($"the {HistoryDays} days before computed in {history.ElapsedMilliseconds:N0} ms ({history.ElapsedMilliseconds / HistoryDays:N0} ms a day of {HistoryRows:N0} rows)");
}

var (windowStart, windowEnd) = VietnamTime.DayBounds(day);
async Task<(long Ms, long Groups, long Sum)> PlainAggregateAsync()
{
    await using var c = await db.OpenConnectionAsync();
    var watch = Stopwatch.StartNew();
    var payments = (await c.QueryAsync<(long, string, long, long)>("""
        SELECT stall_id, method, count(*), sum(amount_vnd)::bigint FROM stall_payments
        WHERE occurred_at >= @windowStart AND occurred_at < @windowEnd GROUP BY stall_id, method
        """, new { windowStart, windowEnd }, commandTimeout: 600)).ToList();
    var orders = (await c.QueryAsync<(long, string, long, long)>("""
        SELECT seller_id, payment_method, count(*), sum(subtotal_vnd)::bigint FROM orders
        WHERE created_at >= @windowStart AND created_at < @windowEnd AND status NOT IN ('cancelled', 'returned')
        GROUP BY seller_id, payment_method
        """, new { windowStart, windowEnd }, commandTimeout: 600)).ToList();
    return (watch.ElapsedMilliseconds, payments.Count + orders.Count, payments.Sum(p => p.Item4) + orders.Sum(o => o.Item4));
}

// Each round times the public ReportComputation.ComputeDayAsync — the nightly job's call: lock, every scope, late items,
// comparisons, commit — on the same day with the same cutoff. A computed day is never computed again (and the database
// refuses deletes), so between rounds, untimed, the bench removes that day's stored rows with the immutability triggers
// off for its session (session_replication_role = replica; superuser on the throwaway cluster) and vacuums them away:
// every round is a full computation from scratch, with the same previous cutoff and the same late arrivals.
// Untimed: the per-day product sales the report reads (kept by triggers) equal a GROUP BY over the day's order lines.
async Task<long> SalesTableDifferencesAsync()
{
    await using var c = await db.OpenConnectionAsync();
    return await c.ExecuteScalarAsync<long>("""
        WITH kept AS (
            SELECT seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd
            FROM product_sales_days WHERE sale_day = @day AND line_count <> 0),
        lines AS (
            SELECT o.seller_id, i.product_id, i.product_name, i.unit, count(*) AS line_count, sum(i.quantity)::bigint AS quantity,
                   sum(i.line_total_vnd)::bigint AS revenue_vnd
            FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE o.created_at >= @windowStart AND o.created_at < @windowEnd AND o.status NOT IN ('cancelled', 'returned')
            GROUP BY 1, 2, 3, 4)
        SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL SELECT * FROM lines) a)
             + (SELECT count(*) FROM (SELECT * FROM lines EXCEPT ALL SELECT * FROM kept) b)
        """, new { day, windowStart, windowEnd }, commandTimeout: 600);
}
// Untimed: the stored sellers' top products equal the top five computed from the day's order lines.
async Task<long> TopDifferencesAsync()
{
    await using var c = await db.OpenConnectionAsync();
    return await c.ExecuteScalarAsync<long>("""
        WITH lines AS (
            SELECT o.seller_id, i.product_id, max(i.product_name) AS name, max(i.unit) AS unit, sum(i.quantity) AS quantity,
                   sum(i.line_total_vnd) AS vnd
            FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE o.created_at >= @windowStart AND o.created_at < @windowEnd AND o.status NOT IN ('cancelled', 'returned')
            GROUP BY 1, 2),
        top AS (
            SELECT seller_id, jsonb_agg(jsonb_build_object('id', product_id, 'name', name, 'unit', unit, 'quantity', quantity, 'vnd', vnd)
                                        ORDER BY vnd DESC, product_id) AS top
            FROM (SELECT *, row_number() OVER (PARTITION BY seller_id ORDER BY vnd DESC, product_id) AS rank FROM lines) x
            WHERE rank <= 5 GROUP BY seller_id)
        SELECT count(*)
        FROM (SELECT scope_id, top FROM daily_reports WHERE scope_kind = 'seller' AND report_day = @day) r
        FULL JOIN top t ON t.seller_id = r.scope_id
        WHERE coalesce(r.top, '[]') IS DISTINCT FROM coalesce(t.top, '[]')
        """, new { day, windowStart, windowEnd }, commandTimeout: 600);
}
var tableDifferences = await SalesTableDifferencesAsync();
Console.WriteLine($"check: product_sales_days of the day = GROUP BY over its order lines → {(tableDifferences == 0 ? "OK" : $"MISMATCH ({tableDifferences} rows)")}");

var stepTotals = new Dictionary<string, List<long>>();
var timed = new ReportComputation(db)
{
    StepTimed = (step, ms) => (stepTotals.TryGetValue(step, out var list) ? list : stepTotals[step] = []).Add(ms),
};
async Task ForgetDayAsync()
{
    await using var c = await db.OpenConnectionAsync();
    await c.ExecuteAsync("""
        SET session_replication_role = replica;
        DELETE FROM daily_report_late_items i USING daily_reports r WHERE r.id = i.report_id AND r.report_day = @day;
        DELETE FROM daily_reports WHERE report_day = @day;
        DELETE FROM daily_report_days WHERE report_day = @day;
        RESET session_replication_role;
        """, new { day }, commandTimeout: 600);
    await c.ExecuteAsync("VACUUM daily_report_late_items, daily_reports, daily_report_days", commandTimeout: 600);
}
async Task<long> StoredTotalAsync()
{
    await using var c = await db.OpenConnectionAsync();
    return await c.ExecuteScalarAsync<long>(
        "SELECT sum(total_vnd)::bigint FROM daily_reports WHERE report_day = @day AND scope_kind IN ('stall', 'seller')", new { day });
}

var rounds = int.Parse(Environment.GetEnvironmentVariable("BENCH_ROUNDS") ?? "5", CultureInfo.InvariantCulture);
// Warm-up (untimed): caches, the connection pool, the plans.
await ForgetDayAsync();
var plain = await PlainAggregateAsync();
await timed.ComputeDayAsync(day, windowEnd.AddMinutes(15), settle);
await ForgetDayAsync();
stepTotals.Clear();

var plainMs = new List<long>();
var reportMs = new List<long>();
var ratios = new List<double>();
ReportDayResult result = null!;
var checks = true;
Console.WriteLine();
Console.WriteLine($"{rounds} rounds, alternating which goes first (plain aggregate = GROUP BY stall/method + seller/method, {plain.Groups:N0} groups):");
for (var round = 1; round <= rounds; round++)
{
    long aggregateMs = 0, computeMs = 0;
    async Task Aggregate()
    {
        var a = await PlainAggregateAsync();
        aggregateMs = a.Ms;
        if (a.Sum != plain.Sum) throw new InvalidOperationException("the plain aggregate changed between rounds");
    }
    async Task Compute()
    {
        var watch = Stopwatch.StartNew();
        result = await timed.ComputeDayAsync(day, windowEnd.AddMinutes(15), settle);
        computeMs = watch.ElapsedMilliseconds;
        if (result.Outcome != ReportDayOutcome.Computed) throw new InvalidOperationException("the day was not computed afresh");
    }
    if (round % 2 == 1) { await Aggregate(); await Compute(); }
    else { await Compute(); await Aggregate(); }
    var stored = await StoredTotalAsync();
    checks &= stored == plain.Sum;
    plainMs.Add(aggregateMs);
    reportMs.Add(computeMs);
    ratios.Add((double)computeMs / Math.Max(1, aggregateMs));
    Console.WriteLine($"  round {round}: plain aggregate {aggregateMs,6:N0} ms   daily report {computeMs,6:N0} ms   {ratios[^1],5:F2}×"
                      + $"   stored totals {(stored == plain.Sum ? "= plain" : "MISMATCH")}");
    if (round < rounds) await ForgetDayAsync();
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
string Spread(List<long> values) => $"{values.Min():N0}–{values.Max():N0}";
var ratio = Median(ratios);
var totalsOk = checks;
var topDifferences = await TopDifferencesAsync();
checks &= topDifferences == 0 && tableDifferences == 0;
Console.WriteLine();
Console.WriteLine($"plain SQL aggregate      median {Median(plainMs.Select(v => (double)v)),7:N0} ms  (spread {Spread(plainMs)} ms)");
Console.WriteLine($"daily report computation median {Median(reportMs.Select(v => (double)v)),7:N0} ms  (spread {Spread(reportMs)} ms; "
                  + $"{result.Scopes:N0} reports, {result.LateItems:N0} late items, top products, comparisons, one transaction)");
Console.WriteLine("  by step (median ms): " + string.Join(", ", stepTotals.Select(s => $"{s.Key} {Median(s.Value.Select(v => (double)v)):N0}")));
Console.WriteLine($"ratio report / plain aggregate: median {ratio:F2}× (rounds {ratios.Min():F2}–{ratios.Max():F2}×)");
Console.WriteLine($"target: daily report within 2× the plain aggregate → {(ratio <= 2 ? "met" : "NOT met")}");
Console.WriteLine($"check: stored stall + seller totals = plain aggregate {plain.Sum:N0} đ in every round → {(totalsOk ? "OK" : "MISMATCH")}");
Console.WriteLine($"check: stored sellers' top products = top five from the day's order lines → {(topDifferences == 0 ? "OK" : $"MISMATCH ({topDifferences} sellers)")}");
return checks ? 0 : 1;

static string Code(int i)
{
    const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    var n = (long)((ulong)i * 387_420_489UL % 887_503_681UL);
    var chars = new char[6];
    for (var k = 5; k >= 0; k--)
    {
        chars[k] = Alphabet[(int)(n % Alphabet.Length)];
        n /= Alphabet.Length;
    }
    return "DH-" + new string(chars);
}
