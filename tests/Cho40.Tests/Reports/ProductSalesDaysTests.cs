using System.Text.Json;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;
using static Cho40.Tests.Reports.ReportTestData;

namespace Cho40.Tests.Reports;

/// <summary>
/// product_sales_days (kept by triggers, migration 0930) stays exactly a recomputation from order_items when orders go
/// through the real write paths — checkout, cancel, return, expiry of unpaid transfers — on days on both sides of Vietnam
/// midnights, and the sellers' top products in the stored reports, which now read it, equal the top products computed from
/// the lines at the moment of each computation.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ProductSalesDaysTests : IAsyncLifetime
{
    private Cho40App app = null!;
    private NpgsqlDataSource db = null!;

    public async Task InitializeAsync()
    {
        app = await Cho40App.StartAsync(withDemoData: true);
        db = NpgsqlDataSource.Create(app.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await db.DisposeAsync();
        await app.DisposeAsync();
    }

    private sealed record SalesRow(DateTime Day, long SellerId, long ProductId, string Name, string Unit, long Lines, long Quantity, long Vnd);

    private sealed record TopItem(long Id, string Name, string Unit, long Quantity, long Vnd);

    /// <summary>A seller of its own (approved) with <paramref name="count"/> published products in stock.</summary>
    private async Task<(long Seller, long[] Products)> NewSellerAsync(int count)
    {
        var tag = "psd-" + Guid.NewGuid().ToString("N")[..10];
        var seller = await ScalarAsync<long>(app, """
            INSERT INTO sellers (slug, name, kind, province_code, status, created_at)
            VALUES (@tag, 'HTX thử ' || @tag, 'cooperative', '19', 'approved', '2030-01-01') RETURNING id
            """, new { tag });
        var products = (await QueryAsync<long>(app, """
            INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status)
            SELECT @seller, (SELECT min(id) FROM categories), @tag || '-' || i, 'Chè thử ' || i || ' ' || @tag, 'gói 200 g',
                   (10 + i) * 1000, 100000, 'published'
            FROM generate_series(1, @count) i ORDER BY i RETURNING id
            """, new { seller, tag, count })).ToArray();
        return (seller, products);
    }

    private async Task<PlacedOrder> PlaceAsync(Db.Orders orders, DateTimeOffset at, string payment, params (long Product, int Quantity)[] lines)
    {
        var outcome = await orders.PlaceAsync(new CheckoutRequest(Guid.NewGuid(), null, "Khách thử", "0912345678", "19", "05503",
            "Xóm 1", "", payment, lines.Select(l => new CartLine(l.Product, l.Quantity)).ToList(), 30_000,
            payment == "transfer" ? at.AddHours(6) : null), at);
        Assert.Equal(CheckoutStatus.Placed, outcome.Status);
        return Assert.Single(outcome.Orders);
    }

    /// <summary>The table's rows of these sellers with lines, and a from-scratch aggregation of order_items, side by side.</summary>
    private async Task AssertTableEqualsLinesAsync(params long[] sellers)
    {
        var table = await QueryAsync<SalesRow>(app, """
            SELECT sale_day::timestamp AS Day, seller_id AS SellerId, product_id AS ProductId, product_name AS Name, unit,
                   line_count AS Lines, quantity, revenue_vnd AS Vnd
            FROM product_sales_days WHERE seller_id = ANY(@sellers) AND line_count <> 0
            ORDER BY 1, 2, 3, 4, 5
            """, new { sellers });
        var fromLines = await QueryAsync<SalesRow>(app, """
            SELECT (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date::timestamp AS Day, o.seller_id AS SellerId,
                   i.product_id AS ProductId, i.product_name AS Name, i.unit, count(*) AS Lines, sum(i.quantity)::bigint AS Quantity,
                   sum(i.line_total_vnd)::bigint AS Vnd
            FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE o.seller_id = ANY(@sellers) AND o.status NOT IN ('cancelled', 'returned')
            GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
            """, new { sellers });
        Assert.NotEmpty(fromLines);
        Assert.Equal(fromLines, table);
        // Rows that fell to zero are all zero (a line taken back takes its quantity and money with it).
        Assert.Equal(0, await ScalarAsync<long>(app, """
            SELECT count(*) FROM product_sales_days
            WHERE seller_id = ANY(@sellers) AND (line_count < 0 OR quantity < 0 OR revenue_vnd < 0
                  OR (line_count = 0 AND (quantity <> 0 OR revenue_vnd <> 0)))
            """, new { sellers }));
    }

    /// <summary>The seller's five best products of the day, from the lines as they are now (the report's rule, written apart).</summary>
    private async Task<List<TopItem>> TopFromLinesAsync(long seller, DateOnly day) =>
        (await QueryAsync<TopItem>(app, """
            SELECT i.product_id AS Id, max(i.product_name) AS Name, max(i.unit) AS Unit, sum(i.quantity)::bigint AS Quantity,
                   sum(i.line_total_vnd)::bigint AS Vnd
            FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE o.seller_id = @seller AND (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = @day
              AND o.status NOT IN ('cancelled', 'returned')
            GROUP BY i.product_id ORDER BY 5 DESC, 1 LIMIT 5
            """, new { seller, day })).ToList();

    private async Task<List<TopItem>> StoredTopAsync(long seller, DateOnly day)
    {
        var json = await ScalarAsync<string>(app,
            "SELECT top::text FROM daily_reports WHERE scope_kind = 'seller' AND scope_id = @seller AND report_day = @day", new { seller, day });
        return JsonSerializer.Deserialize<List<TopItem>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    [Fact]
    public async Task The_table_equals_the_lines_through_checkout_cancel_return_and_expiry_across_vietnam_midnights()
    {
        var orders = new Db.Orders(db);
        var day = new DateOnly(2031, 5, 20);
        var (seller, p) = await NewSellerAsync(7);
        var (other, q) = await NewSellerAsync(2);
        var admin = await ScalarAsync<long>(app, "SELECT id FROM users WHERE phone = '0900000001'");

        // Checkouts on three Vietnam days, some a second either side of midnight (17:00:00Z), one basket of two sellers.
        await PlaceAsync(orders, StartOf(day).AddSeconds(-1), "cod", (p[0], 2), (p[1], 1));  // day − 1
        await PlaceAsync(orders, StartOf(day), "cod", (p[0], 3), (p[2], 1));                     // day
        var toCancelLate = await PlaceAsync(orders, StartOf(day).AddHours(-5), "cod", (p[1], 4), (p[3], 2));        // day − 1
        var toCancel = await PlaceAsync(orders, StartOf(day).AddHours(2), "cod", (p[0], 5), (p[4], 1));             // day
        var toReturn = await PlaceAsync(orders, StartOf(day).AddHours(3), "cod", (p[2], 2), (p[5], 7));             // day
        var unpaid = await PlaceAsync(orders, StartOf(day).AddHours(4), "transfer", (p[4], 9));                     // day, expires
        var both = await orders.PlaceAsync(new CheckoutRequest(Guid.NewGuid(), null, "Khách thử", "0912345678", "19", "05503",
            "Xóm 1", "", "cod", [new CartLine(q[0], 1), new CartLine(p[6], 2), new CartLine(q[1], 3)], 30_000),
            StartOf(day.AddDays(1)).AddSeconds(-1));                                                               // day, two orders
        Assert.Equal(2, both.Orders.Count);
        // The product renamed during the day: its later lines carry the new name ("as sold"), the earlier ones the old.
        await ExecuteAsync(app, "UPDATE products SET name = 'Zz chè đổi tên', unit = 'hộp 1 kg' WHERE id = @id", new { id = p[0] });
        await PlaceAsync(orders, StartOf(day).AddHours(12), "cod", (p[0], 1));                                     // day, new name
        await PlaceAsync(orders, StartOf(day.AddDays(1)), "cod", (p[0], 6), (p[1], 1));                            // day + 1
        await AssertTableEqualsLinesAsync(seller, other);

        // Cancel, and a return (the carrier brings the parcel back); the unpaid transfer's hold ends.
        Assert.Equal(TransitionResult.Done, await orders.TransitionAsync(toCancel.Id, OrderAction.Cancel, admin, true, StartOf(day).AddHours(5)));
        Assert.Equal(TransitionResult.Done, await orders.TransitionAsync(toReturn.Id, OrderAction.Confirm, admin, true, StartOf(day).AddHours(6)));
        Assert.Equal(TransitionResult.Done,
            await orders.TransitionAsync(toReturn.Id, OrderAction.Ship, admin, true, StartOf(day).AddHours(7), "GHN", "GHN123"));
        Assert.Equal(TransitionResult.Done, await orders.TransitionAsync(toReturn.Id, OrderAction.Return, admin, true, StartOf(day).AddHours(9)));
        Assert.True(await orders.ExpireUnpaidTransfersAsync(StartOf(day).AddHours(11)) >= 1);
        Assert.Equal("cancelled", await ScalarAsync<string>(app, "SELECT status FROM orders WHERE id = @Id", unpaid));
        await AssertTableEqualsLinesAsync(seller, other);

        // Day − 1 is reported; then one of its orders is cancelled (after its report): the table follows the order, the
        // issued report stays as computed.
        var expectedBefore = await TopFromLinesAsync(seller, day.AddDays(-1));
        Assert.Equal([(p[1], 5L), (p[3], 2L), (p[0], 2L)],
            expectedBefore.OrderBy(t => t.Id == p[0] ? 2 : t.Id == p[1] ? 0 : 1).Select(t => (t.Id, t.Quantity)));
        Assert.Equal(ReportDayOutcome.Computed, (await app.ComputeAsync(day.AddDays(-1))).Outcome);
        Assert.Equal(expectedBefore, await StoredTopAsync(seller, day.AddDays(-1)));
        Assert.Equal(TransitionResult.Done, await orders.TransitionAsync(toCancelLate.Id, OrderAction.Cancel, admin, true, NightlyRunOn(day.AddDays(1))));
        await AssertTableEqualsLinesAsync(seller, other);
        Assert.NotEqual(expectedBefore, await TopFromLinesAsync(seller, day.AddDays(-1)));
        Assert.Equal(expectedBefore, await StoredTopAsync(seller, day.AddDays(-1)));

        // The day and the next: the stored top products equal the lines' (names as sold: the largest of the day's).
        foreach (var d in new[] { day, day.AddDays(1) })
        {
            Assert.Equal(ReportDayOutcome.Computed, (await app.ComputeAsync(d)).Outcome);
            foreach (var s in new[] { seller, other })
                Assert.Equal(await TopFromLinesAsync(s, d), await StoredTopAsync(s, d));
        }
        var top = await StoredTopAsync(seller, day);
        Assert.Equal("Zz chè đổi tên", top.Single(t => t.Id == p[0]).Name);
        Assert.Equal(3 + 1, top.Single(t => t.Id == p[0]).Quantity); // the first second's 3 and the renamed 1; the cancelled 5 not
        Assert.DoesNotContain(top, t => t.Id == p[5]);                // returned
        Assert.Equal(2, (await StoredTopAsync(other, day)).Count);
    }

    [Fact]
    public async Task Concurrent_checkouts_and_cancels_of_the_same_products_are_all_counted_without_deadlock()
    {
        var orders = new Db.Orders(db);
        var (seller, p) = await NewSellerAsync(2);
        var admin = await ScalarAsync<long>(app, "SELECT id FROM users WHERE phone = '0900000001'");
        var at = StartOf(new DateOnly(2031, 5, 25)).AddHours(9);
        // Orders to cancel while others check out the same two products on the same day: a cancel takes the order's row,
        // then the products (in the trigger, before the sales rows), as checkout takes the products before its lines.
        var existing = new List<PlacedOrder>();
        for (var i = 0; i < 30; i++) existing.Add(await PlaceAsync(orders, at, "cod", (p[1], 1), (p[0], 1)));

        var checkouts = Enumerable.Range(0, 40).Select(i => Task.Run(() => PlaceAsync(orders, at.AddSeconds(i), "cod",
            i % 2 == 0 ? new[] { (p[0], 2), (p[1], 1) } : new[] { (p[1], 1), (p[0], 2) })));
        var cancels = existing.Select(o => Task.Run(() => orders.TransitionAsync(o.Id, OrderAction.Cancel, admin, true, at.AddMinutes(1))));
        var placed = await Task.WhenAll(checkouts);
        Assert.All(await Task.WhenAll(cancels), r => Assert.Equal(TransitionResult.Done, r));

        Assert.Equal(40, placed.Length);
        await AssertTableEqualsLinesAsync(seller);
        Assert.Equal(40 * 2, await ScalarAsync<long>(app,
            "SELECT sum(quantity) FROM product_sales_days WHERE seller_id = @seller AND product_id = @id", new { seller, id = p[0] }));
        Assert.Equal(40, await ScalarAsync<long>(app,
            "SELECT sum(line_count) FROM product_sales_days WHERE seller_id = @seller AND product_id = @id", new { seller, id = p[1] }));
    }

    [Fact]
    public async Task A_cancel_waits_for_a_checkout_holding_its_product_before_touching_the_sales_rows()
    {
        // The interleaving that would deadlock if a cancel took the sales rows before the products: a checkout has taken a
        // product's stock (its row lock) and not yet inserted its lines; a cancel of an earlier order of that product and
        // day starts. The cancel must wait on the product (the trigger locks it first), so the checkout's lines go in.
        var orders = new Db.Orders(db);
        var (seller, p) = await NewSellerAsync(1);
        var admin = await ScalarAsync<long>(app, "SELECT id FROM users WHERE phone = '0900000001'");
        var at = StartOf(new DateOnly(2031, 5, 27)).AddHours(9);
        var earlier = await PlaceAsync(orders, at, "cod", (p[0], 1));

        await using var checkout = await db.OpenConnectionAsync();
        await using var tx = await checkout.BeginTransactionAsync();
        // Checkout's first step (Orders.PlaceAsync): the guarded stock update, which locks the product row.
        await checkout.ExecuteAsync("UPDATE products SET stock = stock - 2 WHERE id = @id", new { id = p[0] }, tx);
        var cancel = Task.Run(() => orders.TransitionAsync(earlier.Id, OrderAction.Cancel, admin, true, at.AddMinutes(1)));
        // Wait until the cancel is blocked on a lock (it holds its order row and waits for the product).
        for (var i = 0; i < 100 && !await ScalarAsync<bool>(app,
                 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database())"); i++)
            await Task.Delay(50);
        Assert.False(cancel.IsCompleted);
        // Checkout's next steps: the order and its line (the insert trigger adds to the day's sales row), commit.
        await checkout.ExecuteAsync("""
            WITH g AS (INSERT INTO checkout_groups (idempotency_key, access_token, created_at)
                       VALUES (gen_random_uuid(), 'psd-' || gen_random_uuid(), @at) RETURNING id),
            o AS (INSERT INTO orders (code, access_token, checkout_group_id, seller_id, customer_name, customer_phone, province_code,
                                      commune_code, address_line, payment_method, status, subtotal_vnd, shipping_fee_vnd, total_vnd,
                                      created_at, updated_at)
                  SELECT @code, 'psd-' || gen_random_uuid(), g.id, @seller, 'Khách thử', '0912345678', '19', '05503', 'Xóm 1', 'cod',
                         'placed', 22000, 0, 22000, @at, @at FROM g RETURNING id)
            INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
            SELECT o.id, p.id, p.name, p.unit, 11000, 2, 22000 FROM o, products p WHERE p.id = @id
            """, new { at, seller, id = p[0], code = Db.Orders.NewCode() }, tx);
        await tx.CommitAsync();

        Assert.Equal(TransitionResult.Done, await cancel);
        await AssertTableEqualsLinesAsync(seller);
        Assert.Equal(2, await ScalarAsync<long>(app,
            "SELECT sum(quantity) FROM product_sales_days WHERE seller_id = @seller AND line_count > 0", new { seller }));
    }

    [Fact]
    public async Task Direct_changes_to_orders_and_lines_keep_the_table_exact()
    {
        // Nothing in the product moves an order to another day or seller, edits or deletes lines, or deletes orders; the
        // tests' and benchmarks' setup does, and the triggers cover those writes too.
        var orders = new Db.Orders(db);
        var (seller, p) = await NewSellerAsync(3);
        var (other, _) = await NewSellerAsync(1);
        var at = StartOf(new DateOnly(2031, 5, 29)).AddHours(1);
        var placed = new List<PlacedOrder>();
        for (var i = 0; i < 6; i++) placed.Add(await PlaceAsync(orders, at.AddMinutes(i), "cod", (p[0], 1 + i), (p[1], 2), (p[2], 1)));
        await AssertTableEqualsLinesAsync(seller, other);

        await ExecuteAsync(app, "UPDATE orders SET created_at = created_at - interval '2 hours' WHERE id = @Id", placed[0]); // the day before
        await ExecuteAsync(app, "UPDATE orders SET seller_id = @other WHERE id = @Id", new { placed[1].Id, other });
        await ExecuteAsync(app, "UPDATE order_items SET quantity = 7, line_total_vnd = unit_price_vnd * 7 WHERE order_id = @Id AND product_id = @p0",
            new { placed[2].Id, p0 = p[0] });
        await ExecuteAsync(app, "UPDATE order_items SET product_name = 'Aa tên khác' WHERE order_id = @Id", placed[3]);
        await ExecuteAsync(app, "DELETE FROM order_items WHERE order_id = @Id AND product_id = @p1", new { placed[4].Id, p1 = p[1] });
        await ExecuteAsync(app, "DELETE FROM orders WHERE id = @Id", placed[5]); // its lines go with it (ON DELETE CASCADE)
        await AssertTableEqualsLinesAsync(seller, other);
        Assert.Equal(0, await ScalarAsync<long>(app,
            "SELECT count(*) FROM order_items WHERE order_id = @Id", placed[5]));
        Assert.Equal(1, await ScalarAsync<long>(app,
            "SELECT count(*) FROM product_sales_days WHERE sale_day = @d AND seller_id = @seller AND line_count > 0 AND product_id = @p0",
            new { d = new DateOnly(2031, 5, 28), seller, p0 = p[0] }));
    }
}
