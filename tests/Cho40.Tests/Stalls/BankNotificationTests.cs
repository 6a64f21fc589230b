using System.Net;
using System.Text;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Payments;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Stalls;

public sealed class BankNotificationTests(WebhookAppFixture fixture) : IClassFixture<WebhookAppFixture>
{
    private Cho40App App => fixture.App;

    private async Task<PaymentRequest> RequestAsync(long stallId, long amount) =>
        await App.Services.GetRequiredService<Cho40.Db.Payments>().CreateRequestAsync(stallId, amount, r => "payload " + r,
            App.Clock.GetUtcNow(), TimeSpan.FromMinutes(15), userId: 1);

    [Fact]
    public async Task An_unknown_provider_or_address_is_404_problem_json_and_the_old_global_address_is_gone()
    {
        using var client = App.CreateClient();
        var stallId = await StallWithAccountAsync(App, "cho-thai", "A05", "1900000000201");
        var sepay = await TestConnections.ForOwnerAsync(App, stallId, "sepay");
        foreach (var path in new[] { $"/api/bank-notifications/momo/{sepay.Token}", "/api/bank-notifications/sepay/AAAAAAAAAAAAAAAAAAAAAA",
                     $"/api/bank-notifications/casso/{sepay.Token}", "/api/bank-notifications/sepay" })
        {
            var response = await client.SendAsync(Delivery(path, "{}", new Dictionary<string, string>()));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            if (path.Length > 30) Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        // A GET to a working address answers 200 (services may look before they deliver); to a made-up one, 404.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(sepay.WebhookPath)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/bank-notifications/sepay/AAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
    }

    [Fact]
    public async Task Bad_signatures_stale_timestamps_and_wrong_keys_are_refused_and_nothing_is_stored()
    {
        using var client = App.CreateClient();
        await StallWithAccountAsync(App, "cho-thai", "A08", "9990001");
        var before = await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications");
        var now = App.Clock.GetUtcNow();
        var sepayPath = PathOf(App, "sepay", "9990001");
        var (body, headers) = Simulate("sepay", new SimulatedTransfer(NewTransactionId(), "9990001", 50000, "x", now), "test-sepay-secret", now);

        // Tampered body under the original signature.
        var tampered = body.Replace("50000", "5000000", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(sepayPath, tampered, headers))).StatusCode);
        // Signed with another secret.
        var (_, wrongKey) = Simulate("sepay", new SimulatedTransfer("1", "9990001", 50000, "x", now), "not-the-secret", now);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(sepayPath, body, wrongKey))).StatusCode);
        // Correctly signed, but ten minutes old, of a transaction never stored (a replay, or a forgery's old capture).
        var old = now.AddMinutes(-10);
        var (oldBody, oldHeaders) = Simulate("sepay", new SimulatedTransfer(NewTransactionId(), "9990001", 50000, "x", old), "test-sepay-secret", old);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(sepayPath, oldBody, oldHeaders))).StatusCode);
        // No credentials at all ("no authentication" is never accepted); an API key where the connection signs with HMAC.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(sepayPath, body, new Dictionary<string, string>()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(sepayPath, body,
            new Dictionary<string, string> { ["Authorization"] = "Apikey test-sepay-secret" }))).StatusCode);
        // Casso v2 signed with a wrong key; payOS with a changed amount.
        var cassoPath = PathOf(App, "casso", "9990001");
        var (cassoBody, _) = Simulate("casso", new SimulatedTransfer(NewTransactionId(), "9990001", 50000, "x", now), "test-casso-secure-token", now);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(cassoPath, cassoBody,
            new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(cassoBody, "test-casso-secure-tokeX", now) }))).StatusCode);
        var payosPath = PathOf(App, "payos", "9990001");
        var (payosBody, _) = Simulate("payos", new SimulatedTransfer("777", "9990001", 50000, "x", now), "test-payos-checksum-key", now);
        payosBody = payosBody.Replace("\"amount\":50000", "\"amount\":500000", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(payosPath, payosBody, new Dictionary<string, string>()))).StatusCode);
        // The SePay address of a revoked connection (the stall moved to payOS above) answers 404 even to a good signature.
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Delivery(sepayPath, body, headers))).StatusCode);

        Assert.Equal(before, await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications"));
    }

    [Fact]
    public async Task SePay_api_key_mode_is_accepted_with_its_own_key_only()
    {
        var stallId = await StallWithAccountAsync(App, "cho-thai", "B12", "9990002");
        var connection = await TestConnections.ForOwnerAsync(App, stallId, "sepay", SePay.ModeApiKey);
        using var client = App.CreateClient();
        var body = $$"""{"id":{{NewTransactionId()}},"gateway":"MBBank","transactionDate":"2024-05-01 08:00:00","accountNumber":"9990002","code":null,"content":"an sang","transferType":"in","transferAmount":30000,"accumulated":0,"subAccount":null,"referenceCode":"FT1"}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(connection.WebhookPath, body,
            new Dictionary<string, string> { ["Authorization"] = "Apikey guess" }))).StatusCode);
        var response = await client.SendAsync(Delivery(connection.WebhookPath, body, new Dictionary<string, string> { ["Authorization"] = "Apikey test-sepay-secret" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"success\":true,\"newTransfers\":1,\"duplicates\":0,\"invalid\":0,\"test\":false}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_malformed_body_with_a_valid_key_is_kept_raw_and_answered_400()
    {
        var stallId = await StallWithAccountAsync(App, "cho-thai", "C09", "9990003");
        var connection = await TestConnections.ForOwnerAsync(App, stallId, "casso", Casso.ModeSecureToken);
        using var client = App.CreateClient();
        var response = await client.SendAsync(Delivery(connection.WebhookPath, "{\"error\":0,\"data\":[{\"amount\":\"lots\"}]}",
            new Dictionary<string, string> { ["Secure-Token"] = "test-casso-secure-token" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications WHERE status = 'invalid' AND raw_body LIKE '%lots%'"));
    }

    [Fact]
    public async Task Twenty_concurrent_duplicate_deliveries_count_the_payment_once()
    {
        var (stallId, _, account) = await NewStallAsync(App);
        var transactionId = NewTransactionId();
        var path = PathOf(App, "sepay", account);
        var body = await SignedDelivery(App, "sepay", transactionId, account, 75000, "mua thit").Content!.ReadAsStringAsync();
        var headers = SignedDelivery(App, "sepay", transactionId, account, 75000, "mua thit").Headers
            .ToDictionary(h => h.Key, h => h.Value.First());

        var clients = Enumerable.Range(0, 20).Select(_ => App.CreateClient()).ToList();
        var deliveries = clients.Select(c => Task.Run(async () => await c.SendAsync(Delivery(path, body, headers)))).ToList();
        var responses = await Task.WhenAll(deliveries);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(20, await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications WHERE raw_body = @body", new { body }));
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM provider_transactions WHERE provider = 'sepay' AND provider_txn_id = @transactionId", new { transactionId }));
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));
        Assert.Equal(75000, await ScalarAsync<long>(App, "SELECT sum(amount_vnd) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));
        foreach (var c in clients) c.Dispose();
    }

    [Fact]
    public async Task A_static_sign_payment_goes_to_the_stall_by_account_at_the_banks_time()
    {
        var (stallId, _, account) = await NewStallAsync(App);
        using var client = App.CreateClient();
        var bankTime = App.Clock.GetUtcNow().AddMinutes(-3);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SignedDelivery(App, "casso", NewTransactionId(), account, 120000,
            "NGUYEN VAN A chuyen tien", bankTime))).StatusCode);
        var occurred = await ScalarAsync<DateTime>(App, "SELECT occurred_at FROM stall_payments WHERE stall_id = @stallId AND amount_vnd = 120000", new { stallId });
        Assert.Equal(bankTime.UtcDateTime, occurred, TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("sepay", "MBVCB.3278907687.C40 {0}.CT tu 0123456789 NGUYEN VAN A")]
    [InlineData("payos", "c40{0}")]
    [InlineData("casso", "Thanh toan C40 {0} cam on")]
    public async Task A_dynamic_request_is_paid_by_its_reference_found_leniently_and_its_exact_amount(string provider, string contentFormat)
    {
        var (stallId, _, account) = await NewStallAsync(App);
        var request = await RequestAsync(stallId, 86000);
        using var client = App.CreateClient();
        var content = string.Format(System.Globalization.CultureInfo.InvariantCulture, contentFormat,
            provider == "payos" ? request.Reference.ToLowerInvariant() : request.Reference);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SignedDelivery(App, provider, NewTransactionId(), account, 86000, content))).StatusCode);
        Assert.Equal("paid", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @Id", new { request.Id }));
        Assert.Equal(request.Id, await ScalarAsync<long>(App, "SELECT payment_request_id FROM stall_payments WHERE payment_request_id = @Id AND check_result = 'ok'", new { request.Id }));
    }

    [Fact]
    public async Task A_short_payment_is_flagged_in_the_inbox_and_shown_loudly_at_the_stall()
    {
        var (stallId, _, account) = await NewStallAsync(App);
        var request = await RequestAsync(stallId, 200000);
        using var client = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SignedDelivery(App, "sepay", NewTransactionId(), account, 200,
            $"C40 {request.Reference}"))).StatusCode);

        Assert.Equal("underpaid", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @Id", new { request.Id }));
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM payment_inbox WHERE reason = 'short' AND payment_request_id = @Id", new { request.Id }));

        using var stallholder = App.NewClient();
        await stallholder.SignInAsync("0900000004");
        var (_, screen) = await stallholder.GetPageAsync($"/Stall/{stallId}/Screen");
        Assert.Contains("THIẾU TIỀN", screen.QuerySelector(".alert-short")!.TextContent);
        Assert.Contains("200.000", screen.QuerySelector(".alert-short")!.TextContent);

        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var (_, inbox) = await manager.GetPageAsync("/Market/Inbox");
        Assert.Contains(inbox.QuerySelectorAll(".inbox-short"), li => li.TextContent.Contains(request.Reference, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transfer_for_an_expired_request_does_not_mark_it_paid()
    {
        var (stallId, _, account) = await NewStallAsync(App);
        var request = await RequestAsync(stallId, 45000);
        App.Clock.Advance(TimeSpan.FromMinutes(16));
        using var client = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SignedDelivery(App, "sepay", NewTransactionId(), account, 45000,
            $"C40 {request.Reference}"))).StatusCode);
        Assert.Equal("pending", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @Id", new { request.Id }));
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM payment_inbox WHERE reason = 'expired_request' AND payment_request_id = @Id", new { request.Id }));
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE payment_request_id = @Id", new { request.Id }));
    }

    [Fact]
    public async Task An_unmatched_transfer_lands_in_the_inbox_never_lost()
    {
        using var client = App.CreateClient();
        var id = NewTransactionId();
        // Reported by the collection account's connection for an account nobody on the platform owns.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SignedDelivery(App, "payos", id, "5550001112223", 33000, "tien hang"))).StatusCode);
        Assert.Equal(1, await ScalarAsync<long>(App, """
            SELECT count(*) FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE i.reason = 'unmatched' AND t.account_number = '5550001112223'
            """));
        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, inbox) = await admin.GetPageAsync("/Market/Inbox");
        Assert.Contains(inbox.QuerySelectorAll(".inbox-unmatched"), li => li.TextContent.Contains("5550001112223", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_admin_simulate_form_goes_through_the_same_intake()
    {
        var transactionId = "SIM-" + Cho40.Tests.Infrastructure.Unique.Token();
        var (stallId, _, _) = await NewStallAsync(App);
        var connection = await TestConnections.ForOwnerAsync(App, stallId, "sepay", SePay.ModeOAuth2);
        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var response = await admin.SubmitFormAsync("/Admin/SimulateTransfer", "main form", new Dictionary<string, string>
        {
            ["Input.ConnectionId"] = connection.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.AccountNumber"] = "",
            ["Input.Amount"] = "64000", ["Input.Content"] = "mua ao", ["Input.TransactionId"] = transactionId, ["Input.Format"] = "Multipart",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));
        Assert.Equal(64000, await ScalarAsync<long>(App, "SELECT sum(amount_vnd) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM provider_transactions WHERE provider_txn_id = @transactionId", new { transactionId }));

        using var stallholder = App.NewClient();
        await stallholder.SignInAsync("0900000006");
        Assert.Equal(HttpStatusCode.Redirect, (await stallholder.Http.GetAsync("/Admin/SimulateTransfer")).StatusCode);
    }
}
