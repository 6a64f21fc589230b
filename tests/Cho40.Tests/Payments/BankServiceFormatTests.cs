using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Payments.Connections;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Cho40.Tests.Payments.CreditedAccountTests;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>
/// Every body format and authentication mode of every service, from the bodies the services document
/// (<c>Payments/Samples</c>): SePay JSON, form and multipart × API key, HMAC and OAuth 2.0; Casso webhook v2 (both ways
/// its JSON may be written) and v1; payOS. Test deliveries are recognised and never counted; money that cannot be money
/// is kept as invalid and acknowledged; a large stall payment is flagged; duplicates count once per service; a
/// delivery authenticated for one stall's connection cannot touch another stall's money; keys rotate and revoke.
/// </summary>
public sealed class BankServiceFormatTests(WebhookAppFixture fixture) : IClassFixture<WebhookAppFixture>
{
    private Cho40App App => fixture.App;

    private static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payments", "Samples", name));

    private Task<long> TakingsAsync(long stall) =>
        ScalarAsync<long>(App, "SELECT coalesce(sum(amount_vnd), 0) FROM stall_payments WHERE stall_id = @stall", new { stall });

    private async Task<(long Stall, string Account, BankConnection Connection)> StallAsync(string provider, string? mode = null, string? virtualAccount = null)
    {
        var account = NewAccount("41");
        var stall = await StallForAccountAsync(App, account, virtualAccount);
        return (stall, account, await TestConnections.ForOwnerAsync(App, stall, provider, mode));
    }

    /// <summary>SePay's documented example with this test's account, id, reference (and amount when given).</summary>
    private static JsonObject SePaySample(string account, string id, long? amount = null)
    {
        var body = JsonNode.Parse(Sample("sepay-webhook.json"))!.AsObject();
        body["id"] = long.Parse(id, CultureInfo.InvariantCulture);
        body["accountNumber"] = account;
        body["referenceCode"] = "MBVCB." + id;
        if (amount is { } a) body["transferAmount"] = a;
        return body;
    }

    private static (string Body, string ContentType) Encode(JsonObject sample, BodyFormat format) =>
        WebhookText.Write(sample.Select(p => (p.Key, p.Value is null ? null : (object?)(p.Value.GetValueKind() == JsonValueKind.Number
            ? p.Value.GetValue<long>() : p.Value.ToString()))).ToList(), format);

