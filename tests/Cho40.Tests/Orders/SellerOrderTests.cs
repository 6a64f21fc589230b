using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;

namespace Cho40.Tests.Orders;

public sealed class SellerOrderTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    private const string TanCuong = "0900000003";
    private const string LaBang = "0900000007";

    private async Task<long> NewOrderAsync(string productSlug, int quantity = 1)
    {
        using var shopper = App.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, productSlug, quantity);
        var response = await ShopHelpers.CheckoutAsync(shopper);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var token = response.Headers.Location!.OriginalString.Split('/')[^1];
        return await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM orders WHERE access_token = @token", new { token });
    }

    private static Task<HttpResponseMessage> ActAsync(PageClient seller, long orderId, string handler, Dictionary<string, string>? values = null,
        string area = "Seller") =>
        seller.SubmitFormAsync($"/{area}/Orders/{orderId}", $"form[action*='handler={handler}']", values ?? new Dictionary<string, string>());

    private Task<string> StatusAsync(long orderId) =>
        ShopHelpers.ScalarAsync<string>(App, "SELECT status FROM orders WHERE id = @orderId", new { orderId });

    private Task<int> StockAsync(string slug) =>
        ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = @slug", new { slug });

    [Fact]
    public async Task A_seller_lists_and_filters_only_its_own_orders()
    {
        using var seller = App.NewClient();
        await seller.SignInAsync(TanCuong);
        var (response, page) = await seller.GetPageAsync("/Seller/Orders");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var codes = page.QuerySelectorAll(".order-list h2 a").Select(a => a.TextContent).ToList();
        Assert.Contains("DH-TC2K7M", codes);
        Assert.Contains("DH-TC8D3S", codes);
        Assert.DoesNotContain("DH-BA4G7T", codes); // La Bằng's
        Assert.DoesNotContain("DH-NA3F6W", codes); // Ba Bể's

        // The filters list exactly the seller's orders that match, as the database has them now (other tests of this
        // class add orders of their own: the expectation is read, not assumed), and the demo's own examples among them.
        async Task<string[]> ExpectedAsync(string condition) =>
            (await ShopHelpers.QueryAsync<string>(App, $"""
                SELECT o.code FROM orders o JOIN sellers s ON s.id = o.seller_id
                WHERE s.slug = 'htx-che-tan-cuong' AND {condition} ORDER BY o.code
                """)).ToArray();
        var (_, transfers) = await seller.GetPageAsync("/Seller/Orders?payment=transfer");
        var transferCodes = transfers.QuerySelectorAll(".order-list h2 a").Select(a => a.TextContent).Order().ToArray();
        Assert.Equal(await ExpectedAsync("o.payment_method = 'transfer'"), transferCodes);
        Assert.Contains("DH-TC3H8N", transferCodes);
        Assert.Contains("DH-TC5W2Q", transferCodes);
        var (_, shipped) = await seller.GetPageAsync("/Seller/Orders?status=shipped");
        var shippedCodes = shipped.QuerySelectorAll(".order-list h2 a").Select(a => a.TextContent).Order().ToArray();
        Assert.Equal(await ExpectedAsync("o.status = 'shipped'"), shippedCodes);
        Assert.Contains("DH-TC6Y4R", shippedCodes);
        var today = Cho40.Db.Domain.VietnamTime.DayOf(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd");
        var (_, recent) = await seller.GetPageAsync($"/Seller/Orders?from={today}&to={today}");
        Assert.DoesNotContain("DH-TC8D3S", recent.QuerySelectorAll(".order-list h2 a").Select(a => a.TextContent)); // 6 days old
    }

    [Fact]
    public async Task Another_sellers_order_answers_404_and_cannot_be_changed_by_guessing_its_id()
    {
        var laBangOrder = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM orders WHERE code = 'DH-BA4G7T'");
        using var tanCuong = App.NewClient();
        await tanCuong.SignInAsync(TanCuong);
        Assert.Equal(HttpStatusCode.NotFound, (await tanCuong.Http.GetAsync($"/Seller/Orders/{laBangOrder}")).StatusCode);

        // Even with a valid antiforgery token taken from one of its own orders' pages.
        var ownOrder = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM orders WHERE code = 'DH-TC2K7M'");
        var (_, ownPage) = await tanCuong.GetPageAsync($"/Seller/Orders/{ownOrder}");
        var token = ownPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        foreach (var handler in new[] { "Confirm", "Cancel", "Deliver" })
        {
            var post = await tanCuong.Http.PostAsync($"/Seller/Orders/{laBangOrder}?handler={handler}",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }
        Assert.Equal("placed", await StatusAsync(laBangOrder));

        using var laBang = App.NewClient();
        await laBang.SignInAsync(LaBang);
        Assert.Equal(HttpStatusCode.OK, (await laBang.Http.GetAsync($"/Seller/Orders/{laBangOrder}")).StatusCode);

        using var shopper = App.NewClient();
        await shopper.SignInAsync("0900000006");
        var refused = await shopper.Http.GetAsync($"/Seller/Orders/{laBangOrder}");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", refused.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_order_goes_confirmed_shipped_delivered_with_a_history_and_cannot_then_be_cancelled()
    {
        var orderId = await NewOrderAsync("che-xanh-huu-co-tan-cuong", 2);
        var stock = await StockAsync("che-xanh-huu-co-tan-cuong");
        using var seller = App.NewClient();
        await seller.SignInAsync(TanCuong);

        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(seller, orderId, "Confirm")).StatusCode);
        Assert.Equal("confirmed", await StatusAsync(orderId));
        await ActAsync(seller, orderId, "Ship", new() { ["carrier"] = "Viettel Post", ["trackingCode"] = "VTP123456789" });
        Assert.Equal("shipped", await StatusAsync(orderId));
        await ActAsync(seller, orderId, "Deliver");
        Assert.Equal("delivered", await StatusAsync(orderId));
        Assert.Equal(stock, await StockAsync("che-xanh-huu-co-tan-cuong")); // delivered goods stay sold

        // A stale page's "cancel" button after delivery is refused by the server.
        var (_, page) = await seller.GetPageAsync($"/Seller/Orders/{orderId}");
        Assert.Null(page.QuerySelector("form[action*='handler=Cancel']"));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
                    ?? (await seller.GetPageAsync("/Seller/Orders")).Page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var cancel = await seller.Http.PostAsync($"/Seller/Orders/{orderId}?handler=Cancel",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        Assert.Equal("delivered", await StatusAsync(orderId));
        Assert.Equal(stock, await StockAsync("che-xanh-huu-co-tan-cuong"));

        var (_, final) = await seller.GetPageAsync($"/Seller/Orders/{orderId}");
        var history = final.QuerySelectorAll(".history li").Select(li => li.TextContent).ToList();
        Assert.Equal(4, history.Count);
        Assert.Contains("Người bán xác nhận", history[1]);
        Assert.Contains("Trần Thị Chè", history[1]);
        Assert.Contains("Viettel Post · VTP123456789", history[2]);
        Assert.Contains("Đã giao thành công", history[3]);
    }

    [Fact]
    public async Task Cancelling_or_a_return_puts_the_stock_back_and_a_cancelled_order_cannot_be_delivered()
    {
        const string slug = "tra-xanh-tui-loc-tan-cuong";
        var stock = await StockAsync(slug);
        var cancelled = await NewOrderAsync(slug, 3);
        var returned = await NewOrderAsync(slug, 2);
        Assert.Equal(stock - 5, await StockAsync(slug));

        using var seller = App.NewClient();
        await seller.SignInAsync(TanCuong);
        await ActAsync(seller, cancelled, "Cancel", new() { ["reason"] = "out-of-stock" });
        Assert.Equal("cancelled", await StatusAsync(cancelled));
        Assert.Equal(stock - 2, await StockAsync(slug));

        await ActAsync(seller, returned, "Confirm");
        await ActAsync(seller, returned, "Ship", new() { ["carrier"] = "GHN", ["trackingCode"] = "GHN42" });
        await ActAsync(seller, returned, "Return");
        Assert.Equal("returned", await StatusAsync(returned));
        Assert.Equal(stock, await StockAsync(slug));

        // Guarded transitions at the data layer too: nothing moves a cancelled order, and stock is restored once.
        await using var db = Npgsql.NpgsqlDataSource.Create(App.ConnectionString);
        var orders = new Cho40.Db.Orders(db);
        var userId = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM users WHERE phone = @TanCuong", new { TanCuong });
        foreach (var action in Enum.GetValues<Cho40.Db.OrderAction>().Where(a => a != Cho40.Db.OrderAction.Ship))
            Assert.Equal(Cho40.Db.TransitionResult.NotAllowed, await orders.TransitionAsync(cancelled, action, userId, false, DateTimeOffset.UtcNow));
        Assert.Equal(stock, await StockAsync(slug));
        Assert.Equal("cancelled", await StatusAsync(cancelled));
    }

    [Fact]
    public async Task Handing_to_a_carrier_needs_the_carrier_and_the_tracking_code_which_are_stored_and_shown()
    {
        var orderId = await NewOrderAsync("bot-tra-xanh-tan-cuong");
        var token = await ShopHelpers.ScalarAsync<string>(App, "SELECT access_token FROM orders WHERE id = @orderId", new { orderId });
        Task<string> CarrierAndCodeAsync() => ShopHelpers.ScalarAsync<string>(App,
            "SELECT coalesce(carrier, '∅') || '|' || coalesce(tracking_code, '∅') FROM orders WHERE id = @orderId", new { orderId });
        using var seller = App.NewClient();
        await seller.SignInAsync(TanCuong);
        await ActAsync(seller, orderId, "Confirm");
        Assert.Equal("confirmed", await StatusAsync(orderId));

        // Without a tracking code, or without a carrier: refused with the reason, nothing stored, still confirmed.
        foreach (var (carrier, code) in new[] { ("Viettel Post", " "), ("", "VTP987654321") })
        {
            var refused = await ActAsync(seller, orderId, "Ship", new() { ["carrier"] = carrier, ["trackingCode"] = code });
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            var (_, page) = await seller.GetPageAsync(refused.Headers.Location!.OriginalString);
            Assert.Equal("Vui lòng nhập đơn vị vận chuyển và mã vận đơn.", page.QuerySelector(".flash")!.TextContent.Trim());
            Assert.Equal("confirmed", await StatusAsync(orderId));
            Assert.Equal("∅|∅", await CarrierAndCodeAsync());
        }

        // With both: shipped, the carrier and the code stored as typed (trimmed)…
        var shippedResponse = await ActAsync(seller, orderId, "Ship", new() { ["carrier"] = " Viettel Post ", ["trackingCode"] = " VTP987654321 " });
        Assert.Equal(HttpStatusCode.Redirect, shippedResponse.StatusCode);
        Assert.Equal("shipped", await StatusAsync(orderId));
        Assert.Equal("Viettel Post|VTP987654321", await CarrierAndCodeAsync());
        Assert.Equal("confirmed→shipped|Viettel Post · VTP987654321", await ShopHelpers.ScalarAsync<string>(App, """
            SELECT from_status || '→' || to_status || '|' || detail FROM order_events WHERE order_id = @orderId ORDER BY id DESC LIMIT 1
            """, new { orderId }));

        // …and shown to the seller and to the shopper (the order's own page).
        var (_, sellerPage) = await seller.GetPageAsync($"/Seller/Orders/{orderId}");
        Assert.Equal("Đang giao", sellerPage.QuerySelector("h1 .status")!.TextContent.Trim());
        Assert.Contains(sellerPage.QuerySelectorAll(".card p"), p => p.TextContent.Contains("Đơn vị vận chuyển: Viettel Post · Mã vận đơn: VTP987654321", StringComparison.Ordinal));
        Assert.Contains("Viettel Post · VTP987654321", sellerPage.QuerySelectorAll(".history li").Last().TextContent);
        using var shopper = App.NewClient();
        var (shopperResponse, shopperPage) = await shopper.GetPageAsync($"/don-hang/{token}");
        Assert.Equal(HttpStatusCode.OK, shopperResponse.StatusCode);
        Assert.Equal("Đang giao", shopperPage.QuerySelector(".order-status .status")!.TextContent.Trim());
        Assert.Equal("VTP987654321", shopperPage.QuerySelectorAll("p").Single(p => p.TextContent.Contains("Mã vận đơn", StringComparison.Ordinal))
            .QuerySelector("strong")!.TextContent);
        Assert.Contains("Đơn vị vận chuyển: Viettel Post", shopperPage.Body!.TextContent);
    }

    [Fact]
    public async Task The_admin_sees_every_sellers_orders_and_others_are_refused()
    {
        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, page) = await admin.GetPageAsync("/Admin/Orders");
        var codes = page.QuerySelectorAll(".order-list h2 a").Select(a => a.TextContent).ToList();
        Assert.Contains("DH-TC2K7M", codes);
        Assert.Contains("DH-BA4G7T", codes);
        Assert.Contains("DH-NA3F6W", codes);
        var id = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM orders WHERE code = 'DH-NA3F6W'");
        var (detail, detailPage) = await admin.GetPageAsync($"/Admin/Orders/{id}");
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        Assert.Contains("Đã thanh toán", detailPage.Body!.TextContent);

        using var seller = App.NewClient();
        await seller.SignInAsync(TanCuong);
        var refused = await seller.Http.GetAsync("/Admin/Orders");
        Assert.StartsWith("/Account/AccessDenied", refused.Headers.Location!.PathAndQuery);
    }
}

