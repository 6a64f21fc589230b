using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Reports;
using Cho40.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Reports;

/// <summary>Raw sales data for report tests, written straight into the tables the reports read.</summary>
public static class ReportTestData
{
    private const string CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    private static long nextTxn = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    /// <summary>A fixed day well away from the demo data's (which sits on the real days before today).</summary>
    public static readonly DateOnly Day = new(2031, 3, 10);

    /// <summary>The instant a Vietnam day starts: 17:00:00Z of the day before.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => VietnamTime.DayBounds(day).Start;

    /// <summary>00:15 Vietnam time on <paramref name="day"/> (when the nightly job runs).</summary>
    public static DateTimeOffset NightlyRunOn(DateOnly day) => StartOf(day).AddMinutes(15);

    public static ReportQueries ReportQueries(this Cho40App app) => app.Services.GetRequiredService<ReportQueries>();

    public static ReportComputation ReportComputation(this Cho40App app) => app.Services.GetRequiredService<ReportComputation>();

    public static DailyReportsJob Job(this Cho40App app) => app.Services.GetRequiredService<DailyReportsJob>();

    /// <summary>Computes <paramref name="day"/> as the nightly job would, at 00:15 the next morning (the app's clock is moved there).</summary>
    public static Task<ReportDayResult> ComputeAsync(this Cho40App app, DateOnly day)
    {
        app.Clock.Set(NightlyRunOn(day.AddDays(1)));
        return app.ReportComputation().ComputeDayAsync(day, app.Clock.GetUtcNow(), Db.ReportComputation.DefaultSettleTime);
    }

    public static async Task<long> StallIdAsync(Cho40App app, string market, string stallNumber) =>
        await ScalarAsync<long>(app, """
            SELECT s.id FROM stalls s JOIN markets m ON m.id = s.market_id WHERE m.slug = @market AND s.stall_number = @stallNumber
            """, new { market, stallNumber });

    public static Task<long> IdAsync(Cho40App app, string table, string slug) =>
        ScalarAsync<long>(app, $"SELECT id FROM {table} WHERE slug = @slug", new { slug });

    /// <summary>A payment at a stall: cash, or a QR transfer (with its provider transaction, as matching stores it).</summary>
    public static async Task<long> PaymentAsync(Cho40App app, long stallId, string method, long amount, DateTimeOffset occurredAt,
        DateTimeOffset? recordedAt = null, string checkResult = "ok")
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var txn = "RT-" + Interlocked.Increment(ref nextTxn);
        return await connection.QuerySingleAsync<long>("""
            WITH n AS (
                INSERT INTO bank_notifications (provider, raw_body, received_at, status)
                SELECT 'test', '{}', @recordedAt, 'processed' WHERE @method = 'qr' RETURNING id),
            t AS (
                INSERT INTO provider_transactions (provider, provider_txn_id, notification_id, amount_vnd, content, transaction_time, received_at,
                                                   credited_to, credited_stall_id)
                SELECT 'test', @txn, n.id, @amount, 'CK', @occurredAt, @recordedAt, 'stall', @stallId FROM n RETURNING id)
            INSERT INTO stall_payments (stall_id, method, amount_vnd, occurred_at, recorded_at, provider_transaction_id, check_result)
            VALUES (@stallId, @method, @amount, @occurredAt, @recordedAt, (SELECT id FROM t), @checkResult)
            RETURNING id
            """, new { stallId, method, amount, occurredAt, recordedAt = recordedAt ?? occurredAt.AddSeconds(3), txn, checkResult });
    }

    /// <summary>A shop order of one product line, placed at <paramref name="placedAt"/>.</summary>
    public static async Task<long> OrderAsync(Cho40App app, long sellerId, long productId, int quantity, long unitPrice,
        string paymentMethod, string status, DateTimeOffset placedAt)
    {
        var code = "DH-" + new string(Enumerable.Range(0, 6).Select(_ => CodeAlphabet[Random.Shared.Next(CodeAlphabet.Length)]).ToArray());
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.QuerySingleAsync<long>("""
            WITH g AS (
                INSERT INTO checkout_groups (idempotency_key, access_token, created_at)
                VALUES (gen_random_uuid(), 'rt-' || gen_random_uuid(), @placedAt) RETURNING id),
            o AS (
                INSERT INTO orders (code, access_token, checkout_group_id, seller_id, customer_name, customer_phone, province_code,
                                    commune_code, address_line, payment_method, status, subtotal_vnd, shipping_fee_vnd, total_vnd,
                                    created_at, updated_at)
                SELECT @code, 'rt-' || gen_random_uuid(), g.id, @sellerId, 'Khách thử', '0912345678', c.province_code, c.code,
                       'Xóm 1', @paymentMethod, @status, @subtotal, 30000, @subtotal + 30000, @placedAt, @placedAt
                FROM g, (SELECT code, province_code FROM communes ORDER BY code LIMIT 1) c
                RETURNING id)
            INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
            SELECT o.id, p.id, p.name, p.unit, @unitPrice, @quantity, @subtotal FROM o, products p WHERE p.id = @productId
            RETURNING order_id
            """, new { code, sellerId, productId, quantity, unitPrice, subtotal = unitPrice * quantity, paymentMethod, status, placedAt });
    }

    public static async Task<IReadOnlyList<long>> ProductsOfAsync(Cho40App app, long sellerId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return (await connection.QueryAsync<long>("SELECT id FROM products WHERE seller_id = @sellerId ORDER BY id", new { sellerId })).AsList();
    }

    public static async Task<T> ScalarAsync<T>(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return (await connection.QueryAsync<T>(sql, args)).AsList();
    }

    public static async Task<int> ExecuteAsync(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteAsync(sql, args);
    }
}