    private async Task<string> AccessTokenAsync(HttpClient http, BankConnection connection)
    {
        using var token = await http.PostAsync(connection.TokenPath, new StringContent(
            JsonSerializer.Serialize(new { clientId = connection.ClientId, clientSecret = TestConnections.ClientSecret }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        using var json = JsonDocument.Parse(await token.Content.ReadAsStringAsync());
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(3600, data.GetProperty("expiredIn").GetInt32());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("refreshToken").GetString()));
        return data.GetProperty("accessToken").GetString()!;
    }

    [Theory]
    [InlineData(BodyFormat.Json, SePay.ModeApiKey)]
    [InlineData(BodyFormat.Json, SePay.ModeHmac)]
    [InlineData(BodyFormat.Json, SePay.ModeOAuth2)]
    [InlineData(BodyFormat.Form, SePay.ModeApiKey)]
    [InlineData(BodyFormat.Form, SePay.ModeHmac)]
    [InlineData(BodyFormat.Form, SePay.ModeOAuth2)]
    [InlineData(BodyFormat.Multipart, SePay.ModeApiKey)]
    [InlineData(BodyFormat.Multipart, SePay.ModeHmac)]
    [InlineData(BodyFormat.Multipart, SePay.ModeOAuth2)]
    public async Task SePay_delivers_its_documented_body_as_json_form_or_multipart_in_every_mode_and_is_answered_success_true(BodyFormat format, string mode)
    {
        var (stall, account, connection) = await StallAsync("sepay", mode);
        using var http = App.CreateClient();
        var (body, contentType) = Encode(SePaySample(account, NewTransactionId()), format);
        var secret = mode == SePay.ModeOAuth2 ? await AccessTokenAsync(http, connection) : Cho40App.WebhookSecrets["sepay"];

        var response = await http.SendAsync(Delivery(connection.WebhookPath, body, SePay.Headers(mode, secret, body, App.Clock.GetUtcNow()), contentType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(answer.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal(2_277_000, await TakingsAsync(stall));
        Assert.Equal("chuyen tien mua iphone", await ScalarAsync<string>(App,
            "SELECT t.content FROM provider_transactions t JOIN stall_payments p ON p.provider_transaction_id = t.id WHERE p.stall_id = @stall", new { stall }));
    }

    [Fact]
    public async Task SePays_OAuth_token_endpoint_checks_the_client_answers_RFC_6749_forms_too_and_tokens_expire()
    {
        var (stall, account, connection) = await StallAsync("sepay", SePay.ModeOAuth2);
        using var http = App.CreateClient();
        var wrong = await http.PostAsync(connection.TokenPath, new StringContent(
            JsonSerializer.Serialize(new { clientId = connection.ClientId, clientSecret = "guess" }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("invalid_client", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var form = await http.PostAsync(connection.TokenPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = connection.ClientId, ["client_secret"] = TestConnections.ClientSecret,
        }));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        using var json = JsonDocument.Parse(await form.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        var token = json.RootElement.GetProperty("access_token").GetString()!;

        // Another connection's address does not take this connection's token, nor its client.
        var (_, _, other) = await StallAsync("sepay", SePay.ModeOAuth2);
        var (body, contentType) = Encode(SePaySample(account, NewTransactionId()), BodyFormat.Json);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(other.WebhookPath, body,
            SePay.Headers(SePay.ModeOAuth2, token, body, App.Clock.GetUtcNow()), contentType))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(other.TokenPath, new StringContent(
            JsonSerializer.Serialize(new { clientId = connection.ClientId, clientSecret = TestConnections.ClientSecret }), Encoding.UTF8, "application/json"))).StatusCode);

        // An hour later the token is refused; SePay asks for a new one.
        App.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(connection.WebhookPath, body,
                SePay.Headers(SePay.ModeOAuth2, token, body, App.Clock.GetUtcNow()), contentType))).StatusCode);
            var fresh = await AccessTokenAsync(http, connection);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(connection.WebhookPath, body,
                SePay.Headers(SePay.ModeOAuth2, fresh, body, App.Clock.GetUtcNow()), contentType))).StatusCode);
        }
        finally
        {
            App.Clock.Advance(TimeSpan.FromMinutes(-61));
        }
        Assert.Equal(2_277_000, await TakingsAsync(stall));
    }

    [Fact]
    public async Task A_SePay_subAccount_finds_the_stall_whose_virtual_account_it_is()
    {
        var virtualAccount = "VA" + NewAccount("42")[^10..];
        var (stall, _, connection) = await StallAsync("sepay", virtualAccount: virtualAccount);
        var sample = SePaySample(NewAccount("43"), NewTransactionId(), 64_000); // the pooled main account is nobody's we know
        sample["subAccount"] = virtualAccount;
        var body = sample.ToJsonString();
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(connection.WebhookPath, body,
            SePay.Headers(SePay.ModeHmac, Cho40App.WebhookSecrets["sepay"], body, App.Clock.GetUtcNow())))).StatusCode);
        Assert.Equal(64_000, await TakingsAsync(stall));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Casso_webhook_v2_is_read_with_its_signature_over_keys_sorted_written_either_way(bool escapeAll)
    {
        var (stall, account, connection) = await StallAsync("casso", Casso.ModeSignature);
        var sample = JsonNode.Parse(Sample("casso-webhook-v2.json"))!.AsObject();
        sample["data"]!["id"] = long.Parse(NewTransactionId(), CultureInfo.InvariantCulture);
        sample["data"]!["accountNumber"] = account;
        // As Casso sends it: its own key order and spacing; the signature is over the keys sorted, compact.
        var body = sample.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var now = App.Clock.GetUtcNow();
        using var http = App.CreateClient();

        // Signed over the body as written (not sorted): refused.
        var t = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var unsorted = $"t={t},v1={WebhookText.HmacSha512Hex(Cho40App.WebhookSecrets["casso"], t + "." + body)}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(connection.WebhookPath, body,
            new Dictionary<string, string> { ["X-Casso-Signature"] = unsorted }))).StatusCode);

        var signature = Casso.Signature(body, Cho40App.WebhookSecrets["casso"], now, escapeAll);
        var response = await http.SendAsync(Delivery(connection.WebhookPath, body, new Dictionary<string, string> { ["X-Casso-Signature"] = signature }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(150_000, await TakingsAsync(stall));
        Assert.Equal("NGUYỄN VĂN A chuyển tiền mua rau/củ", await ScalarAsync<string>(App,
            "SELECT t.content FROM provider_transactions t JOIN stall_payments p ON p.provider_transaction_id = t.id WHERE p.stall_id = @stall", new { stall }));
    }

    [Fact]
    public void Cassos_two_ways_of_writing_the_sorted_json_differ_only_in_escapes()
    {
        using var json = JsonDocument.Parse("""{"b":"rau/củ","a":{"z":1,"y":"\"x\""}}""");
        Assert.Equal("""{"a":{"y":"\"x\"","z":1},"b":"rau/củ"}""", Casso.Canonical(json.RootElement, escapeAll: false));
        Assert.Equal("""{"a":{"y":"\"x\"","z":1},"b":"rau\/c\u1ee7"}""", Casso.Canonical(json.RootElement, escapeAll: true));
    }

    [Fact]
    public async Task Casso_webhook_v1_the_legacy_array_with_Secure_Token_is_read()
    {
        var (stall, account, connection) = await StallAsync("casso", Casso.ModeSecureToken);
        var sample = JsonNode.Parse(Sample("casso-webhook-v1.json"))!.AsObject();
        sample["data"]![0]!["id"] = long.Parse(NewTransactionId(), CultureInfo.InvariantCulture);
        sample["data"]![0]!["bank_sub_acc_id"] = account;
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(connection.WebhookPath, sample.ToJsonString(),
            new Dictionary<string, string> { ["Secure-Token"] = "guess" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(connection.WebhookPath, sample.ToJsonString(),
            new Dictionary<string, string> { ["Secure-Token"] = Cho40App.WebhookSecrets["casso"] }))).StatusCode);
        Assert.Equal(1_767_000, await TakingsAsync(stall));
    }

    [Fact]
    public async Task The_test_deliveries_of_Casso_and_payOS_are_stored_as_tests_shown_on_the_connection_and_never_counted()
    {
        var (cassoStall, _, casso) = await StallAsync("casso", Casso.ModeSignature);
        var test = Sample("casso-webhook-v2-test.json");
        using var http = App.CreateClient();
        var cassoAnswer = await http.SendAsync(Delivery(casso.WebhookPath, test,
            new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(test, Cho40App.WebhookSecrets["casso"], App.Clock.GetUtcNow()) }));
        Assert.Equal(HttpStatusCode.OK, cassoAnswer.StatusCode);
        Assert.Contains("\"test\":true", await cassoAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // payOS's published sample, signed with the published example key: what payOS sends when an address is confirmed.
        var (payosStall, _, payos) = await StallAsync("payos");
        await App.Services.GetRequiredService<IntegrationSecrets>().SetAsync(BankConnections.SecretOwnerKind, payos.Id, PaymentIntake.WebhookSecret,
            "1a54716c8f0efb2744fb28b6e38b25da7f67a925d98bc1c18bd8faaecadd7675", App.Clock.GetUtcNow(), TimeSpan.Zero);
        var payosAnswer = await http.SendAsync(Delivery(payos.WebhookPath, Sample("payos-webhook-test.json"), new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.OK, payosAnswer.StatusCode);
        Assert.Contains("\"test\":true", await payosAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var (stall, connection) in new[] { (cassoStall, casso), (payosStall, payos) })
        {
            Assert.Equal(0, await TakingsAsync(stall));
            Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM provider_transactions WHERE connection_id = @Id", new { connection.Id }));
            Assert.Equal("test", await ScalarAsync<string>(App, "SELECT status FROM bank_notifications WHERE connection_id = @Id", new { connection.Id }));
            Assert.NotNull((await App.Services.GetRequiredService<BankConnections>().FindAsync(connection.Id))!.LastTestAt);
        }

        // The stall's keeper sees it on the connection page.
        await Cho40.Tests.Shop.ShopHelpers.ExecuteAsync(App, "UPDATE stalls SET owner_user_id = (SELECT id FROM users WHERE phone = '0900000004') WHERE id = @cassoStall",
            new { cassoStall });
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        var (_, page) = await owner.GetPageAsync($"/Stall/{cassoStall}/Bank");
        Assert.Contains("đã nhận thư thử", page.QuerySelector("#last-test")!.TextContent, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> NotMoney => new()
    {
        { "sepay", "zero" }, { "sepay", "negative" }, { "sepay", "no account" },
        { "casso", "zero" }, { "casso", "no account" }, { "payos", "zero" }, { "payos", "negative" },
    };

    [Theory]
    [MemberData(nameof(NotMoney))]
    public async Task A_signed_notification_that_cannot_be_money_is_kept_as_invalid_acknowledged_so_it_is_not_retried_and_counted_nowhere(string provider,
        string what)
    {
        var (stall, account, connection) = await StallAsync(provider);
        var amount = what switch { "zero" => 0L, "negative" => -50_000L, _ => 50_000L };
        var reported = what == "no account" ? "" : account;
        var id = NewTransactionId();
        var now = App.Clock.GetUtcNow();
        var (body, headers) = Simulate(provider, new SimulatedTransfer(id, reported, amount, "tien rau", now), Cho40App.WebhookSecrets[provider], now);
        using var http = App.CreateClient();

        var response = await http.SendAsync(Delivery(connection.WebhookPath, body, headers));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // not 503: the service stops retrying
        Assert.Contains("\"invalid\":1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("invalid", await ScalarAsync<string>(App,
            "SELECT status FROM bank_notifications WHERE connection_id = @Id ORDER BY id DESC LIMIT 1", new { connection.Id }));
        Assert.Contains("cannot be money", await ScalarAsync<string>(App,
            "SELECT error FROM bank_notifications WHERE connection_id = @Id ORDER BY id DESC LIMIT 1", new { connection.Id }), StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM provider_transactions WHERE connection_id = @Id", new { connection.Id }));
        Assert.Equal(0, await TakingsAsync(stall));
    }

    [Fact]
    public async Task A_stall_payment_above_the_ceiling_is_booked_and_flagged_in_the_markets_inbox()
    {
        var (stall, account, _) = await StallAsync("sepay");
        using var http = App.CreateClient();
        var id = NewTransactionId();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SignedDelivery(App, "sepay", id, account, 60_000_000, "tien hang"))).StatusCode);
        Assert.Equal(60_000_000, await TakingsAsync(stall));
        Assert.Equal("above_ceiling", await ScalarAsync<string>(App, """
            SELECT i.reason FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE t.provider_txn_id = @id AND i.stall_id = @stall
            """, new { id, stall }));
        // At the ceiling: booked, not flagged.
        var atCeiling = NewTransactionId();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SignedDelivery(App, "sepay", atCeiling, account, 50_000_000, "tien hang"))).StatusCode);
        Assert.Equal(0, await ScalarAsync<long>(App, """
            SELECT count(*) FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id WHERE t.provider_txn_id = @atCeiling
            """, new { atCeiling }));
        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var (_, inbox) = await manager.GetPageAsync("/Market/Inbox");
        Assert.Contains(inbox.QuerySelectorAll(".inbox-above_ceiling"), li => li.TextContent.Contains("60.000.000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sepay")]
    [InlineData("casso")]
    [InlineData("payos")]
    public async Task Twenty_concurrent_copies_of_one_delivery_count_once(string provider)
    {
        var (stall, account, connection) = await StallAsync(provider);
        var now = App.Clock.GetUtcNow();
        var (body, headers) = Simulate(provider, new SimulatedTransfer(NewTransactionId(), account, 75_000, "mua thit", now), Cho40App.WebhookSecrets[provider], now);
        var clients = Enumerable.Range(0, 20).Select(_ => App.CreateClient()).ToList();
        try
        {
            var responses = await Task.WhenAll(clients.Select(c => Task.Run(() => c.SendAsync(Delivery(connection.WebhookPath, body, headers)))));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
        Assert.Equal(20, await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications WHERE connection_id = @Id", new { connection.Id }));
        Assert.Equal(1, await ScalarAsync<long>(App, "SELECT count(*) FROM provider_transactions WHERE connection_id = @Id", new { connection.Id }));
        Assert.Equal(75_000, await TakingsAsync(stall));
    }

    [Fact]
    public async Task A_delivery_authenticated_for_one_stalls_connection_cannot_touch_another_stalls_money()
    {
        var (stallA, accountA, connectionA) = await StallAsync("sepay");
        var (stallB, accountB, connectionB) = await StallAsync("casso");
        var requestB = await App.Services.GetRequiredService<Cho40.Db.Payments>().CreateRequestAsync(stallB, 86_000, r => "payload " + r,
            App.Clock.GetUtcNow(), TimeSpan.FromMinutes(15), userId: 1);
        using var http = App.CreateClient();
        var now = App.Clock.GetUtcNow();

        // Through A's address, with A's key, a transfer "into B's account" paying B's charge: authentic for A, so it may only book
        // to A's accounts — B's account is outside, so nothing is booked to anyone; it waits for a person.
        var id = NewTransactionId();
        var (body, headers) = Simulate("sepay", new SimulatedTransfer(id, accountB, 86_000, "C40 " + requestB.Reference, now), Cho40App.WebhookSecrets["sepay"], now);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(connectionA.WebhookPath, body, headers))).StatusCode);
        Assert.Equal((0L, 0L), (await TakingsAsync(stallA), await TakingsAsync(stallB)));
        Assert.Equal("pending", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @Id", new { requestB.Id }));
        Assert.Equal("unknown", await ScalarAsync<string>(App, "SELECT credited_to FROM provider_transactions WHERE provider_txn_id = @id", new { id }));

        // B's address with A's key (or A's format): refused, nothing stored.
        var before = await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications WHERE connection_id = @Id", new { connectionB.Id });
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(connectionB.WebhookPath, body, headers))).StatusCode);
        var (cassoBody, _) = Simulate("casso", new SimulatedTransfer(NewTransactionId(), accountB, 86_000, "C40 " + requestB.Reference, now), "x", now);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery(connectionB.WebhookPath, cassoBody,
            new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(cassoBody, Cho40App.WebhookSecrets["sepay"], now) }))).StatusCode);
        Assert.Equal(before, await ScalarAsync<long>(App, "SELECT count(*) FROM bank_notifications WHERE connection_id = @Id", new { connectionB.Id }));

        // Control: B's own connection pays B's charge; A still has nothing.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SignedDelivery(App, "casso", NewTransactionId(), accountB, 86_000, "C40 " + requestB.Reference))).StatusCode);
        Assert.Equal("paid", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @Id", new { requestB.Id }));
        Assert.Equal((0L, 86_000L), (await TakingsAsync(stallA), await TakingsAsync(stallB)));
    }

    [Fact]
    public async Task A_rotated_key_keeps_working_for_its_grace_period_a_revoked_connection_answers_404_and_keys_are_sealed_at_rest()
    {
        var (stall, account, connection) = await StallAsync("sepay", SePay.ModeApiKey);
        var setup = App.Services.GetRequiredService<BankConnectionSetup>();
        var oldKey = Cho40App.WebhookSecrets["sepay"];
        var newKey = Assert.Single(await setup.RotateAsync(connection, CancellationToken.None)).Value;
        using var http = App.CreateClient();
        HttpRequestMessage With(string key) =>
            Delivery(connection.WebhookPath, SePaySample(account, NewTransactionId(), 1_000).ToJsonString(), new Dictionary<string, string> { ["Authorization"] = "Apikey " + key });

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(With(newKey))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(With(oldKey))).StatusCode); // still in its 24 h of grace
        App.Clock.Advance(TimeSpan.FromHours(25));
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(With(oldKey))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(With(newKey))).StatusCode);
        }
        finally
        {
            App.Clock.Advance(TimeSpan.FromHours(-25));
        }

        // Sealed with data protection: the table never holds a key in the clear, and a value sealed for one use does not open as another.
        await using (var db = new NpgsqlConnection(App.ConnectionString))
        {
            var sealedValues = (await db.QueryAsync<string>("SELECT sealed FROM integration_secrets WHERE owner_id = @Id", new { connection.Id })).ToList();
            Assert.NotEmpty(sealedValues);
            Assert.DoesNotContain(sealedValues, v => v.Contains(newKey, StringComparison.Ordinal) || v.Contains(oldKey, StringComparison.Ordinal));
            var other = App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Cho40.IntegrationSecrets", "carrier_connection", "webhook");
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => other.Unprotect(sealedValues[0]));
        }

        Assert.True(await setup.RevokeAsync(connection, 1, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(With(newKey))).StatusCode);
        Assert.Equal(3_000, await TakingsAsync(stall));
    }
}
