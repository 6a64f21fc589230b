using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Security;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Cod;

/// <summary>
/// The carriers' status webhooks, in the shapes they document: GHN's order webhook (PROVIDERS.md: OrderCode, ClientOrderCode,
/// Status, Time, CODAmount, TotalFee, IsPartialReturn; no signature), GHTK's (api.ghtk.vn/en/docs/submit-order/webhook:
/// form-urlencoded or JSON, <c>?hash=</c>, status_id, action_time +07:00, pick_money, return_part_package) and Viettel Post's
/// (<c>{"DATA": {ORDER_NUMBER, ORDER_REFERENCE, ORDER_STATUSDATE "dd/MM/yyyy HH:mm:ss", ORDER_STATUS, STATUS_NAME,
/// MONEY_COLLECTION, …}, "TOKEN": …}</c>).
/// </summary>
public sealed class CarrierWebhookTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;
    private Shipments Shipments => App.Services.GetRequiredService<Shipments>();
    private DateTimeOffset Now => App.Clock.GetUtcNow();

    private async Task<string> AccountAsync(string carrier, string? secret = null)
    {
        secret ??= Db.Shipments.NewSecret();
        await Shipments.CreateAccountAsync(carrier, carrier + " " + Guid.NewGuid().ToString("N")[..8], secret, null, Now);
        return secret;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/json")
    {
        using var client = App.NewClient();
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.Http.PostAsync(path, content);
    }

    private static string Ghn(string tracking, string status, DateTimeOffset time, string clientOrderCode = "", long cod = 0, long totalFee = 22000,
        bool partial = false, string type = "switch_status") => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["CODAmount"] = cod, ["CODTransferDate"] = null, ["ClientOrderCode"] = clientOrderCode, ["ConvertedWeight"] = 200,
        ["Description"] = "", ["Fee"] = new Dictionary<string, long> { ["MainService"] = totalFee, ["Insurance"] = 0, ["CODFee"] = 0, ["Return"] = 0 },
        ["IsPartialReturn"] = partial, ["OrderCode"] = tracking, ["PartialReturnCode"] = "", ["PaymentType"] = 1, ["Reason"] = "",
        ["ReasonCode"] = "", ["ShopID"] = 81558, ["Status"] = status, ["Time"] = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        ["TotalFee"] = totalFee, ["Type"] = type, ["Warehouse"] = "Bưu Cục 229 Quan Nhân", ["Weight"] = 200,
    });

    [Fact]
    public async Task Ghn_is_authenticated_by_the_token_in_its_url_and_updates_the_shipment_linked_to_our_order()
    {
        var token = await AccountAsync(WebhookCarriers.Ghn);
        var tracking = NewTracking("GHN");
        var code = await OrderAsync(App, "htx-che-tan-cuong", 200_000, status: "shipped", tracking: null);
        var at = Now.AddHours(-5);
        var body = Ghn(tracking, "picked", at, clientOrderCode: code, cod: 230_000);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/api/carrier-notifications/ghn", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/api/carrier-notifications/ghn?token=" + Db.Shipments.NewSecret(), body)).StatusCode);
        Assert.Null(await Shipments.FindAsync("GHN", tracking));
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/api/carrier-notifications/ahamove?token=" + token, body)).StatusCode);

        var ok = await PostAsync("/api/carrier-notifications/ghn?token=" + Uri.EscapeDataString(token), body);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var shipment = (await Shipments.FindAsync("GHN", tracking))!;
        Assert.Equal(("picked", 230_000L, 22_000L), (shipment.Status, shipment.CodReportedVnd!.Value, shipment.FeeReportedVnd!.Value));
        Assert.Equal(at.ToUnixTimeSeconds(), shipment.StatusAt!.Value.ToUnixTimeSeconds());
        var orderId = await ScalarAsync<long>(App, "SELECT id FROM orders WHERE code = @code", new { code });
        Assert.Equal(shipment.Id, Assert.Single(await Shipments.ForOrderAsync(orderId)).Id);

        var garbled = await PostAsync("/api/carrier-notifications/ghn?token=" + Uri.EscapeDataString(token), "{\"Status\": 1");
        Assert.Equal(HttpStatusCode.BadRequest, garbled.StatusCode);
    }

    [Fact]
    public async Task Repeats_are_stored_once_a_late_delivering_never_overwrites_delivered_and_an_unknown_status_is_kept_and_shown()
    {
        var token = await AccountAsync(WebhookCarriers.Ghn);
        var tracking = NewTracking("GHN");
        var code = await OrderAsync(App, "htx-che-tan-cuong", 150_000, status: "shipped", tracking: tracking);
        var url = "/api/carrier-notifications/ghn?token=" + Uri.EscapeDataString(token);
        var t0 = Now.AddHours(-10);
        var delivering = Ghn(tracking, "delivering", t0.AddHours(2), cod: 180_000);
        var delivered = Ghn(tracking, "delivered", t0.AddHours(4), cod: 180_000);
        // Delivered arrives first; then the earlier "delivering", twice (GHN retries); then a status we do not know.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, delivered)).StatusCode);
        var first = await PostAsync(url, delivering);
        var repeat = await PostAsync(url, delivering);
        Assert.False(JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicate").GetBoolean());
        Assert.True(JsonDocument.Parse(await repeat.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicate").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, Ghn(tracking, "kiem_hang_lai", t0.AddHours(5), cod: 180_000))).StatusCode);
        // A later "delivering" (after "delivered") ranks lower: still delivered.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, Ghn(tracking, "delivering", t0.AddHours(6), cod: 180_000))).StatusCode);

        var shipment = (await Shipments.FindAsync("GHN", tracking))!;
        Assert.Equal("delivered", shipment.Status);
        Assert.Equal(
            [("delivering", "delivering"), ("delivered", "delivered"), ("kiem_hang_lai", null), ("delivering", "delivering")],
            shipment.Events.Select(e => (e.CarrierStatus, e.Status)));

        // The shopper's order page and the seller's show the history, the unknown word as the carrier wrote it.
        var token2 = await ScalarAsync<string>(App, "SELECT access_token FROM orders WHERE code = @code", new { code });
        using var shopper = App.NewClient();
        var (_, page) = await shopper.GetPageAsync("/don-hang/" + token2);
        var history = page.QuerySelector(".shipment-history")!.TextContent;
        Assert.Contains("«kiem_hang_lai»", history);
        Assert.Contains("Đã giao", page.QuerySelector(".shipment")!.TextContent);
        using var seller = App.NewClient();
        await seller.SignInAsync("0900000003");
        var orderId = await ScalarAsync<long>(App, "SELECT id FROM orders WHERE code = @code", new { code });
        var (_, sellerPage) = await seller.GetPageAsync($"/Seller/Orders/{orderId}");
        Assert.Contains("«kiem_hang_lai»", sellerPage.QuerySelector(".shipment-history")!.TextContent);
    }

    [Fact]
    public async Task Ghtk_form_or_json_is_authenticated_by_its_hash_and_reports_cod_fee_and_a_partial_return()
    {
        var hash = await AccountAsync(WebhookCarriers.Ghtk);
        var label = NewTracking("S1.A1.");
        var code = await OrderAsync(App, "htx-che-la-bang", 100_000, status: "shipped", tracking: null);
        // GHTK's own example, form-urlencoded; fee and weight as it sends them.
        var form = $"label_id={label}&partner_id={code}&action_time=2026-11-02T12:18:39%2B07:00&status_id=4&reason_code=&reason=&weight=2.4&fee=15000&return_part_package=0";
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/api/carrier-notifications/ghtk?hash=wrong-hash-value-123", form, "application/x-www-form-urlencoded")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/carrier-notifications/ghtk?hash=" + Uri.EscapeDataString(hash), form, "application/x-www-form-urlencoded")).StatusCode);
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["partner_id"] = code, ["label_id"] = label, ["status_id"] = 5, ["action_time"] = "2026-11-02T16:40:00+07:00", ["reason_code"] = "",
            ["reason"] = "", ["weight"] = 2.4, ["fee"] = 15000, ["pick_money"] = 80000, ["return_part_package"] = 1,
        });
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/carrier-notifications/ghtk?hash=" + Uri.EscapeDataString(hash), json)).StatusCode);

        var shipment = (await Shipments.FindAsync("GHTK", label))!;
        Assert.Equal(("delivered", 80_000L, 15_000L, true), (shipment.Status, shipment.CodReportedVnd!.Value, shipment.FeeReportedVnd!.Value, shipment.PartialReturn));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 40, 0, TimeSpan.Zero), shipment.StatusAt);
        Assert.Equal(["4", "5"], shipment.Events.Select(e => e.CarrierStatus));
    }

    [Fact]
    public async Task Viettel_post_is_authenticated_by_the_token_in_its_body_with_an_all_digit_order_number_and_vietnam_time()
    {
        var token = await AccountAsync(WebhookCarriers.ViettelPost, "vtp-token-" + Guid.NewGuid().ToString("N"));
        var number = (1_000_000_000L + Random.Shared.NextInt64(1, 999_999_999)).ToString();
        var code = await OrderAsync(App, "htx-che-la-bang", 90_000, status: "shipped", tracking: null);
        string Body(string tokenValue, int status, string date, string name) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["DATA"] = new Dictionary<string, object>
            {
                ["ORDER_NUMBER"] = number, ["ORDER_REFERENCE"] = code, ["ORDER_STATUSDATE"] = date, ["ORDER_STATUS"] = status,
                ["STATUS_NAME"] = name, ["LOCALION_CURRENTLY"] = "Bưu cục Thái Nguyên", ["NOTE"] = "", ["MONEY_COLLECTION"] = 120000,
                ["MONEY_FEECOD"] = 0, ["MONEY_TOTAL"] = 25000, ["EXPECTED_DELIVERY"] = "", ["PRODUCT_WEIGHT"] = 500, ["ORDER_SERVICE"] = "VCN",
            },
            ["TOKEN"] = tokenValue,
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/api/carrier-notifications/viettelpost", Body("not-the-token-at-all", 501, "13/12/2026 17:34:05", "Phát thành công"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/carrier-notifications/viettelpost", Body(token, 501, "13/12/2026 17:34:05", "Phát thành công"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/carrier-notifications/viettelpost", Body(token, 599, "13/12/2026 18:00:00", "Trạng thái mới"))).StatusCode);

        var shipment = (await Shipments.FindAsync("Viettel Post", number))!;
        Assert.Equal(("delivered", 120_000L), (shipment.Status, shipment.CodReportedVnd!.Value));
        Assert.Equal(new DateTimeOffset(2026, 12, 13, 10, 34, 5, TimeSpan.Zero), shipment.StatusAt);
        Assert.Equal([("501", "delivered", "Phát thành công"), ("599", null, "Trạng thái mới")],
            shipment.Events.Select(e => (e.CarrierStatus, e.Status, e.StatusName)));
        // The token is not stored with the event.
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM shipment_events WHERE body LIKE '%' || @token || '%'", new { token }));
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM carrier_accounts WHERE secret_protected LIKE '%' || @token || '%'", new { token }));
    }

    [Fact]
    public async Task A_rotated_secret_replaces_the_old_one_which_works_only_through_the_grace_period()
    {
        var old = await AccountAsync(WebhookCarriers.Ghn);
        var id = await ScalarAsync<long>(App, "SELECT max(id) FROM carrier_accounts");
        var fresh = Db.Shipments.NewSecret();
        Assert.True(await Shipments.RotateAsync(id, fresh, Now));
        Assert.Equal(id, await Shipments.AuthenticateAsync(WebhookCarriers.Ghn, fresh, Now));
        Assert.Equal(id, await Shipments.AuthenticateAsync(WebhookCarriers.Ghn, old, Now.AddDays(6)));
        Assert.Null(await Shipments.AuthenticateAsync(WebhookCarriers.Ghn, old, Now.AddDays(8)));
        Assert.Null(await Shipments.AuthenticateAsync(WebhookCarriers.Ghtk, fresh, Now));
    }

    [Fact]
    public async Task Reconciliation_flags_a_statement_that_differs_from_the_cod_amount_a_webhook_reported()
    {
        var token = await AccountAsync(WebhookCarriers.Ghn);
        var (t1, t2) = (NewTracking("GHN"), NewTracking("GHN"));
        var a = await OrderAsync(App, "htx-che-tan-cuong", 200_000, tracking: t1);   // 230,000 to collect
        var b = await OrderAsync(App, "htx-che-tan-cuong", 100_000, tracking: t2);   // 130,000 to collect
        var url = "/api/carrier-notifications/ghn?token=" + Uri.EscapeDataString(token);
        // GHN reported a COD update to 200,000 for a (the shopper was given a discount at the door), 130,000 for b.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, Ghn(t1, "delivered", Now.AddHours(-3), a, cod: 200_000, type: "cod_update"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(url, Ghn(t2, "delivered", Now.AddHours(-3), b, cod: 130_000))).StatusCode);

        var statements = App.Services.GetRequiredService<CodStatements>();
        var import = await statements.ImportAsync("GHN", Guid.NewGuid() + ".csv", Csv(CanonicalHeader,
            $"{t1},{a},230000,25000,0,0,Đã giao,05/11/2026,", $"{t2},{b},130000,25000,0,0,Đã giao,05/11/2026,"), null, Now);
        await App.Services.GetRequiredService<ReconcileCodStatementJob>().RunAsync(import.StatementId!.Value);
        var lines = await statements.LinesAsync(import.StatementId.Value);
        Assert.Equal([("amount_mismatch", 200_000L), ("matched", 130_000L)], lines.Select(l => (l.Outcome, l.ReportedCodVnd!.Value)));

        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, page) = await admin.GetPageAsync($"/Admin/Cod/Statement/{import.StatementId}");
        Assert.Contains("webhook báo 200.000", page.QuerySelector(".webhook-differs")!.TextContent.Replace('\u00a0', ' '));
    }

    [Fact]
    public async Task An_admin_adds_a_carrier_account_sees_its_webhook_address_once_and_rotates_it()
    {
        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var name = "GHN — thử " + Guid.NewGuid().ToString("N")[..6];
        var response = await admin.SubmitFormAsync("/Admin/Carriers", "form.carrier-account", new Dictionary<string, string>
        {
            ["Input.Carrier"] = "ghn", ["Input.Name"] = name, ["Input.Secret"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (_, page) = await admin.GetPageAsync("/Admin/Carriers");
        var message = page.QuerySelector("[role=status], .flash, .message")?.TextContent ?? page.Body!.TextContent;
        var match = System.Text.RegularExpressions.Regex.Match(message, @"/api/carrier-notifications/ghn\?token=([A-Za-z0-9_%-]+)");
        Assert.True(match.Success, message);
        var secret = Uri.UnescapeDataString(match.Groups[1].Value);
        Assert.NotNull(await Shipments.AuthenticateAsync(WebhookCarriers.Ghn, secret, Now));
        Assert.Contains(name, page.QuerySelector("table.carrier-accounts")!.TextContent);
        // Shown once: the next visit does not show it.
        var (_, again) = await admin.GetPageAsync("/Admin/Carriers");
        Assert.DoesNotContain(secret, again.Body!.InnerHtml);

        using var shopper = App.NewClient();
        await shopper.SignInAsync("0900000006");
        Assert.NotEqual(HttpStatusCode.OK, (await shopper.Http.GetAsync("/Admin/Carriers")).StatusCode);
    }
}

/// <summary>Carrier webhooks share the banks' gate: a body over 64 KB is 413; a client refused 4 times in a minute is answered 429.</summary>
public sealed class CarrierWebhookLimitTests(WebhookLimitsAppFixture fixture) : IClassFixture<WebhookLimitsAppFixture>
{
    [Fact]
    public async Task Oversized_bodies_are_413_and_repeated_wrong_tokens_are_429_before_reading()
    {
        static HttpRequestMessage Post(string path, HttpContent content)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        }
        using var client = fixture.NewClient(fromAddress: "127.0.0.41");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await client.Http.SendAsync(Post("/api/carrier-notifications/ghn?token=x", new ByteArrayContent(new byte[70 * 1024])))).StatusCode);
        using var attacker = fixture.NewClient(fromAddress: "127.0.0.42");
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await attacker.Http.SendAsync(Post($"/api/carrier-notifications/ghtk?hash=guess{i}", new StringContent("{}")))).StatusCode);
        var blocked = await attacker.Http.SendAsync(Post("/api/carrier-notifications/ghtk?hash=guess", new StringContent("{}")));
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