/// <summary>Cancelling an order takes a reason and a confirmation step (issue 16); the shopper sees the reason.</summary>
public sealed class CancelWithReasonTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task Cancel_needs_a_reason_behind_a_confirm_step_and_the_shopper_sees_it()
    {
        using var shopper = App.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, "tra-xanh-tui-loc-tan-cuong", 2);
        var placed = await ShopHelpers.CheckoutAsync(shopper);
        var orderUrl = placed.Headers.Location!.OriginalString;
        var orderId = await ShopHelpers.ScalarAsync<long>(App, "SELECT id FROM orders WHERE access_token = @token", new { token = orderUrl.Split('/')[^1] });
        var stock = await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = 'tra-xanh-tui-loc-tan-cuong'");

        using var seller = App.NewClient();
        await seller.SignInAsync("0900000003");
        var (_, page) = await seller.GetPageAsync($"/Seller/Orders/{orderId}");
        // Not one tap: the form sits inside a closed <details> ("Hủy đơn…"), its radios are required, the button says what it does.
        var details = page.QuerySelector("details#cancel-order")!;
        Assert.False(details.HasAttribute("open"));
        var form = details.QuerySelector("form[action*='handler=Cancel']")!;
        Assert.Equal(5, form.QuerySelectorAll("input[type=radio][name=reason][required]").Length);
        Assert.Contains("Xác nhận hủy đơn", form.QuerySelector("button[type=submit]")!.TextContent);

        // Without a reason, or "other" without a note, or an unknown reason: refused, nothing changes.
        foreach (var values in new Dictionary<string, string>[] { new(), new() { ["reason"] = "other" }, new() { ["reason"] = "because" },
                     new() { ["reason"] = "other", ["note"] = new string('x', 301) } })
        {
            var refused = await seller.SubmitAsync(page, "form[action*='handler=Cancel']", values);
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Equal("placed", await ShopHelpers.ScalarAsync<string>(App, "SELECT status FROM orders WHERE id = @orderId", new { orderId }));
        }
        var (_, message) = await seller.GetPageAsync($"/Seller/Orders/{orderId}");
        Assert.Contains("Chưa hủy đơn", message.QuerySelector(".flash")!.TextContent);

        var done = await seller.SubmitAsync(message, "form[action*='handler=Cancel']",
            new Dictionary<string, string> { ["reason"] = "other", ["note"] = "Mưa lũ, đường vào xã bị chia cắt" });
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("cancelled", await ShopHelpers.ScalarAsync<string>(App, "SELECT status FROM orders WHERE id = @orderId", new { orderId }));
        Assert.Equal(stock + 2, await ShopHelpers.ScalarAsync<int>(App, "SELECT stock FROM products WHERE slug = 'tra-xanh-tui-loc-tan-cuong'"));

        var (_, shopperPage) = await shopper.GetPageAsync(orderUrl);
        var history = shopperPage.QuerySelector(".history")!.TextContent;
        Assert.Contains("Lý do: Lý do khác — Mưa lũ, đường vào xã bị chia cắt", history);
    }
}
