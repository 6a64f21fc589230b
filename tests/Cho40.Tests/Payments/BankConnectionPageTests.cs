using System.Net;
using Cho40.Db;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Payments.CreditedAccountTests;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>
/// "Kết nối ngân hàng" as its people use it without JavaScript: the stallholder (or the helper who set the stall up)
/// chooses a service, sees in Vietnamese the address and key to enter there — the key once — and a delivery with them
/// pays her stall; "Kiểm tra kết nối" waits (the page reloads itself) and says when the test delivery arrived; keys
/// rotate, an API token turns the safety net on, a connection is revoked; nobody else sees the page.
/// </summary>
public sealed class BankConnectionPageTests(WebhookAppFixture fixture) : IClassFixture<WebhookAppFixture>
{
    private Cho40App App => fixture.App;

    /// <summary>A new stall of the demo stallholder (0900000004) set up by the demo helper (0900000005).</summary>
    private async Task<(long Stall, string Account)> OwnStallAsync()
    {
        var account = NewAccount("51");
        var stall = await StallForAccountAsync(App, account);
        await Cho40.Tests.Shop.ShopHelpers.ExecuteAsync(App, """
            UPDATE stalls SET owner_user_id = (SELECT id FROM users WHERE phone = '0900000004'),
                              created_by_user_id = (SELECT id FROM users WHERE phone = '0900000005')
            WHERE id = @stall
            """, new { stall });
        return (stall, account);
    }

