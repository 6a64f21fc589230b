using System.Net.Http.Headers;
using System.Text;
using Cho40.Tests.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Payments;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Stalls;

/// <summary>Shortcuts for stall tests: a stall with a bank account, and signed webhook deliveries as providers send them.</summary>
public static class StallTestData
{
    private static long nextTransaction = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 100;

    public static string NewTransactionId() => Interlocked.Increment(ref nextTransaction).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A new stall of its own for one test, in a demo market, owned by the demo stallholder (0900000004) and set up by the
    /// demo digital helper (0900000005) like A01, with a bank account whose number no other stall has. Tests that take
    /// payments, change a stall or count its rows use one of these, never the demo stall A01 that other tests read.
    /// </summary>
    public static async Task<(long Id, string Number, string Account)> NewStallAsync(Cho40App app, string market = "cho-thai",
        string ownerPhone = "0900000004", string createdByPhone = "0900000005")
    {
        var number = Unique.StallNumber();
        var account = Unique.AccountNumber();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var id = await connection.QuerySingleAsync<long>("""
            WITH s AS (
                INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id, created_by_user_id)
                SELECT m.id, @number, 'Sạp thử ' || @number, 'Rau', o.id, h.id
                FROM markets m, users o, users h WHERE m.slug = @market AND o.phone = @ownerPhone AND h.phone = @createdByPhone
                RETURNING id)
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder)
            SELECT id, '970422', @account, 'LE THI HOA' FROM s
            RETURNING stall_id
            """, new { market, number, account, ownerPhone, createdByPhone });
        return (id, number, account);
    }

    /// <summary>Links a bank account to a demo stall (fixture data; setting it up through the page is tested on its own).</summary>
    public static async Task<long> StallWithAccountAsync(Cho40App app, string market, string stallNumber, string accountNumber)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.QuerySingleAsync<long>("""
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder)
            SELECT s.id, '970422', @accountNumber, 'LE THI HOA' FROM stalls s JOIN markets m ON m.id = s.market_id
            WHERE m.slug = @market AND s.stall_number = @stallNumber
            ON CONFLICT (stall_id) DO UPDATE SET account_number = excluded.account_number
            RETURNING stall_id
            """, new { market, stallNumber, accountNumber });
    }

    /// <summary>A POST of <paramref name="body"/> to a webhook address (a connection's <see cref="Cho40.Db.BankConnection.WebhookPath"/>).</summary>
    public static HttpRequestMessage Delivery(string path, string body, IReadOnlyDictionary<string, string> headers,
        string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    public static HttpRequestMessage Delivery(string path, BankDelivery delivery) =>
        Delivery(path, delivery.RawBody, HeadersOf(delivery), delivery.ContentType);

    public static IReadOnlyDictionary<string, string> HeadersOf(BankDelivery delivery) =>
        delivery.Headers.ToDictionary(h => h.Key, h => h.Value.ToString());

    /// <summary>
    /// The webhook address of the connection of the account's owner on <paramref name="provider"/> (made on first use; see
    /// <see cref="TestConnections"/>). Synchronous so that call sites stay one expression (tests run without a sync context).
    /// </summary>
    public static string PathOf(Cho40App app, string provider, string account, string virtualAccount = "") =>
        TestConnections.ForAccountAsync(app, provider, account, virtualAccount).GetAwaiter().GetResult().WebhookPath;

    /// <summary>A delivery of one transfer in the provider's own format, signed with the test key in its default mode.</summary>
    public static (string Body, IReadOnlyDictionary<string, string> Headers) Simulate(string provider, SimulatedTransfer transfer, string secret,
        DateTimeOffset now)
    {
        var delivery = TestConnections.Format(provider).Simulate(transfer, TestConnections.DefaultMode(provider), secret, now);
        return (delivery.RawBody, HeadersOf(delivery));
    }

    /// <summary>A correctly signed delivery of one transfer, in the provider's own format, to the connection of the account's owner.</summary>
    public static HttpRequestMessage SignedDelivery(Cho40App app, string provider, string transactionId, string account, long amount,
        string content, DateTimeOffset? time = null, string virtualAccount = "")
    {
        var now = app.Clock.GetUtcNow();
        var path = PathOf(app, provider, account, virtualAccount);
        var (body, headers) = Simulate(provider, new SimulatedTransfer(transactionId, account, amount, content, time ?? now, virtualAccount),
            Cho40App.WebhookSecrets[provider], now);
        return Delivery(path, body, headers);
    }

    /// <summary>A new person with no stall: signs up through the real page, then signs in.</summary>
    public static async Task SignUpAndSignInAsync(this PageClient client, string phone, string name)
    {
        await client.SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = name, ["Input.Phone"] = phone, ["Input.Password"] = "mat-khau-123", ["Input.ConfirmPassword"] = "mat-khau-123",
        });
        await client.SignInAsync(phone, "mat-khau-123");
    }

    public static async Task<T> ScalarAsync<T>(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }
}
