using Cho40.Db;
using Cho40.Tests.Infrastructure;
using static Cho40.Tests.Reports.ReportTestData;

namespace Cho40.Tests.Reports;

/// <summary>
/// Stored report figures equal a straightforward SQL over the raw rows, day by day, with rows placed on both sides of
/// Vietnam midnights (16:59:59Z / 17:00:00Z) — the straightforward SQL finds the day with AT TIME ZONE, the report with a
/// UTC window, so the two are written independently.
/// </summary>
public sealed class ReportTotalsTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await app.DisposeAsync();

    private sealed record Figures(long Id, long CashCount, long CashVnd, long QrCount, long QrVnd, long CodCount, long CodVnd);

    private sealed record Top(long Id, long Vnd);

    [Fact]
    public async Task Report_totals_equal_plain_sql_over_the_raw_rows_across_vietnam_midnights()
    {
        var day = Day;
        // Vietnam midnight starting the day is 17:00:00Z the evening before.
        Assert.Equal(new DateTimeOffset(2031, 3, 9, 17, 0, 0, TimeSpan.Zero), StartOf(day));

        // Boundary rows at one stall with distinctive amounts.
        var c09 = await StallIdAsync(app, "cho-thai", "C09");
        await PaymentAsync(app, c09, "cash", 11_000, StartOf(day).AddSeconds(-1));       // 2031-03-09T16:59:59Z → 9 March
        await PaymentAsync(app, c09, "qr", 22_000, StartOf(day));                       // 2031-03-09T17:00:00Z → 10 March
        await PaymentAsync(app, c09, "cash", 44_000, StartOf(day.AddDays(1)).AddSeconds(-1)); // 2031-03-10T16:59:59Z → 10 March
        await PaymentAsync(app, c09, "qr", 88_000, StartOf(day.AddDays(1)));            // 2031-03-10T17:00:00Z → 11 March

        // Boundary orders of one seller.
        var tanCuong = await IdAsync(app, "sellers", "htx-che-tan-cuong");
        var laBang = await IdAsync(app, "sellers", "htx-che-la-bang");
        var products = new Dictionary<long, IReadOnlyList<long>>
        {
            [tanCuong] = await ProductsOfAsync(app, tanCuong), [laBang] = await ProductsOfAsync(app, laBang),
        };
        await OrderAsync(app, tanCuong, products[tanCuong][0], 1, 150_000, "transfer", "placed", StartOf(day).AddSeconds(-1));
        await OrderAsync(app, tanCuong, products[tanCuong][0], 2, 150_000, "cod", "confirmed", StartOf(day));
        await OrderAsync(app, tanCuong, products[tanCuong][1], 1, 99_000, "cod", "cancelled", StartOf(day).AddHours(3));

        // Random rows over three days and the hours around them.
        var random = new Random(20310310);
        var stalls = new[]
        {
            await StallIdAsync(app, "cho-thai", "A01"), await StallIdAsync(app, "cho-thai", "B03"),
            await StallIdAsync(app, "cho-tuc-duyen", "A01"), await StallIdAsync(app, "cho-tuc-duyen", "C07"),
            await StallIdAsync(app, "cho-dong-quang", "A02"),
        };
        var from = StartOf(day.AddDays(-1)).AddHours(-2);
        var spanSeconds = (int)(StartOf(day.AddDays(2)).AddHours(2) - from).TotalSeconds;
        for (var i = 0; i < 240; i++)
        {
            var at = from.AddSeconds(random.Next(spanSeconds));
            await PaymentAsync(app, stalls[random.Next(stalls.Length)], random.Next(3) == 0 ? "cash" : "qr",
                random.Next(1, 500) * 1000 + 500, at, checkResult: random.Next(20) == 0 ? "short" : "ok");
        }
        string[] statuses = ["placed", "confirmed", "shipped", "delivered", "returned", "cancelled"];
        for (var i = 0; i < 90; i++)
        {
            var seller = random.Next(2) == 0 ? tanCuong : laBang;
            var product = products[seller][random.Next(products[seller].Count)];
            await OrderAsync(app, seller, product, random.Next(1, 6), random.Next(20, 400) * 1000, random.Next(2) == 0 ? "cod" : "transfer",
                statuses[random.Next(statuses.Length)], from.AddSeconds(random.Next(spanSeconds)));
        }

        foreach (var d in new[] { day.AddDays(-1), day, day.AddDays(1) })
            Assert.Equal(ReportDayOutcome.Computed, (await app.ComputeAsync(d)).Outcome);

        foreach (var d in new[] { day.AddDays(-1), day, day.AddDays(1) })
        {
            // Stalls: payments received, by method, on the Vietnam day of occurred_at.
            var plainStalls = await QueryAsync<Figures>(app, """
                SELECT stall_id AS Id,
                       count(*) FILTER (WHERE method = 'cash') AS CashCount, coalesce(sum(amount_vnd) FILTER (WHERE method = 'cash'), 0)::bigint AS CashVnd,
                       count(*) FILTER (WHERE method = 'qr') AS QrCount, coalesce(sum(amount_vnd) FILTER (WHERE method = 'qr'), 0)::bigint AS QrVnd,
                       0::bigint AS CodCount, 0::bigint AS CodVnd
                FROM stall_payments WHERE (occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = @d
                GROUP BY stall_id ORDER BY stall_id
                """, new { d });
            Assert.Equal(plainStalls, await StoredAsync("stall", d));
            Assert.True(plainStalls.Count >= 4, $"test data should cover several stalls on {d}");

            var plainMarkets = await QueryAsync<Figures>(app, """
                SELECT s.market_id AS Id,
                       count(*) FILTER (WHERE method = 'cash') AS CashCount, coalesce(sum(amount_vnd) FILTER (WHERE method = 'cash'), 0)::bigint AS CashVnd,
                       count(*) FILTER (WHERE method = 'qr') AS QrCount, coalesce(sum(amount_vnd) FILTER (WHERE method = 'qr'), 0)::bigint AS QrVnd,
                       0::bigint AS CodCount, 0::bigint AS CodVnd
                FROM stall_payments p JOIN stalls s ON s.id = p.stall_id
                WHERE (p.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = @d
                GROUP BY s.market_id ORDER BY s.market_id
                """, new { d });
            Assert.Equal(plainMarkets, await StoredAsync("market", d));

            // Sellers: goods value of the orders placed that day, not cancelled or returned, by payment method.
            var plainSellers = await QueryAsync<Figures>(app, """
                SELECT seller_id AS Id, 0::bigint AS CashCount, 0::bigint AS CashVnd,
                       count(*) FILTER (WHERE payment_method = 'transfer') AS QrCount,
                       coalesce(sum(subtotal_vnd) FILTER (WHERE payment_method = 'transfer'), 0)::bigint AS QrVnd,
                       count(*) FILTER (WHERE payment_method = 'cod') AS CodCount,
                       coalesce(sum(subtotal_vnd) FILTER (WHERE payment_method = 'cod'), 0)::bigint AS CodVnd
                FROM orders
                WHERE (created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = @d AND status NOT IN ('cancelled', 'returned')
                GROUP BY seller_id ORDER BY seller_id
                """, new { d });
            Assert.Equal(plainSellers, await StoredAsync("seller", d));

            // Top products of each seller: the five largest line totals of those orders.
            foreach (var seller in new[] { tanCuong, laBang })
            {
                var plainTop = await QueryAsync<Top>(app, """
                    SELECT i.product_id AS Id, sum(i.line_total_vnd)::bigint AS Vnd
                    FROM orders o JOIN order_items i ON i.order_id = o.id
                    WHERE o.seller_id = @seller AND (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = @d
                      AND o.status NOT IN ('cancelled', 'returned')
                    GROUP BY i.product_id ORDER BY 2 DESC, 1 LIMIT 5
                    """, new { seller, d });
                var stored = (await app.ReportQueries().FindAsync("seller", seller, d))!;
                Assert.Equal(plainTop, stored.TopItems.Select(t => new Top(t.Id, t.Vnd)).ToList());
            }
        }

        // The boundary stall, exactly.
        var reports = app.ReportQueries();
        var c09Before = (await reports.FindAsync("stall", c09, day.AddDays(-1)))!;
        var c09Day = (await reports.FindAsync("stall", c09, day))!;
        var c09After = (await reports.FindAsync("stall", c09, day.AddDays(1)))!;
        Assert.Equal((11_000L, 0L), (c09Before.CashVnd, c09Before.QrVnd));
        Assert.Equal((44_000L, 22_000L, 66_000L), (c09Day.CashVnd, c09Day.QrVnd, c09Day.TotalVnd));
        Assert.Equal((0L, 88_000L), (c09After.CashVnd, c09After.QrVnd));
        // Cashless share, the previous day and the average of the stored days before.
        Assert.Equal(3333, c09Day.CashlessShareBp);
        Assert.Equal(0, c09Before.CashlessShareBp);
        Assert.Equal(11_000, c09Day.PreviousDayVnd);
        Assert.Equal(500.0, c09Day.ChangeVsPreviousDayPercent);
        Assert.Equal(66_000, c09After.PreviousDayVnd);
        Assert.Equal((38_500L, 2), (c09After.Avg7Vnd!.Value, c09After.Avg7Days));
        Assert.Null(c09Before.PreviousDayVnd);

        // The boundary orders: 9 March's transfer is not on the 10th; the cancelled one is counted apart.
        var tcDay = (await reports.FindAsync("seller", tanCuong, day))!;
        Assert.True(tcDay.CodVnd >= 300_000);
        Assert.True(tcDay.CancelledCount >= 1);
        var tcBefore = (await reports.FindAsync("seller", tanCuong, day.AddDays(-1)))!;
        Assert.True(tcBefore.QrVnd >= 150_000);

        // Every stall, seller (approved) and market has its report for each day, zero or not.
        Assert.Equal(0L, await ScalarAsync<long>(app, """
            SELECT count(*) FROM stalls s WHERE NOT EXISTS (SELECT 1 FROM daily_reports r
                WHERE r.scope_kind = 'stall' AND r.scope_id = s.id AND r.report_day = @day)
            """, new { day }));
        Assert.Equal(0L, await ScalarAsync<long>(app, """
            SELECT (SELECT count(*) FROM markets) + (SELECT count(*) FROM sellers WHERE status = 'approved')
                 - (SELECT count(*) FROM daily_reports WHERE report_day = @day AND scope_kind IN ('market', 'seller'))
            """, new { day }));
    }

    [Fact]
    public async Task Top_products_equal_plain_sql_by_seller_and_product_with_names_as_sold_even_for_a_product_in_two_sellers_orders()
    {
        // The computation groups the day's lines by product (a product is its seller's); should one ever appear in orders
        // of two sellers, or carry two names in one day, the stored tops must still be what grouping by seller and product
        // gives, names and units as sold (the largest, as a plain max()).
        var day = Day;
        var tanCuong = await IdAsync(app, "sellers", "htx-che-tan-cuong");
        var laBang = await IdAsync(app, "sellers", "htx-che-la-bang");
        var ownTc = await ProductsOfAsync(app, tanCuong);
        var ownLb = await ProductsOfAsync(app, laBang);
        var random = new Random(150615);
        for (var i = 0; i < 40; i++)
        {
            var seller = i % 2 == 0 ? tanCuong : laBang;
            var products = seller == tanCuong ? ownTc : ownLb;
            await OrderAsync(app, seller, products[random.Next(Math.Min(products.Count, 7))], random.Next(1, 4), random.Next(20, 300) * 1000,
                random.Next(2) == 0 ? "cod" : "transfer", i % 9 == 0 ? "cancelled" : "placed", StartOf(day).AddMinutes(20 + i * 30));
        }
        // La Bằng's best product, also in an order of Tân Cương (written straight to the tables), sold big there.
        var shared = ownLb[0];
        var odd = await OrderAsync(app, tanCuong, ownTc[0], 1, 50_000, "cod", "placed", StartOf(day).AddHours(5));
        await ExecuteAsync(app, """
            INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
            SELECT @odd, id, name, unit, 900000, 10, 9000000 FROM products WHERE id = @shared
            """, new { odd, shared });
        await OrderAsync(app, laBang, shared, 1, 10_000, "transfer", "placed", StartOf(day).AddHours(6));
        // A product renamed during the day: its lines carry two names.
        var renamed = await OrderAsync(app, tanCuong, ownTc[1], 5, 1_000_000, "transfer", "placed", StartOf(day).AddHours(7));
        await ExecuteAsync(app, "UPDATE order_items SET product_name = 'Zzz chè đổi tên', unit = 'hộp 1 kg' WHERE order_id = @renamed",
            new { renamed });

        Assert.Equal(ReportDayOutcome.Computed, (await app.ComputeAsync(day)).Outcome);

        foreach (var seller in new[] { tanCuong, laBang })
        {
            var plainTop = await QueryAsync<ReportTopItem>(app, """
                SELECT i.product_id AS Id, max(i.product_name) AS Name, max(i.unit) AS Unit, sum(i.quantity)::bigint AS Quantity,
                       sum(i.line_total_vnd)::bigint AS Vnd
                FROM orders o JOIN order_items i ON i.order_id = o.id
                WHERE o.seller_id = @seller AND (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = @day
                  AND o.status NOT IN ('cancelled', 'returned')
                GROUP BY i.product_id ORDER BY 5 DESC, 1 LIMIT 5
                """, new { seller, day });
            var stored = (await app.ReportQueries().FindAsync("seller", seller, day))!;
            Assert.Equal(plainTop, stored.TopItems);
        }
        var tcTop = (await app.ReportQueries().FindAsync("seller", tanCuong, day))!.TopItems;
        Assert.Equal((shared, 10L, 9_000_000L), (tcTop[0].Id, tcTop[0].Quantity, tcTop[0].Vnd));
        Assert.Contains(tcTop, t => t.Name == "Zzz chè đổi tên");
        Assert.Contains((await app.ReportQueries().FindAsync("seller", laBang, day))!.TopItems, t => t.Id == shared && t.Vnd < 9_000_000);
    }

    private async Task<IReadOnlyList<Figures>> StoredAsync(string kind, DateOnly d) =>
        await QueryAsync<Figures>(app, """
            SELECT scope_id AS Id, cash_count::bigint AS CashCount, cash_vnd AS CashVnd, qr_count::bigint AS QrCount, qr_vnd AS QrVnd,
                   cod_count::bigint AS CodCount, cod_vnd AS CodVnd
            FROM daily_reports WHERE scope_kind = @kind AND report_day = @d AND total_count > 0 ORDER BY scope_id
            """, new { kind, d });
}