    [Fact]
    public async Task A_stallholder_connects_SePay_with_an_API_key_sees_the_values_once_and_a_delivery_with_them_pays_her_stall()
    {
        var (stall, account) = await OwnStallAsync();
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        var (_, empty) = await owner.GetPageAsync($"/Stall/{stall}/Bank");
        Assert.NotNull(empty.QuerySelector("#create-connection"));
        Assert.Contains(account, empty.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);

        // "No authentication" is not offered, and a made-up mode is refused next to the field.
        Assert.DoesNotContain(empty.QuerySelectorAll("input[name=AuthMode]"), i => i.GetAttribute("value") is "none" or "");
        var refused = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#create-connection", new Dictionary<string, string> { ["AuthMode"] = "none" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("không có lựa chọn “không xác thực”", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var created = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#create-connection", new Dictionary<string, string> { ["AuthMode"] = "apikey" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var (_, page) = await owner.GetPageAsync(created.Headers.Location!.OriginalString);
        var url = page.QuerySelector("#webhook-url")!.TextContent;
        var key = page.QuerySelector("#secret-webhook")!.TextContent;
        Assert.Matches("^http://localhost/api/bank-notifications/sepay/[A-Za-z0-9_-]{22}$", url);
        Assert.Equal(32, key.Length);
        Assert.NotNull(page.QuerySelector("#shown-once"));
        var steps = page.QuerySelector("#connection-steps")!.TextContent;
        Assert.Contains("my.sepay.vn", steps, StringComparison.Ordinal);
        Assert.Contains("KHÔNG bật “Bỏ qua nếu nội dung giao dịch không có Code thanh toán”", steps, StringComparison.Ordinal);
        Assert.Contains(account, steps, StringComparison.Ordinal);

        // Shown once: the next visit shows only its last characters.
        var (_, later) = await owner.GetPageAsync($"/Stall/{stall}/Bank");
        Assert.Null(later.QuerySelector("#secret-webhook"));
        Assert.Contains("…" + key[^4..], later.QuerySelector("#connection-values")!.TextContent, StringComparison.Ordinal);

        // SePay, configured with those values, delivers a transfer: it is her stall's money.
        var path = new Uri(url).AbsolutePath;
        var body = $$"""{"id":{{NewTransactionId()}},"gateway":"MBBank","transactionDate":"2025-11-02 09:15:00","accountNumber":"{{account}}","code":null,"content":"mua rau","transferType":"in","transferAmount":35000,"accumulated":0,"subAccount":null,"referenceCode":"FT9","description":""}""";
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(path, body, new Dictionary<string, string> { ["Authorization"] = "Apikey " + key }))).StatusCode);
        Assert.Equal(35_000, await ScalarAsync<long>(App, "SELECT coalesce(sum(amount_vnd), 0) FROM stall_payments WHERE stall_id = @stall", new { stall }));

        // "Kiểm tra kết nối" a minute later: waiting (reloads itself without JavaScript), then what arrived since.
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        var (_, waiting) = await owner.GetPageAsync($"/Stall/{stall}/Bank?check={App.Clock.GetUtcNow().ToUnixTimeSeconds()}");
        Assert.Contains("Đang chờ thư thử từ SePay", waiting.QuerySelector("#check-result")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("http-equiv=\"refresh\"", waiting.Head!.InnerHtml, StringComparison.Ordinal);
        var since = App.Clock.GetUtcNow().ToUnixTimeSeconds();
        var second = body.Replace("\"FT9\"", "\"FT10\"", StringComparison.Ordinal).Replace("35000", "1000", StringComparison.Ordinal)
            .Replace($"\"id\":", "\"id\":1", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(path, second, new Dictionary<string, string> { ["Authorization"] = "Apikey " + key }))).StatusCode);
        var (_, arrived) = await owner.GetPageAsync($"/Stall/{stall}/Bank?check={since}");
        Assert.Contains("Đã nhận thông báo lúc", arrived.QuerySelector("#check-result")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", arrived.Head!.InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_helper_who_set_the_stall_up_may_connect_it_for_Casso_the_test_delivery_is_recognised_and_nobody_else_sees_the_page()
    {
        var (stall, account) = await OwnStallAsync();
        using var helper = App.NewClient();
        await helper.SignInAsync("0900000005");
        var created = await helper.SubmitFormAsync($"/Stall/{stall}/Bank", "#create-connection", new Dictionary<string, string> { ["AuthMode"] = "signature" });
        var (_, page) = await helper.GetPageAsync(created.Headers.Location!.OriginalString);
        var path = new Uri(page.QuerySelector("#webhook-url")!.TextContent).AbsolutePath;
        var key = page.QuerySelector("#secret-webhook")!.TextContent;
        Assert.Contains("Gọi thử", page.QuerySelector("#connection-steps")!.TextContent, StringComparison.Ordinal);

        var since = App.Clock.GetUtcNow().ToUnixTimeSeconds();
        var test = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payments", "Samples", "casso-webhook-v2-test.json"));
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(path, test,
            new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(test, key, App.Clock.GetUtcNow()) }))).StatusCode);
        var (_, checkedPage) = await helper.GetPageAsync($"/Stall/{stall}/Bank?check={since}");
        Assert.Contains("Đã nhận thư thử lúc", checkedPage.QuerySelector("#check-result")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("thư thử", checkedPage.QuerySelector("#connection-deliveries")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT coalesce(sum(amount_vnd), 0) FROM stall_payments WHERE stall_id = @stall", new { stall }));

        // Another stallholder, a shopper: 404 for the page and its forms, and nothing changes.
        using var stranger = App.NewClient();
        await stranger.SignUpAndSignInAsync("0399" + account[^6..], "Người lạ");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/Stall/{stall}/Bank")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/Stall/{stall}/Bank?handler=Status")).StatusCode);
    }

    [Fact]
    public async Task Rotating_gives_a_new_key_the_old_one_works_for_a_day_an_API_token_turns_the_safety_net_on_and_revoking_stops_the_address()
    {
        var (stall, account) = await OwnStallAsync();
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        var created = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#create-connection", new Dictionary<string, string> { ["AuthMode"] = "apikey" });
        var (_, first) = await owner.GetPageAsync(created.Headers.Location!.OriginalString);
        var oldKey = first.QuerySelector("#secret-webhook")!.TextContent;
        var path = new Uri(first.QuerySelector("#webhook-url")!.TextContent).AbsolutePath;

        var rotated = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#rotate-form", new Dictionary<string, string>());
        var (_, second) = await owner.GetPageAsync(rotated.Headers.Location!.OriginalString);
        var newKey = second.QuerySelector("#secret-webhook")!.TextContent;
        Assert.NotEqual(oldKey, newKey);
        Assert.Contains("khoá cũ, còn dùng được đến", second.QuerySelector("#connection-keys")!.TextContent, StringComparison.Ordinal);

        string Body() => $$"""{"id":{{NewTransactionId()}},"gateway":"MBBank","transactionDate":"2025-11-02 09:15:00","accountNumber":"{{account}}","code":null,"content":"x","transferType":"in","transferAmount":2000,"accumulated":0,"subAccount":null,"referenceCode":null,"description":""}""";
        using var http = App.CreateClient();
        foreach (var key in new[] { oldKey, newKey })
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(path, Body(), new Dictionary<string, string> { ["Authorization"] = "Apikey " + key }))).StatusCode);

        // The safety net: a bad token is refused next to its field; a good one sets the API.
        var bad = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#api-token-form", new Dictionary<string, string> { ["SyncApi"] = "sepay_v1", ["ApiToken"] = "a b" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("API token", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var good = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#api-token-form",
            new Dictionary<string, string> { ["SyncApi"] = "sepay_v2", ["ApiToken"] = "SEPAYTOKEN0123456789" });
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        var connection = (await App.Services.GetRequiredService<BankConnections>().ActiveAsync(stall))!;
        Assert.Equal("sepay_v2", connection.SyncApi);
        var (_, list) = await owner.GetPageAsync("/Stall");
        Assert.Contains(list.QuerySelectorAll(".bank-connection-state"), s => s.TextContent.Contains("chưa lần nào", StringComparison.Ordinal));

        var revoked = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#revoke-form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Delivery(path, Body(), new Dictionary<string, string> { ["Authorization"] = "Apikey " + newKey }))).StatusCode);
        var (_, gone) = await owner.GetPageAsync($"/Stall/{stall}/Bank");
        Assert.NotNull(gone.QuerySelector("#create-connection"));
        Assert.NotNull(gone.QuerySelector("#connection-history"));
    }

    [Fact]
    public async Task SePays_HMAC_mode_waits_for_the_key_SePay_shows_and_refuses_deliveries_until_it_is_entered()
    {
        var (stall, account) = await OwnStallAsync();
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        var created = await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#create-connection", new Dictionary<string, string> { ["AuthMode"] = "hmac" });
        var (_, page) = await owner.GetPageAsync(created.Headers.Location!.OriginalString);
        Assert.Null(page.QuerySelector("#secret-webhook")); // SePay makes this key, not us
        var path = new Uri(page.QuerySelector("#webhook-url")!.TextContent).AbsolutePath;
        const string sepayKey = "whsec_a7c3b4e5f6a7b8c9d0e1f2a3b4c5d6e7";
        var now = App.Clock.GetUtcNow();
        var (body, headers) = Simulate("sepay", new SimulatedTransfer(NewTransactionId(), account, 5_000, "x", now), sepayKey, now);
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(path, body, headers))).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await owner.SubmitFormAsync($"/Stall/{stall}/Bank", "#service-key-form",
            new Dictionary<string, string> { ["ServiceKey"] = sepayKey })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(path, body, headers))).StatusCode);
    }
}
