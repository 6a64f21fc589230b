using System.Net;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>The fake services, then the app on a real socket pointed at them (payOS calls the app back).</summary>
public sealed class KestrelBankServicesFixture : IAsyncLifetime
{
    public FakeBankServices Fake { get; private set; } = null!;
    public Cho40App App { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Fake = await FakeBankServices.StartAsync();
        // payOS calls the app back at the address the connection page gives it: the app's public address is its own socket.
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var settings = Fake.Settings;
        settings["Cho40:PublicBaseUrl"] = BaseUrl;
        App = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true), settings: settings);
        App.UseKestrel(port);
        App.StartServer();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A cookie-keeping client over the socket that does not follow redirects.</summary>
    public PageClient NewClient() => new(new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        { BaseAddress = new Uri(BaseUrl) });

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Fake.DisposeAsync();
    }
}

/// <summary>
/// payOS payment links for shop orders paid by transfer, when the collection account's connection is payOS: checkout
/// never waits for payOS (an order is placed while payOS is down), a retrying job makes the link (once, also when an
/// answer was lost), the order page shows its QR (decoded by zbarimg: payOS's mixed-case virtual account) and checkout
/// page, and payOS's webhook pays the order by its orderCode. "Kiểm tra kết nối" makes payOS send its test delivery.
/// </summary>
public sealed class PayOsLinkTests(KestrelBankServicesFixture fixture) : IClassFixture<KestrelBankServicesFixture>
{
    private Cho40App App => fixture.App;
    private FakeBankServices Fake => fixture.Fake;

    private PayOsLinkJob Job => App.Services.GetRequiredService<PayOsLinkJob>();

    private async Task<BankConnection> PlatformOnPayOsAsync() => await TestConnections.ForOwnerAsync(App, null, "payos");

    private async Task<(long Id, string Token, long Total, string Code)> TransferOrderAsync(PageClient shopper)
    {
        await ShopHelpers.AddToCartAsync(shopper, "nam-huong-rung-kho-ba-be");
        var placed = await ShopHelpers.CheckoutAsync(shopper, "transfer");
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var token = placed.Headers.Location!.OriginalString.Split('/')[^1];
        await using var connection = new Npgsql.NpgsqlConnection(App.ConnectionString);
        var (id, total, code) = await Dapper.SqlMapper.QuerySingleAsync<(long, long, string)>(connection,
            "SELECT id, total_vnd, code FROM orders WHERE access_token = @token", new { token });
        return (id, token, total, code);
    }

