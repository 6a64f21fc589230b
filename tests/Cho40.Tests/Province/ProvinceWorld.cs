using System.Globalization;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Reports;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Province;

/// <summary>
/// Generated raw data around a week boundary in Vietnam time, on a database without demo data: two provinces; in the
/// first, commune C1 with markets M1 (8 stalls, one more opened mid-week, one more on the last day) and M2 (3 stalls), and
/// commune C2 with market M3 (6 stalls); sellers in C1 and C2; payments, orders and trace scans on every day of
/// Mon 3 – Tue 11 March 2031, including some just either side of Monday 10 March 00:00 Vietnam time (Sunday 17:00 UTC)
/// and a transfer of Sunday night that reaches the platform on Monday morning (a late arrival). The daily reports of
/// those nine days are computed as the nightly job would, then the province aggregates are rebuilt. A province viewer
/// of the first province and a stall owner whose name carries <see cref="OwnerMark"/> are signed up.
/// </summary>
public sealed class ProvinceWorld : IAsyncLifetime
{
    public const string OwnerMark = "Zq8Owner";
    public const string ViewerPhone = "0971000100";
    public static readonly DateOnly FirstDay = new(2031, 3, 3);   // a Monday
    public static readonly DateOnly LastDay = new(2031, 3, 11);   // the Tuesday after
    public static readonly DateOnly Week1 = new(2031, 3, 3), Week2 = new(2031, 3, 10), March = new(2031, 3, 1);

    public Cho40App App { get; private set; } = null!;
    public string Province { get; private set; } = "";
    public string OtherProvince { get; private set; } = "";
    public string C1 { get; private set; } = "";
    public string C2 { get; private set; } = "";
    public Dictionary<string, long> Markets { get; } = new();
    public Dictionary<string, long> Sellers { get; } = new();
    public List<long> StallIds { get; } = new();

    public static DateTimeOffset At(DateOnly day, int hour, int minute, int second = 0) =>
        VietnamTime.DayBounds(day).Start.AddHours(hour).AddMinutes(minute).AddSeconds(second);

    public async Task InitializeAsync()
    {
        App = await Cho40App.StartAsync(withDemoData: false);
        await using var db = new NpgsqlConnection(App.ConnectionString);
        await db.OpenAsync();
        Province = await db.ExecuteScalarAsync<string>("SELECT code FROM provinces WHERE name = 'Thái Nguyên'") ?? throw new InvalidOperationException();
        OtherProvince = await db.ExecuteScalarAsync<string>("SELECT code FROM provinces WHERE code <> @Province ORDER BY code LIMIT 1", new { Province })
                        ?? throw new InvalidOperationException();
        var communes = (await db.QueryAsync<string>("SELECT code FROM communes WHERE province_code = @Province ORDER BY code LIMIT 2", new { Province })).ToList();
        (C1, C2) = (communes[0], communes[1]);
        var otherCommune = await db.ExecuteScalarAsync<string>("SELECT code FROM communes WHERE province_code = @OtherProvince ORDER BY code LIMIT 1",
            new { OtherProvince });

        var hash = new PasswordHasher<object>().HashPassword(new object(), "cho40-demo");
        var owner = await db.ExecuteScalarAsync<long>("""
            INSERT INTO users (phone, display_name, password_hash) VALUES ('0971000101', 'Chủ sạp ' || @OwnerMark, @hash) RETURNING id
            """, new { OwnerMark, hash });
        var viewer = await db.ExecuteScalarAsync<long>("""
            INSERT INTO users (phone, display_name, password_hash) VALUES (@ViewerPhone, 'Cán bộ tỉnh', @hash) RETURNING id
            """, new { ViewerPhone, hash });
        await db.ExecuteAsync("""
            INSERT INTO user_roles (user_id, role) VALUES (@viewer, 'province_viewer'), (@owner, 'stallholder');
            INSERT INTO province_viewers (user_id, province_code) VALUES (@viewer, @Province);
            INSERT INTO categories (slug, name, name_en) VALUES ('pv-che', 'Chè', 'Tea');
            """, new { viewer, owner, Province });

        var opened = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var (slug, province, commune, stallCount) in new[] { ("pv-m1", Province, C1, 8), ("pv-m2", Province, C1, 3), ("pv-m3", Province, C2, 6),
                     ("pv-mq", OtherProvince, otherCommune, 5) })
        {
            var market = await db.ExecuteScalarAsync<long>("""
                INSERT INTO markets (slug, name, province_code, commune_code, created_at) VALUES (@slug, 'Chợ ' || @slug, @province, @commune, @opened)
                RETURNING id
                """, new { slug, province, commune, opened });
            Markets[slug] = market;
            for (var n = 1; n <= stallCount; n++)
                StallIds.Add(await db.ExecuteScalarAsync<long>("""
                    INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id, created_at)
                    VALUES (@market, 'S' || @n, 'Sạp pv ' || @n, 'Rau', @owner, @opened) RETURNING id
                    """, new { market, n, owner, opened }));
        }
        // M1 grows during the fortnight: a stall opens on Friday of week 1, another on the last Tuesday (week 2 only).
        await db.ExecuteAsync("""
            INSERT INTO stalls (market_id, stall_number, name, goods, created_at)
            VALUES (@m1, 'X1', 'Sạp mới 1', 'Cá', @friday), (@m1, 'X2', 'Sạp mới 2', 'Thịt', @tuesday)
            """, new { m1 = Markets["pv-m1"], friday = At(new DateOnly(2031, 3, 7), 10, 0), tuesday = At(LastDay, 10, 0) });
        // QR signs: most stalls long ago; M1's S7 on the last Tuesday morning.
        await db.ExecuteAsync("""
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder, linked_at)
            SELECT s.id, '970436', '77' || lpad(s.id::text, 10, '0'), 'CHU SAP', CASE WHEN m.slug = 'pv-m1' AND s.stall_number = 'S7' THEN @tuesday ELSE @linked END
            FROM stalls s JOIN markets m ON m.id = s.market_id
            WHERE (m.slug = 'pv-m1' AND s.stall_number IN ('S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7')) OR (m.slug = 'pv-m2' AND s.stall_number IN ('S1', 'S2'))
               OR (m.slug = 'pv-m3' AND s.stall_number IN ('S1', 'S2', 'S3', 'S4')) OR m.slug = 'pv-mq'
            """, new { tuesday = At(LastDay, 9, 0), linked = opened.AddDays(4) });

