using System.Globalization;
using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using static Cho40.Tests.Payments.CreditedAccountTests;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>
/// Money goes only where it was sent, as a property: a few hundred random, correctly signed notifications — credited
/// to the collection account, stall A's account, stall B's account, stall A's virtual account (on an unknown pooled
/// account, or on B's account: two owners), or an unknown account; contents mixing real and made-up order codes and
/// both stalls' charge references, however mangled; amounts often exactly what the named order or charge asks;
/// deliveries repeated, some concurrently — and afterwards, for every provider transaction, the money booked
/// (stall payments, orders' paid amounts) went only to the owner of the account credited, and at most once.
/// The seed is printed; set CHO40_PROPERTY_SEED to replay a run.
/// </summary>
public sealed class CreditedAccountPropertyTests(WebhookAppFixture fixture, ITestOutputHelper output) : IClassFixture<WebhookAppFixture>
{
    private Cho40App App => fixture.App;

    private enum Target { Collection, StallA, StallB, VirtualA, VirtualAOnB, Unknown }

    private sealed record Sent(string Provider, string ProviderTxnId, Target Target, long AmountVnd, string Path, string Body,
        IReadOnlyDictionary<string, string> Headers);

    [Fact]
    public async Task Random_notifications_book_money_only_to_the_owner_of_the_account_credited_and_only_once()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CHO40_PROPERTY_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"CHO40_PROPERTY_SEED={seed}");
        var random = new Random(seed);

        // The world: two stalls (A with a virtual account), transfer orders, pending charges of both stalls.
        var collection = App.Services.GetRequiredService<Cho40.Web.Pages.Shop.CollectionAccount>().AccountNumber;
        var (accountA, accountB) = (NewAccount(), NewAccount());
        var virtualA = "VA" + accountA[^9..];
        var stallA = await CreditedAccountTests.StallForAccountAsync(App, accountA, virtualA);
        var stallB = await CreditedAccountTests.StallForAccountAsync(App, accountB);
        var orders = await PlaceTransferOrdersAsync(8);
        var payments = App.Services.GetRequiredService<Cho40.Db.Payments>();
        var requests = new List<PaymentRequest>();
        foreach (var stall in new[] { stallA, stallB })
        {
            for (var i = 0; i < 5; i++)
                requests.Add(await payments.CreateRequestAsync(stall, random.Next(1, 500) * 1_000L, r => "payload " + r, App.Clock.GetUtcNow(),
                    TimeSpan.FromHours(2), userId: 1));
        }

        // Random notifications, some delivered again (as providers retry), sent eight at a time.
        var paths = new Dictionary<string, string>
        {
            ["sepay"] = (await TestConnections.ForOwnerAsync(App, null, "sepay")).WebhookPath,
            ["payos"] = (await TestConnections.ForOwnerAsync(App, stallA, "payos")).WebhookPath,
            ["casso"] = (await TestConnections.ForOwnerAsync(App, stallB, "casso")).WebhookPath,
        };
        var now = App.Clock.GetUtcNow();
        var sent = new List<Sent>();
        var deliveries = new List<Sent>();
        for (var i = 0; i < 240; i++)
        {
            if (sent.Count > 0 && random.NextDouble() < 0.2)
            {
                deliveries.Add(sent[random.Next(sent.Count)]);
                continue;
            }
            var target = (Target)random.Next(6);
            // Each account is watched by its owner's connection: the collection account's (which also reports accounts it
            // does not know) on SePay, stall A's (its account and virtual account) on payOS, stall B's on Casso.
            var provider = target switch
            {
                Target.StallA or Target.VirtualA => "payos", Target.StallB or Target.VirtualAOnB => "casso", _ => "sepay",
            };
            var path = paths[provider];
            var (account, virtualAccount) = target switch
            {
                Target.Collection => (collection, ""),
                Target.StallA => (accountA, ""),
                Target.StallB => (accountB, ""),
                Target.VirtualA => (NewAccount("77"), virtualA),
                Target.VirtualAOnB => (accountB, virtualA),
                _ => (NewAccount("55"), ""),
            };
            var (content, exactAmounts) = RandomContent(random, orders, requests);
            var amount = exactAmounts.Count > 0 && random.NextDouble() < 0.7
                ? exactAmounts[random.Next(exactAmounts.Count)]
                : random.Next(1, 2_000) * 500L;
            var id = NewTransactionId();
            var (body, headers) = Simulate(provider, new SimulatedTransfer(id, account, amount, content, now, virtualAccount), Cho40App.WebhookSecrets[provider], now);
            var one = new Sent(provider, provider == "payos" ? $"{id}:FT{id}" : id, target, amount, path, body, headers);
            sent.Add(one);
            deliveries.Add(one);
        }
        using var http = App.CreateClient();
        foreach (var batch in deliveries.Chunk(8))
        {
            var responses = await Task.WhenAll(batch.Select(d => http.SendAsync(Delivery(d.Path, d.Body, d.Headers))));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }
        output.WriteLine($"{deliveries.Count} deliveries of {sent.Count} transactions: " + string.Join(", ",
            sent.GroupBy(s => s.Target).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));

        // What the database booked, per provider transaction.
        await using var db = new NpgsqlConnection(App.ConnectionString);
        var stored = (await db.QueryAsync<(long Id, string Provider, string ProviderTxnId, long AmountVnd, string? CreditedTo, long? CreditedStallId)>("""
            SELECT id, provider, provider_txn_id, amount_vnd, credited_to, credited_stall_id FROM provider_transactions
            WHERE provider_txn_id = ANY(@ids)
            """, new { ids = sent.Select(s => s.ProviderTxnId).ToArray() })).ToDictionary(t => (t.Provider, t.ProviderTxnId));
        var booked = (await db.QueryAsync<(long TransactionId, long StallId, long AmountVnd, long? RequestId)>("""
            SELECT provider_transaction_id, stall_id, amount_vnd, payment_request_id FROM stall_payments WHERE provider_transaction_id = ANY(@ids)
            """, new { ids = stored.Values.Select(t => t.Id).ToArray() })).ToLookup(p => p.TransactionId);
        var paidOrders = (await db.QueryAsync<(string PaidBy, long PaidAmountVnd, long TotalVnd)>("""
            SELECT payment_provider_transaction_id, paid_amount_vnd, total_vnd FROM orders WHERE id = ANY(@ids) AND payment_status = 'paid'
            """, new { ids = orders.Select(o => o.Id).ToArray() })).ToLookup(o => o.PaidBy);
        var inbox = (await db.QueryAsync<(long TransactionId, string Reason)>(
            "SELECT provider_transaction_id, reason FROM payment_inbox WHERE provider_transaction_id = ANY(@ids)",
            new { ids = stored.Values.Select(t => t.Id).ToArray() })).ToLookup(i => i.TransactionId, i => i.Reason);

        Assert.Equal(sent.Count, stored.Count); // every transaction stored once, however often it was delivered
        foreach (var s in sent)
        {
            var t = stored[(s.Provider, s.ProviderTxnId)];
            var why = $"{s.Target} {s.Provider}:{s.ProviderTxnId} {s.AmountVnd} (seed {seed})";
            long? owner = s.Target switch { Target.StallA or Target.VirtualA => stallA, Target.StallB => stallB, _ => null };
            var expectedKind = s.Target switch
            {
                Target.Collection => "platform", Target.VirtualAOnB => "ambiguous", Target.Unknown => "unknown", _ => "stall",
            };
            Assert.True(expectedKind == t.CreditedTo && owner == t.CreditedStallId, $"credited {t.CreditedTo}/{t.CreditedStallId}: {why}");

            var stallPayments = booked[t.Id].ToList();
            var orderPayments = paidOrders[$"{s.Provider}:{s.ProviderTxnId}"].ToList();
            if (owner is { } stall)
            {
                // Money in a stall's account is that stall's takings, in full, once — whatever the text named.
                Assert.True(stallPayments.Count == 1 && stallPayments[0].StallId == stall && stallPayments[0].AmountVnd == s.AmountVnd,
                    $"stall payments {string.Join(";", stallPayments)}: {why}");
                Assert.True(orderPayments.Count == 0, $"an order was paid: {why}");
            }
            else
            {
                Assert.True(stallPayments.Count == 0, $"booked to a stall: {why}");
                if (s.Target == Target.Collection)
                {
                    // The platform's money: pays one order exactly, or waits in the inbox.
                    Assert.True(orderPayments.Count <= 1, $"paid {orderPayments.Count} orders: {why}");
                    Assert.True(orderPayments.All(o => o.PaidAmountVnd == s.AmountVnd && o.TotalVnd == s.AmountVnd), $"paid amount: {why}");
                    Assert.True(orderPayments.Count == 1 || inbox[t.Id].Any(), $"neither paid an order nor in the inbox: {why}");
                }
                else
                {
                    Assert.True(orderPayments.Count == 0, $"an order was paid: {why}");
                    Assert.Equal(s.Target == Target.Unknown ? "unmatched" : "ambiguous_account", Assert.Single(inbox[t.Id]));
                }
            }
        }

        // Requests: paid only by their own stall's money; each stall's takings are exactly what was credited to it.
        var requestRows = (await db.QueryAsync<(long Id, long StallId, string Status)>(
            "SELECT id, stall_id, status FROM payment_requests WHERE id = ANY(@ids)", new { ids = requests.Select(r => r.Id).ToArray() })).ToList();
        var all = booked.SelectMany(g => g).ToList();
        foreach (var r in requestRows)
        {
            Assert.All(all.Where(p => p.RequestId == r.Id), p => Assert.Equal(r.StallId, p.StallId));
            if (r.Status is "paid" or "underpaid") Assert.Contains(all, p => p.RequestId == r.Id);
        }
        foreach (var (stall, targets) in new[] { (stallA, new[] { Target.StallA, Target.VirtualA }), (stallB, new[] { Target.StallB }) })
        {
            Assert.Equal(sent.Where(s => targets.Contains(s.Target)).Sum(s => s.AmountVnd),
                await db.ExecuteScalarAsync<long>("SELECT coalesce(sum(amount_vnd), 0) FROM stall_payments WHERE stall_id = @stall", new { stall }));
        }
        output.WriteLine($"orders paid: {paidOrders.Count}; requests paid: {requestRows.Count(r => r.Status == "paid")}; " +
                         $"stall payments: {all.Count}; inbox: {inbox.Sum(g => g.Count())}");
    }

    /// <summary>Free text with zero to three references — real or made-up order codes and charge references, mangled as banks do.</summary>
    private static (string Content, List<long> ExactAmounts) RandomContent(Random random, IReadOnlyList<PlacedOrder> orders,
        IReadOnlyList<PaymentRequest> requests)
    {
        var parts = new List<string> { new[] { "MBVCB.4417", "IBFT", "chuyen tien", "CT tu 0912345678", "" }[random.Next(5)] };
        var exact = new List<long>();
        for (var n = random.Next(4); n > 0; n--)
        {
            switch (random.Next(4))
            {
                case 0:
                    var order = orders[random.Next(orders.Count)];
                    parts.Add(Mangle(random, "Cho40 " + order.Code));
                    exact.Add(order.TotalVnd);
                    break;
                case 1:
                    var request = requests[random.Next(requests.Count)];
                    parts.Add(Mangle(random, request.Purpose));
                    exact.Add(request.AmountVnd);
                    break;
                case 2:
                    parts.Add(Mangle(random, "DH-" + PaymentReferences.New())); // an order that does not exist
                    break;
                default:
                    parts.Add(Mangle(random, "C40 " + PaymentReferences.New())); // a charge that does not exist
                    break;
            }
        }
        return (string.Join(random.Next(2) == 0 ? " " : ".", parts.Where(p => p.Length > 0)), exact);
    }

    private static string Mangle(Random random, string code) => random.Next(4) switch
    {
        0 => code,
        1 => code.ToLowerInvariant(),
        2 => code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal),
        _ => code.Replace("-", " ", StringComparison.Ordinal),
    };

    private async Task<IReadOnlyList<PlacedOrder>> PlaceTransferOrdersAsync(int count)
    {
        var orders = App.Services.GetRequiredService<Cho40.Db.Orders>();
        await using var db = new NpgsqlConnection(App.ConnectionString);
        var products = (await db.QueryAsync<long>("""
            SELECT p.id FROM products p JOIN sellers s ON s.id = p.seller_id
            WHERE p.status = 'published' AND s.status = 'approved' AND p.stock >= 20 ORDER BY p.id LIMIT 8
            """)).ToList();
        Assert.NotEmpty(products);
        var placed = new List<PlacedOrder>();
        for (var i = 0; i < count; i++)
        {
            var outcome = await orders.PlaceAsync(new CheckoutRequest(Guid.NewGuid(), null, "Nguyễn Văn Khách", "0912345678", "19", "05503",
                "Xóm Hồng Thái 2", "", PaymentMethods.Transfer, [new CartLine(products[i % products.Count], 1 + i / products.Count)], 30_000),
                App.Clock.GetUtcNow());
            Assert.Equal(CheckoutStatus.Placed, outcome.Status);
            placed.AddRange(outcome.Orders);
        }
        return placed;
    }
}