    [Fact]
    public async Task A_transfer_order_gets_a_payOS_link_once_its_QR_is_payOSs_and_payOSs_webhook_pays_it_by_orderCode()
    {
        var payos = await PlatformOnPayOsAsync();
        using var shopper = fixture.NewClient();
        var order = await TransferOrderAsync(shopper);
        var createsBefore = Fake.PayOsCreates; // the fake is shared by the class's tests (run one after another)

        // Until the job ran: "being prepared", and the page reloads itself.
        var (_, waiting) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.NotNull(waiting.QuerySelector("#payos-pending"));
        Assert.NotNull(waiting.QuerySelector("meta[http-equiv=refresh]"));

        Assert.Equal("created", await Job.CreateAsync(order.Id));
        Assert.Equal("created", await Job.CreateAsync(order.Id)); // a second run (a retry) makes no second link
        Assert.Equal(1, Fake.PayOsCreates - createsBefore);
        var link = (await App.Services.GetRequiredService<PayOsLinks>().FindAsync(order.Id))!;
        var options = App.Services.GetRequiredService<PaymentsOptions>();
        Assert.Equal((options.PayOsOrderCodeOffset + order.Id, order.Total, order.Code.Replace("-", "")), (link.OrderCode, link.AmountVnd, link.Description));

        var (_, page) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.StartsWith("https://pay.payos.vn/web/", page.QuerySelector("#payos-checkout")!.GetAttribute("href"));
        var png = await shopper.Http.GetByteArrayAsync(page.QuerySelector("#payos-link img.qr")!.GetAttribute("src"));
        var decoded = await QrTools.DecodePngAsync(png);
        Assert.Equal(link.QrCode, decoded);
        var qr = VietQrPayload.Parse(decoded).Value!;
        Assert.Equal((link.AccountNumber, (long?)order.Total), (qr.AccountNumber, qr.AmountVnd));
        Assert.Matches("^VQRQ[0-9]+[a-z]+$", qr.AccountNumber); // letters and digits, as payOS writes them

        // payOS reports the payment with the link's orderCode (its description is its own: no order code in it).
        var body = PayOs.Webhook(link.OrderCode, order.Total, "CSDYX9TQ3 thanh toan", link.AccountNumber!, "FT" + NewTransactionId(),
            App.Clock.GetUtcNow(), "", Cho40App.WebhookSecrets["payos"], link.PaymentLinkId!);
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        var paid = await http.SendAsync(Delivery(payos.WebhookPath, body, new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal("paid", await ShopHelpers.ScalarAsync<string>(App, "SELECT payment_status FROM orders WHERE id = @Id", new { order.Id }));
        var (_, after) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.Null(after.QuerySelector("#payos-link"));
    }

    [Fact]
    public async Task Checkout_never_waits_for_payOS_while_it_is_down_the_shopper_sees_the_link_being_made_and_the_job_makes_it_when_payOS_is_back()
    {
        await PlatformOnPayOsAsync();
        // payOS answers 500 to every attempt of the first run.
        Fake.Fail("payos-create", Enumerable.Repeat<FakeFault>(new FakeFault.ServerError(500), 4).ToArray());
        using var shopper = fixture.NewClient();
        var order = await TransferOrderAsync(shopper); // placed all the same

        await Assert.ThrowsAnyAsync<Exception>(() => Job.CreateAsync(order.Id)); // Hangfire retries it later
        var link = (await App.Services.GetRequiredService<PayOsLinks>().FindAsync(order.Id))!;
        Assert.Equal(("pending", 1), (link.Status, link.Attempts));
        var (_, waiting) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.Contains("Đơn hàng đã được ghi nhận", waiting.QuerySelector("#payos-pending")!.TextContent, StringComparison.Ordinal);

        Assert.Equal("created", await Job.CreateAsync(order.Id));
        var (_, ready) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.NotNull(ready.QuerySelector("#payos-link img.qr"));
    }

    [Fact]
    public async Task A_link_made_at_payOS_whose_answer_was_lost_is_found_again_not_made_twice()
    {
        await PlatformOnPayOsAsync();
        using var shopper = fixture.NewClient();
        var order = await TransferOrderAsync(shopper);
        Fake.Fail("payos-create", new FakeFault.LoseAnswer(TimeSpan.FromSeconds(3)));

        Assert.Equal("created", await Job.CreateAsync(order.Id)); // timed out, retried: "231 exists", then looked up
        var link = (await App.Services.GetRequiredService<PayOsLinks>().FindAsync(order.Id))!;
        Assert.StartsWith("https://pay.payos.vn/web/", link.CheckoutUrl);
        Assert.Null(link.QrCode); // payOS does not give the QR text again: the page links to payOS's checkout page
        var (_, page) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.Equal(link.CheckoutUrl, page.QuerySelector("#payos-checkout")!.GetAttribute("href"));
        Assert.Null(page.QuerySelector("#payos-link img.qr"));
    }

    [Fact]
    public async Task A_link_payOS_refuses_is_given_up_and_the_order_page_shows_the_plain_transfer_details()
    {
        await PlatformOnPayOsAsync();
        using var shopper = fixture.NewClient();
        var order = await TransferOrderAsync(shopper);
        var keys = Fake.PayOsKeys;
        Fake.PayOsKeys = keys with { ChecksumKey = "another-checksum-key" }; // our signature no longer matches: payOS says 201
        try
        {
            Assert.Equal("failed", await Job.CreateAsync(order.Id));
        }
        finally
        {
            Fake.PayOsKeys = keys;
        }
        var (_, page) = await shopper.GetPageAsync($"/don-hang/{order.Token}");
        Assert.NotNull(page.QuerySelector("#payos-failed"));
        Assert.NotNull(page.QuerySelector("section.transfer"));
    }

    [Fact]
    public async Task Kiem_tra_ket_noi_asks_payOS_to_confirm_the_address_and_its_test_delivery_is_shown_and_not_counted()
    {
        var payos = await PlatformOnPayOsAsync();
        // The platform has one connection, shared by this class's tests (another may have paid an order through it).
        const string countSql = "SELECT count(*) FROM provider_transactions WHERE connection_id = @Id";
        var before = await ShopHelpers.ScalarAsync<long>(App, countSql, new { payos.Id });
        using var admin = fixture.NewClient();
        await admin.SignInAsync("0900000001");
        var checkedAt = await admin.SubmitFormAsync("/Admin/BankConnection", "#confirm-payos-form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, checkedAt.StatusCode);
        var (_, page) = await admin.GetPageAsync(checkedAt.Headers.Location!.OriginalString);
        Assert.Contains("Đã nhận thư thử", page.QuerySelector("#check-result")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(Fake.Requests, r => r.StartsWith("payos-confirm ", StringComparison.Ordinal));
        Assert.Equal(before, await ShopHelpers.ScalarAsync<long>(App, countSql, new { payos.Id }));
        Assert.Equal("test", await ShopHelpers.ScalarAsync<string>(App,
            "SELECT status FROM bank_notifications WHERE connection_id = @Id ORDER BY id DESC LIMIT 1", new { payos.Id }));
    }
}