        // Sellers: six in C1 and one in C2 (approved), a pending one in C1, one in the other province.
        foreach (var (slug, province, commune, status) in new[] { ("pv-s1", Province, C1, "approved"), ("pv-s2", Province, C1, "approved"),
                     ("pv-s3", Province, C1, "approved"), ("pv-s4", Province, C1, "approved"), ("pv-s5", Province, C1, "approved"),
                     ("pv-s6", Province, C1, "approved"), ("pv-s7", Province, C2, "approved"), ("pv-s8", Province, C1, "pending"),
                     ("pv-sq", OtherProvince, otherCommune, "approved") })
        {
            var seller = await db.ExecuteScalarAsync<long>("""
                INSERT INTO sellers (slug, name, kind, province_code, commune_code, status, created_at)
                VALUES (@slug, 'HTX ' || @slug, 'cooperative', @province, @commune, @status, @opened) RETURNING id
                """, new { slug, province, commune, status, opened });
            Sellers[slug] = seller;
            await db.ExecuteAsync("""
                INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status, created_at)
                SELECT @seller, (SELECT id FROM categories WHERE slug = 'pv-che'), @slug || '-p' || i, 'Chè ' || @slug || ' ' || i, 'gói', 100000, 10,
                       CASE WHEN i = 4 THEN 'draft' ELSE 'published' END, @opened
                FROM generate_series(1, 4) i
                """, new { seller, slug, opened });
        }
        // A product put on sale on the last Tuesday (week 2 only).
        await db.ExecuteAsync("""
            INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status, created_at)
            VALUES (@s1, (SELECT id FROM categories WHERE slug = 'pv-che'), 'pv-s1-new', 'Chè mới', 'gói', 120000, 5, 'published', @tuesday)
            """, new { s1 = Sellers["pv-s1"], tuesday = At(LastDay, 10, 0) });
        // Trace batches: two of S1's products long ago; one of S7's on Monday of week 2. Scans either side of the boundary.
        var batchS1 = await db.ExecuteScalarAsync<long>("""
            INSERT INTO trace_batches (product_id, lot_code, code, quantity, unit, produced_on, created_at)
            SELECT id, 'L' || id, 'PVB' || chr(65 + (row_number() OVER (ORDER BY id))::int) || 'AAAA', 10, 'kg', '2031-01-20', '2031-02-01'
            FROM products WHERE slug IN ('pv-s1-p1', 'pv-s1-p2')
            RETURNING id
            """);
        var batchS7 = await db.ExecuteScalarAsync<long>("""
            INSERT INTO trace_batches (product_id, lot_code, code, quantity, unit, produced_on, created_at)
            SELECT id, 'L7', 'PVBZAAAA', 10, 'kg', '2031-03-01', @monday FROM products WHERE slug = 'pv-s7-p1' RETURNING id
            """, new { monday = At(Week2, 8, 0) });
        await db.ExecuteAsync("""
            INSERT INTO trace_batch_scans (batch_id, day, scans) VALUES (@batchS1, '2031-03-09', 5), (@batchS1, '2031-03-10', 7), (@batchS7, '2031-03-10', 2),
                                                                     (@batchS1, '2031-03-04', 3);
            INSERT INTO trace_units (batch_id, serial) VALUES (@batchS1, 'PVUNJT2345');
            INSERT INTO trace_unit_scans (unit_id, scanned_at, device, network)
            SELECT id, t, 'd', 'n' FROM trace_units, unnest(@times) t WHERE serial = 'PVUNJT2345';
            """, new { batchS1, batchS7, times = new[] { At(new DateOnly(2031, 3, 9), 23, 59), At(Week2, 0, 1), At(Week2, 0, 2) } });

