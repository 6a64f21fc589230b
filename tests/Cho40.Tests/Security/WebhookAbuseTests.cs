using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Payments;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Security;

/// <summary>
/// For every bank-notification service: a replayed delivery counts once; a body signed with the wrong secret, a
/// tampered body under the original signature and (SePay, Casso v2) a new transaction under a stale or future
/// timestamp are refused with 401 and store nothing — neither a notification nor a transaction nor a payment; a late
/// replay of a stored transaction is acknowledged (so the service stops) and stores nothing either.
/// </summary>
public sealed class WebhookAbuseTests(WebhookAppFixture fixture) : IClassFixture<WebhookAppFixture>
{
    private Cho40App App => fixture.App;

    private Task<long> CountAsync(string table) => ScalarAsync<long>(App, $"SELECT count(*) FROM {table}");

    [Theory]
    [InlineData("sepay")]
    [InlineData("payos")]
    [InlineData("casso")]
    public async Task A_replayed_delivery_counts_once_and_forged_ones_store_nothing(string provider)
    {
        var (stall, _, account) = await NewStallAsync(App, "cho-tuc-duyen");
        using var client = App.CreateClient();
        var now = App.Clock.GetUtcNow();
        var path = PathOf(App, provider, account);
        var transaction = NewTransactionId();
        const string sumSql = "SELECT coalesce(sum(amount_vnd), 0) FROM stall_payments WHERE stall_id = @stall";
        var receivedBefore = await ScalarAsync<long>(App, sumSql, new { stall });
        var (body, headers) = Simulate(provider, new SimulatedTransfer(transaction, account, 45_000, "tien rau", now), Cho40App.WebhookSecrets[provider], now);

        for (var i = 0; i < 4; i++)
        {
            var response = await client.SendAsync(Delivery(path, body, headers));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(1L, await ScalarAsync<long>(App, "SELECT count(*) FROM provider_transactions WHERE provider = @provider AND provider_txn_id LIKE '%' || @transaction || '%'",
            new { provider, transaction }));
        Assert.Equal(receivedBefore + 45_000L, await ScalarAsync<long>(App, sumSql, new { stall }));

        var notifications = await CountAsync("bank_notifications");
        var transactions = await CountAsync("provider_transactions");
        var payments = await CountAsync("stall_payments");

        // Re-signed with a secret that is not ours.
        var forgedTransaction = NewTransactionId();
        var (forgedBody, forgedHeaders) = Simulate(provider, new SimulatedTransfer(forgedTransaction, account, 9_000_000, "x", now), "attacker-secret", now);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(path, forgedBody, forgedHeaders))).StatusCode);

        // The real delivery with its amount changed, under the original signature (every mode tests sign with covers the body).
        var tampered = body.Replace("45000", "4500000", StringComparison.Ordinal);
        Assert.NotEqual(body, tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(path, tampered, headers))).StatusCode);

        if (provider is "sepay" or "casso")
        {
            // A new transaction correctly signed but stale (a capture replayed after the window), or dated in the future.
            foreach (var when in new[] { now.AddMinutes(-6), now.AddMinutes(6) })
            {
                var (timedBody, timedHeaders) = Simulate(provider, new SimulatedTransfer(NewTransactionId(), account, 45_000, "x", when),
                    Cho40App.WebhookSecrets[provider], when);
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(path, timedBody, timedHeaders))).StatusCode);
            }
            // The original delivery retried six minutes later: its timestamp is stale now, but it is a stored transaction, so it is
            // acknowledged (the service must stop retrying) and changes nothing.
            App.Clock.Advance(TimeSpan.FromMinutes(6));
            try
            {
                var late = await client.SendAsync(Delivery(path, body, headers));
                Assert.Equal(HttpStatusCode.OK, late.StatusCode);
                Assert.Contains("\"duplicates\":1", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            finally
            {
                App.Clock.Advance(TimeSpan.FromMinutes(-6));
            }
        }

        Assert.Equal(notifications, await CountAsync("bank_notifications"));
        Assert.Equal(transactions, await CountAsync("provider_transactions"));
        Assert.Equal(payments, await CountAsync("stall_payments"));
        Assert.Equal(receivedBefore + 45_000L, await ScalarAsync<long>(App, sumSql, new { stall }));
    }
}
