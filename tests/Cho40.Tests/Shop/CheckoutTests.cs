using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;
using Cho40.Db.Domain;

namespace Cho40.Tests.Shop;

public sealed class CheckoutTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task Checkout_errors_are_shown_next_to_each_field_in_Vietnamese_and_nothing_is_ordered()
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, "gao-bao-thai-dinh-hoa-5kg");
        var ordersBefore = await ShopHelpers.ScalarAsync<long>(App, "SELECT count(*) FROM orders");

        var response = await client.SubmitFormAsync("/thanh-toan", "#checkout-form", new Dictionary<string, string>
        {
            ["Input.Name"] = "", ["Input.Phone"] = "0123 456", ["Input.ProvinceCode"] = "01", ["Input.CommuneCode"] = ShopHelpers.TanCuongCommune,
            ["Input.AddressLine"] = "", ["Input.PaymentMethod"] = "bitcoin",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        string ErrorFor(string field) => page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent;
        Assert.Contains("Vui lòng nhập họ và tên người nhận.", ErrorFor("Input.Name"));
        Assert.Contains("Số di động Việt Nam gồm 10 chữ số", ErrorFor("Input.Phone"));
        Assert.Contains("Vui lòng nhập số nhà", ErrorFor("Input.AddressLine"));
        Assert.Contains("Vui lòng chọn cách thanh toán.", ErrorFor("Input.PaymentMethod"));
        Assert.Contains("Xã / phường không thuộc tỉnh đã chọn.", page.QuerySelector("#InputCommuneCode")!.ParentElement!.TextContent);
        Assert.Equal(ordersBefore, await ShopHelpers.ScalarAsync<long>(App, "SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task Choosing_the_province_without_JavaScript_is_a_plain_GET_that_fills_the_commune_list()
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, "gao-bao-thai-dinh-hoa-5kg");
        var (_, form) = await client.GetPageAsync("/thanh-toan");
        var chooser = form.QuerySelector("#province-form")!;
        Assert.Equal("get", chooser.GetAttribute("method"));
        Assert.Equal("/thanh-toan", chooser.GetAttribute("action"));
        Assert.Equal("province", chooser.QuerySelector("select")!.GetAttribute("name"));
        Assert.NotNull(chooser.QuerySelector("button[type=submit]"));
        Assert.Empty(form.QuerySelectorAll("[formaction*='handler=Province'], [formmethod=post]"));
        Assert.True(form.QuerySelector("#InputCommuneCode")!.HasAttribute("disabled"));

        // What the browser sends when "Chọn" is pressed: a GET, so Back and Reload never resubmit anything.
        var (response, page) = await client.GetPageAsync($"/thanh-toan?province={ShopHelpers.ThaiNguyen}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(page.QuerySelectorAll("#InputCommuneCode option"), o => o.TextContent == "Xã Tân Cương");
        Assert.False(page.QuerySelector("#InputCommuneCode")!.HasAttribute("disabled"));
        Assert.Equal(ShopHelpers.ThaiNguyen, page.QuerySelector("#checkout-form input[name='Input.ProvinceCode']")!.GetAttribute("value"));
        Assert.Equal(ShopHelpers.ThaiNguyen, page.QuerySelector("#province option[selected]")!.GetAttribute("value"));

        // The order goes through from that page.
        var placed = await client.SubmitAsync(page, "#checkout-form", ShopHelpers.ValidCheckout());
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);

        // A province that does not exist is refused, not guessed.
        await ShopHelpers.AddToCartAsync(client, "gao-bao-thai-dinh-hoa-5kg");
        var (_, unknown) = await client.GetPageAsync("/thanh-toan?province=99");
        Assert.Contains("Vui lòng chọn tỉnh / thành phố.", unknown.QuerySelector("#province-error")!.TextContent);
        Assert.True(unknown.QuerySelector("#InputCommuneCode")!.HasAttribute("disabled"));
    }

    [Fact]
    public async Task The_commune_endpoint_lists_a_provinces_communes_as_small_cacheable_JSON()
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync($"/api/communes?province={ShopHelpers.ThaiNguyen}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("public", response.Headers.CacheControl!.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var communes = json.RootElement.EnumerateArray().ToList();
        Assert.Contains(communes, c => c.GetProperty("name").GetString() == "Xã Tân Cương" && c.GetProperty("code").GetString() == ShopHelpers.TanCuongCommune);
        var count = await ShopHelpers.ScalarAsync<long>(App, $"SELECT count(*) FROM communes WHERE province_code = '{ShopHelpers.ThaiNguyen}'");
        Assert.Equal(count, communes.Count);
        Assert.All(communes, c => Assert.Equal(2, c.EnumerateObject().Count())); // code and name, nothing else

        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/api/communes?province=99")).StatusCode);
        var missing = await client.Http.GetAsync("/api/communes");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.Http.GetAsync("/api/communes?province=%27%3B--")).StatusCode);
    }

    [Fact]
    public async Task A_basket_from_two_sellers_becomes_two_orders_priced_from_the_database()
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, "tra-moc-cau-tan-cuong-goi-100g", 2);  // HTX Chè Tân Cương, 75.000
        await ShopHelpers.AddToCartAsync(client, "che-bup-la-bang-hang-ngay", 1);       // HTX Chè La Bằng, 170.000
        var stockBefore = await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = 'tra-moc-cau-tan-cuong-goi-100g'");
        // The price changes between adding to the basket and checking out: the order takes today's price.
        await ShopHelpers.ExecuteAsync(App, "UPDATE products SET price_vnd = 80000 WHERE slug = 'tra-moc-cau-tan-cuong-goi-100g'");

        // A price smuggled into the form is ignored: there is no such field.
        var values = ShopHelpers.ValidCheckout();
        values["Input.PriceVnd"] = "1";
        values["price"] = "1";
        var response = await client.SubmitFormAsync("/thanh-toan", "#checkout-form", values);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var groupUrl = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/don-hang/nhom/", groupUrl);

        var (_, group) = await client.GetPageAsync(groupUrl);
        var links = group.QuerySelectorAll(".order-list h2 a").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Equal(2, links.Count);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        var orders = (await connection.QueryAsync<(string Code, string Seller, long Subtotal, long Total, string Phone)>("""
            SELECT o.code, s.slug, o.subtotal_vnd, o.total_vnd, o.customer_phone FROM orders o JOIN sellers s ON s.id = o.seller_id
            WHERE o.access_token = ANY(@tokens) ORDER BY s.slug
            """, new { tokens = links.Select(l => l.Split('/')[^1]).ToArray() })).ToList();
        Assert.Equal(["htx-che-la-bang", "htx-che-tan-cuong"], orders.Select(o => o.Seller));
        Assert.Equal(170_000, orders[0].Subtotal);
        Assert.Equal(160_000, orders[1].Subtotal);
        Assert.Equal(160_000 + 30_000, orders[1].Total);
        Assert.All(orders, o => Assert.Matches("^DH-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$", o.Code));
        Assert.All(orders, o => Assert.Equal("0912345678", o.Phone));
        Assert.Equal(stockBefore - 2, await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = 'tra-moc-cau-tan-cuong-goi-100g'"));

        // The basket is empty afterwards, and each order's page shows its items and status.
        var (_, cart) = await client.GetPageAsync("/gio-hang");
        Assert.Contains("Giỏ hàng đang trống.", cart.Body!.TextContent);
        var tanCuongToken = await ShopHelpers.ScalarAsync<string>(App, "SELECT access_token FROM orders WHERE code = @Code", new { orders[1].Code });
        var (orderResponse, orderPage) = await client.GetPageAsync("/don-hang/" + tanCuongToken);
        Assert.Equal(HttpStatusCode.OK, orderResponse.StatusCode);
        Assert.Contains("Mới đặt", orderPage.QuerySelector(".order-status")!.TextContent);
        Assert.Contains("Trà móc câu Tân Cương gói 100 g", orderPage.QuerySelector(".lines")!.TextContent);
        Assert.Contains("190.000 ₫", orderPage.QuerySelector(".lines tfoot")!.TextContent.Replace('\u00A0', ' '));
    }

    [Fact]
    public async Task Twenty_shoppers_racing_for_the_last_three_units_get_exactly_three_orders()
    {
        const string slug = "che-dinh-tan-cuong-thuong-hang";
        await ShopHelpers.ExecuteAsync(App, "UPDATE products SET stock = 3 WHERE slug = @slug", new { slug });
        var productId = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM products WHERE slug = @slug", new { slug });

        // Each shopper has the product in the basket and the checkout form open…
        var shoppers = new List<(PageClient Client, AngleSharp.Dom.IDocument Form)>();
        for (var i = 0; i < 20; i++)
        {
            var client = App.NewClient();
            await ShopHelpers.AddToCartAsync(client, slug);
            var (_, form) = await client.GetPageAsync("/thanh-toan");
            shoppers.Add((client, form));
        }
        // …and they all press "Đặt hàng" at once.
        var responses = await Task.WhenAll(shoppers.Select(s => Task.Run(() => s.Client.SubmitAsync(s.Form, "#checkout-form", ShopHelpers.ValidCheckout()))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Redirect));
        Assert.Equal(17, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = await PageClient.ParseAsync(responses.First(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Contains("đã hết hàng", refused.QuerySelector(".form-errors")!.TextContent);
        Assert.Equal(0, await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE id = @productId", new { productId }));
        Assert.Equal(3, await ShopHelpers.ScalarAsync<long>(App, "SELECT coalesce(sum(quantity), 0) FROM order_items WHERE product_id = @productId", new { productId }));
        foreach (var s in shoppers) s.Client.Dispose();
    }

    [Fact]
    public async Task Concurrent_checkouts_at_the_data_layer_never_oversell()
    {
        await using var db = NpgsqlDataSource.Create(App.ConnectionString);
        var orders = new Db.Orders(db);
        var productId = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM products WHERE slug = 'che-dinh-la-bang'");
        await ShopHelpers.ExecuteAsync(App, "UPDATE products SET stock = 5 WHERE id = @productId", new { productId });
        var other = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM products WHERE slug = 'che-bup-la-bang-hang-ngay'");

        // 30 baskets of 2 units (plus another product, locked in the same order) for 5 units: at most 2 succeed.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => orders.PlaceAsync(
            new CheckoutRequest(Guid.NewGuid(), null, "Khách " + i, "0912345678", "19", "05503", "Xóm 1", "", "cod",
                [new CartLine(other, 1), new CartLine(productId, 2)], 30_000), DateTimeOffset.UtcNow))));
        Assert.Equal(2, outcomes.Count(o => o.Status == CheckoutStatus.Placed));
        Assert.All(outcomes.Where(o => o.Status == CheckoutStatus.Unavailable),
            o => Assert.Equal(productId, Assert.Single(o.Unavailable).ProductId));
        Assert.Equal(1, await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE id = @productId", new { productId }));
    }

    [Fact]
    public async Task A_double_submit_of_the_same_form_places_one_checkout()
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, "mat-ong-rung-ba-be");
        var (_, form) = await client.GetPageAsync("/thanh-toan");
        var key = Guid.Parse(form.QuerySelector("input[name='Input.IdempotencyKey']")!.GetAttribute("value")!);
        var stockBefore = await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = 'mat-ong-rung-ba-be'");

        // Two clicks at once, then a retry after the first answer (the basket cookie is gone by then).
        var both = await Task.WhenAll(Task.Run(() => client.SubmitAsync(form, "#checkout-form", ShopHelpers.ValidCheckout("transfer"))),
            Task.Run(() => client.SubmitAsync(form, "#checkout-form", ShopHelpers.ValidCheckout("transfer"))));
        var retry = await client.SubmitAsync(form, "#checkout-form", ShopHelpers.ValidCheckout("transfer"));

        Assert.All(both.Append(retry), r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        Assert.Single(both.Append(retry).Select(r => r.Headers.Location!.OriginalString).Distinct());
        Assert.Equal(1, await ShopHelpers.ScalarAsync<long>(App, """
            SELECT count(*) FROM orders o JOIN checkout_groups g ON g.id = o.checkout_group_id WHERE g.idempotency_key = @key
            """, new { key }));
        Assert.Equal(stockBefore - 1, await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = 'mat-ong-rung-ba-be'"));
    }

    [Fact]
    public async Task A_transfer_order_shows_the_collection_account_amount_and_code_then_paid_once_the_bank_says_so()
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, "nam-huong-rung-kho-ba-be");
        var response = await ShopHelpers.CheckoutAsync(client, "transfer");
        var orderUrl = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/don-hang/", orderUrl);
        var token = orderUrl.Split('/')[^1];
        Assert.True(token.Length >= 22, "the order link must be unguessable");

        var (_, page) = await client.GetPageAsync(orderUrl);
        var code = page.QuerySelector("h1")!.TextContent.Split(' ')[^1];
        var total = await ShopHelpers.ScalarAsync<long>(App, "SELECT total_vnd FROM orders WHERE code = @code", new { code });
        var transfer = page.QuerySelector(".transfer")!.TextContent.Replace('\u00A0', ' ');
        Assert.Contains("Vietcombank", transfer);
        Assert.Contains(Cho40App.CollectionAccountNumber, transfer);
        Assert.Contains(Cho40.Web.Infrastructure.Formatting.Vnd(total).Replace('\u00A0', ' '), transfer);
        Assert.Contains("Cho40 " + code, transfer);
        Assert.DoesNotContain("Đã thanh toán", page.QuerySelector(".order-status")!.TextContent);

        // The QR image, read by an independent decoder (zbarimg), says the same: account, exact amount, the order code.
        var qr = await client.Http.GetAsync(page.QuerySelector("img.qr")!.GetAttribute("src"));
        Assert.Equal("image/png", qr.Content.Headers.ContentType!.MediaType);
        var payload = await Cho40.Tests.Payments.QrTools.DecodePngAsync(await qr.Content.ReadAsByteArrayAsync());
        var parsed = Cho40.Db.Domain.VietQrPayload.Parse(payload);
        Assert.True(parsed.IsValid, parsed.Error);
        Assert.Equal("970436", parsed.Value!.Bin);
        Assert.Equal(Cho40App.CollectionAccountNumber, parsed.Value.AccountNumber);
        Assert.Equal(total, parsed.Value.AmountVnd);
        Assert.Contains(code, payload);

        await using var db = NpgsqlDataSource.Create(App.ConnectionString);
        var orders = new Db.Orders(db);
        var bankTime = DateTimeOffset.UtcNow;
        Assert.Equal(TransferPaymentOutcome.Unknown, await orders.MarkPaidByTransferAsync("DH-ZZZZZZ", total, "tx-0", bankTime));
        Assert.Equal(TransferPaymentOutcome.AmountMismatch, await orders.MarkPaidByTransferAsync(code, total / 1000, "tx-1", bankTime));
        Assert.Equal(TransferPaymentOutcome.AmountMismatch, await orders.MarkPaidByTransferAsync(code, total + 1, "tx-2", bankTime));
        // Banks drop the hyphen and change case: the code still matches.
        Assert.Equal(TransferPaymentOutcome.Paid, await orders.MarkPaidByTransferAsync(code.Replace("-", " ").ToLowerInvariant(), total, "tx-3", bankTime));
        Assert.Equal(TransferPaymentOutcome.AlreadyPaid, await orders.MarkPaidByTransferAsync(code, total, "tx-3", bankTime));
        Assert.Equal(TransferPaymentOutcome.AlreadyPaid, await orders.MarkPaidByTransferAsync(code, total, "tx-4", bankTime.AddMinutes(1)));

        Assert.Equal(1, await ShopHelpers.ScalarAsync<long>(App,
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.code = @code AND e.kind = 'paid'", new { code }));
        Assert.Equal("tx-3", await ShopHelpers.ScalarAsync<string>(App,
            "SELECT payment_provider_transaction_id FROM orders WHERE code = @code", new { code }));
        var (_, paid) = await client.GetPageAsync(orderUrl);
        Assert.Contains("Đã thanh toán", paid.QuerySelector(".order-status")!.TextContent);
        Assert.Null(paid.QuerySelector(".transfer"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync(orderUrl + "?handler=VietQr")).StatusCode);
    }

    [Fact]
    public async Task Transfer_matching_ignores_COD_orders_and_one_bank_transaction_pays_one_order_only()
    {
        await using var db = NpgsqlDataSource.Create(App.ConnectionString);
        var orders = new Db.Orders(db);
        // Demo data: DH-TC2K7M is COD, DH-TC3H8N an unpaid transfer order.
        var cod = await ShopHelpers.ScalarAsync<long>(App, "SELECT total_vnd FROM orders WHERE code = 'DH-TC2K7M'");
        Assert.Equal(TransferPaymentOutcome.Unknown, await orders.MarkPaidByTransferAsync("DH-TC2K7M", cod, "tx-cod", DateTimeOffset.UtcNow));
        var transfer = await ShopHelpers.ScalarAsync<long>(App, "SELECT total_vnd FROM orders WHERE code = 'DH-TC3H8N'");
        Assert.Equal(TransferPaymentOutcome.AlreadyPaid,
            await orders.MarkPaidByTransferAsync("DH-TC3H8N", transfer, "DEMO-DH-TC5W2Q", DateTimeOffset.UtcNow));
        Assert.Equal("unpaid", await ShopHelpers.ScalarAsync<string>(App, "SELECT payment_status FROM orders WHERE code = 'DH-TC3H8N'"));
        Assert.Null(Db.Orders.NormalizeCode("DH-0OIL11"));
        Assert.Equal("DH-7KQ3XM", Db.Orders.NormalizeCode("dh7kq3xm"));
    }
}
