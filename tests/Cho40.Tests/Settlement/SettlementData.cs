using System.Text;
using Cho40.Tests.Infrastructure;
using Dapper;
using MiniExcelLibs;
using Npgsql;

namespace Cho40.Tests.Settlement;

/// <summary>Orders as the storefront leaves them after hand-over and delivery, and statement files as carriers send them.</summary>
public static class SettlementData
{
    public static string NewTracking(string prefix = "GHN") => prefix + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();

    /// <summary>Inserts an order of the demo seller <paramref name="sellerSlug"/> in the given state; returns its code.</summary>
    public static async Task<string> OrderAsync(Cho40App app, string sellerSlug, long subtotal, string payment = "cod",
        string status = "delivered", string? carrier = "GHN", string? tracking = null, long shipping = 30000, bool paid = false,
        DateTimeOffset? deliveredAt = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var code = "DH-" + new string(Random.Shared.GetItems<char>(Cho40.Db.Orders.CodeAlphabet, 6));
        var when = deliveredAt ?? app.Clock.GetUtcNow().AddDays(-3);
        await connection.ExecuteAsync("""
            WITH g AS (INSERT INTO checkout_groups (idempotency_key, access_token, created_at)
                       VALUES (gen_random_uuid(), md5(random()::text), @when) RETURNING id),
                 o AS (
            INSERT INTO orders (code, access_token, checkout_group_id, seller_id, customer_name, customer_phone, province_code,
                                commune_code, address_line, payment_method, status, subtotal_vnd, shipping_fee_vnd, total_vnd,
                                payment_status, paid_amount_vnd, paid_at, carrier, tracking_code, created_at, updated_at)
            SELECT @code, md5(random()::text || @code), g.id, s.id, 'Khách Thử', '0912345678', c.province_code, c.code, 'Xóm 1',
                   @payment, @status, @subtotal, @shipping, @subtotal + @shipping,
                   CASE WHEN @paid THEN 'paid' ELSE 'unpaid' END, CASE WHEN @paid THEN @subtotal + @shipping END,
                   CASE WHEN @paid THEN @when END, @carrier, @tracking, @when - interval '2 days', @when
            FROM g, sellers s, (SELECT code, province_code FROM communes ORDER BY code LIMIT 1) c
            WHERE s.slug = @sellerSlug
            RETURNING id)
            INSERT INTO order_events (order_id, kind, from_status, to_status, actor_kind, created_at)
            SELECT o.id, @status, 'shipped', @status, 'seller', @when FROM o
            """, new { code, sellerSlug, subtotal, payment, status, carrier, tracking, shipping, paid, when });
        return code;
    }

    public static byte[] Csv(params string[] lines) =>
        [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n")];

    public const string CanonicalHeader = "Mã vận đơn,Mã đơn hàng,Tiền thu hộ,Phí vận chuyển,Phí thu hộ,Phí hoàn hàng,Trạng thái,Ngày giao,Ngày đối soát";

    /// <summary>A real .xlsx written by MiniExcel: optional title row above the header, as carriers' exports have.</summary>
    public static byte[] Xlsx(string? title, string[] header, params object?[][] rows)
    {
        var sheet = new List<Dictionary<string, object?>>();
        string Col(int i) => ((char)('A' + i)).ToString();
        if (title is not null) sheet.Add(new Dictionary<string, object?> { ["A"] = title });
        sheet.Add(header.Select((h, i) => (Col(i), (object?)h)).ToDictionary(x => x.Item1, x => x.Item2));
        foreach (var row in rows) sheet.Add(row.Select((v, i) => (Col(i), v)).ToDictionary(x => x.Item1, x => x.Item2));
        // Every row has every column, so that MiniExcel writes a rectangle.
        var width = Math.Max(header.Length, 1);
        foreach (var r in sheet) for (var i = 0; i < width; i++) r.TryAdd(Col(i), null);
        using var stream = new MemoryStream();
        stream.SaveAs(sheet, printHeader: false, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    public static async Task<T> ScalarAsync<T>(Cho40App app, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }
}