        // Payments: every stall, every day, 0–3 payments (QR only at stalls with a sign by then), plus the boundary cases.
        var random = new Random(1803);
        var signed = (await db.QueryAsync<(long StallId, DateTimeOffset LinkedAt)>("SELECT stall_id, linked_at FROM stall_bank_accounts")).ToDictionary(r => r.StallId, r => r.LinkedAt);
        var stalls = (await db.QueryAsync<(long Id, DateTimeOffset CreatedAt)>("SELECT id, created_at FROM stalls")).ToList();
        for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
            foreach (var (stallId, createdAt) in stalls)
                for (var k = random.Next(0, 4); k > 0; k--)
                {
                    var at = VietnamTime.DayBounds(day).Start.AddSeconds(random.Next(5 * 3600, 22 * 3600));
                    if (at <= createdAt) continue;
                    var qr = signed.TryGetValue(stallId, out var linkedAt) && linkedAt < at && random.Next(3) > 0;
                    await ReportTestData.PaymentAsync(App, stallId, qr ? "qr" : "cash", random.Next(5, 400) * 1000L, at);
                }
        var m1s1 = await StallAsync(db, "pv-m1", "S1");
        await ReportTestData.PaymentAsync(App, m1s1, "qr", 123_000, At(new DateOnly(2031, 3, 9), 23, 30));      // Sunday night: week 1
        await ReportTestData.PaymentAsync(App, m1s1, "cash", 45_000, At(Week2, 0, 30));                         // Monday 00:30 = Sunday 17:30 UTC: week 2
        await ReportTestData.PaymentAsync(App, await StallAsync(db, "pv-m3", "S2"), "qr", 77_000, At(new DateOnly(2031, 3, 9), 23, 50),
            recordedAt: At(Week2, 8, 0));                                                                          // late: after Sunday's report
        await ReportTestData.PaymentAsync(App, await StallAsync(db, "pv-m2", "S3"), "cash", 31_000, At(Week2, 0, 0, 1));

        // Orders: a few a day per seller, some cancelled or returned; and either side of the boundary.
        var products = (await db.QueryAsync<(long Id, long SellerId)>("SELECT id, seller_id FROM products WHERE status = 'published' AND slug <> 'pv-s1-new'")).ToList();
        string[] statuses = ["placed", "confirmed", "delivered", "delivered", "cancelled", "returned"];
        for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
            foreach (var seller in Sellers.Where(s => s.Key != "pv-s8").Select(s => s.Value))
                for (var k = random.Next(0, 3); k > 0; k--)
                {
                    var product = products.First(p => p.SellerId == seller).Id;
                    await ReportTestData.OrderAsync(App, seller, product, random.Next(1, 4), random.Next(50, 300) * 1000L,
                        random.Next(2) == 0 ? "cod" : "transfer", statuses[random.Next(statuses.Length)],
                        VietnamTime.DayBounds(day).Start.AddSeconds(random.Next(6 * 3600, 23 * 3600)));
                }
        var s1Product = products.First(p => p.SellerId == Sellers["pv-s1"]).Id;
        await ReportTestData.OrderAsync(App, Sellers["pv-s1"], s1Product, 1, 250_000, "cod", "placed", At(new DateOnly(2031, 3, 9), 23, 45));
        await ReportTestData.OrderAsync(App, Sellers["pv-s1"], s1Product, 2, 90_000, "transfer", "placed", At(Week2, 0, 10));

        // The nightly reports of the nine days, then the province aggregates (as the 00:45 job would on Wednesday 12 March).
        for (var day = FirstDay; day <= LastDay; day = day.AddDays(1)) await App.ComputeAsync(day);
        App.Clock.Set(At(LastDay.AddDays(1), 0, 45));
        await App.Services.GetRequiredService<ProvinceAggregates>().RefreshAsync(App.Clock.GetUtcNow());
    }

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static Task<long> StallAsync(NpgsqlConnection db, string market, string number) =>
        db.ExecuteScalarAsync<long>("SELECT s.id FROM stalls s JOIN markets m ON m.id = s.market_id WHERE m.slug = @market AND s.stall_number = @number",
            new { market, number });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The test classes that share one <see cref="ProvinceWorld"/> (built once: it takes a while).</summary>
[CollectionDefinition(Name)]
public sealed class ProvinceWorldCollection : ICollectionFixture<ProvinceWorld>
{
    public const string Name = "province world";
}
