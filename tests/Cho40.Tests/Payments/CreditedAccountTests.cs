using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>
/// Money goes only where it was sent (issue 12): each test performs an attack with a correctly signed notification — a
/// transfer into a stall's account naming a shop order, into an unknown account naming an order, into stall B's account
/// naming stall A's charge — and shows that the order or charge is NOT paid, the money is booked to the owner of the
/// account credited (or waits in the inbox), then the same transfer into the right account pays it (the control).
/// </summary>
public sealed class CreditedAccountTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    private string Collection => App.Services.GetRequiredService<Cho40.Web.Pages.Shop.CollectionAccount>().AccountNumber;

    private static long nextAccount = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 10_000_000_000;

    /// <summary>An account number nobody else in the test run uses (13 digits).</summary>
    public static string NewAccount(string prefix = "18") =>
        prefix + Interlocked.Increment(ref nextAccount).ToString("D11", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new stall of its own at Chợ Thái, linked to <paramref name="account"/> and, if given, a virtual account (fixture data).</summary>
    public static async Task<long> StallForAccountAsync(Cho40App app, string account, string? virtualAccount = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.QuerySingleAsync<long>("""
            WITH s AS (
                INSERT INTO stalls (market_id, stall_number, name, goods)
                SELECT id, @number, 'Sạp thử ' || @number, 'Rau' FROM markets WHERE slug = 'cho-thai' RETURNING id)
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder, virtual_account)
            SELECT id, '970422', @account, 'NGUYEN VAN THU', @virtualAccount FROM s RETURNING stall_id
            """, new { number = "T" + account[^8..], account, virtualAccount });
    }

    /// <summary>
    /// A correctly signed delivery of one transfer naming a virtual account (SePay subAccount, payOS virtualAccountNumber),
    /// through the connection of the account's owner (or, when nobody owns the account, of the virtual account's).
    /// </summary>
    public static HttpRequestMessage SignedDeliveryToVirtualAccount(Cho40App app, string provider, string transactionId, string account,
        string virtualAccount, long amount, string content) =>
        SignedDelivery(app, provider, transactionId, account, amount, content, virtualAccount: virtualAccount);

    private async Task<(string Code, long Total)> TransferOrderAsync()
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, "nam-huong-rung-kho-ba-be");
        var response = await ShopHelpers.CheckoutAsync(client, "transfer");
        var (_, page) = await client.GetPageAsync(response.Headers.Location!.OriginalString);
        var code = page.QuerySelector("h1")!.TextContent.Split(' ')[^1];
        return (code, await ShopHelpers.ScalarAsync<long>(App, "SELECT total_vnd FROM orders WHERE code = @code", new { code }));
    }

    private Task<string> OrderStatusAsync(string code) =>
        ScalarAsync<string>(App, "SELECT payment_status || ':' || coalesce(paid_amount_vnd::text, '-') FROM orders WHERE code = @code", new { code });

    private async Task DeliverAsync(string provider, string transactionId, string account, long amount, string content)
    {
        using var http = App.CreateClient();
        var response = await http.SendAsync(SignedDelivery(App, provider, transactionId, account, amount, content));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // authentic: accepted and stored, whatever it pays
    }

    private Task<long> BookedToStallsAsync(string transactionId) => ScalarAsync<long>(App, """
        SELECT count(*) FROM stall_payments p JOIN provider_transactions t ON t.id = p.provider_transaction_id
        WHERE t.provider_txn_id LIKE '%' || @transactionId || '%'
        """, new { transactionId });

    [Theory]
    [InlineData("sepay")]
    [InlineData("payos")]
    [InlineData("casso")]
    public async Task A_signed_transfer_into_a_stalls_account_naming_an_order_is_the_stalls_takings_and_leaves_the_order_unpaid(string provider)
    {
        var account = NewAccount();
        var stall = await StallForAccountAsync(App, account);
        var (code, total) = await TransferOrderAsync();

        var attack = NewTransactionId();
        await DeliverAsync(provider, attack, account, total, "Cho40 " + code);

        Assert.Equal("unpaid:-", await OrderStatusAsync(code));
        // The money arrived in the stall's account: it is the stall's, as a static-sign payment.
        Assert.Equal(total, await ScalarAsync<long>(App, """
            SELECT p.amount_vnd FROM stall_payments p JOIN provider_transactions t ON t.id = p.provider_transaction_id
            WHERE t.provider_txn_id LIKE '%' || @attack || '%' AND p.stall_id = @stall AND p.payment_request_id IS NULL AND p.check_result = 'ok'
            """, new { attack, stall }));
        Assert.Equal(1, await BookedToStallsAsync(attack));

        // Control: the same order paid into the collection account is paid.
        await DeliverAsync(provider, NewTransactionId(), Collection, total, "Cho40 " + code);
        Assert.Equal($"paid:{total}", await OrderStatusAsync(code));
    }

    [Theory]
    [InlineData("sepay")]
    [InlineData("payos")]
    [InlineData("casso")]
    public async Task A_signed_transfer_into_an_unknown_account_naming_an_order_waits_in_the_inbox_and_pays_nobody(string provider)
    {
        var (code, total) = await TransferOrderAsync();
        var unknown = NewAccount("55");

        var attack = NewTransactionId();
        await DeliverAsync(provider, attack, unknown, total, "Cho40 " + code);

        Assert.Equal("unpaid:-", await OrderStatusAsync(code));
        Assert.Equal(0, await BookedToStallsAsync(attack));
        Assert.Equal("unmatched", await ScalarAsync<string>(App, """
            SELECT string_agg(i.reason, ',') FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE t.provider_txn_id LIKE '%' || @attack || '%'
            """, new { attack }));

        await DeliverAsync(provider, NewTransactionId(), Collection, total, "Cho40 " + code);
        Assert.Equal($"paid:{total}", await OrderStatusAsync(code));
    }

    [Theory]
    [InlineData("sepay")]
    [InlineData("payos")]
    [InlineData("casso")]
    public async Task A_signed_transfer_into_stall_Bs_account_naming_stall_As_charge_leaves_the_charge_waiting(string provider)
    {
        // Stall A: its own new account, and a charge made by its stallholder on the real page.
        var accountA = NewAccount();
        var stallA = await StallForAccountAsync(App, accountA);
        var ownerPhone = "0987" + accountA[^6..];
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            await connection.ExecuteAsync("""
                WITH u AS (INSERT INTO users (phone, display_name, password_hash, created_at)
                           SELECT @ownerPhone, 'Chủ sạp A', password_hash, now() FROM users WHERE phone = '0900000004' RETURNING id),
                     r AS (INSERT INTO user_roles (user_id, role) SELECT id, 'stallholder' FROM u)
                UPDATE stalls SET owner_user_id = (SELECT id FROM u) WHERE id = @stallA
                """, new { ownerPhone, stallA });
        }
        using var owner = App.NewClient();
        await owner.SignInAsync(ownerPhone);
        var typed = await owner.SubmitFormAsync($"/Stall/{stallA}/Charge", "form.charge-form", new Dictionary<string, string> { ["Amount"] = "86.000" });
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        var (_, confirm) = await owner.GetPageAsync(typed.Headers.Location!.OriginalString); // the confirm step
        var created = await owner.SubmitAsync(confirm, "#charge-confirm form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var url = created.Headers.Location!.OriginalString;
        var requestId = long.Parse(url[(url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var reference = await ScalarAsync<string>(App, "SELECT reference FROM payment_requests WHERE id = @requestId", new { requestId });

        var accountB = NewAccount();
        var stallB = await StallForAccountAsync(App, accountB);
        var attack = NewTransactionId();
        await DeliverAsync(provider, attack, accountB, 86_000, $"MBVCB.2.C40 {reference}.CT tu");

        var (_, page) = await owner.GetPageAsync(url);
        Assert.Contains("Đang chờ", page.QuerySelector("#charge-status")!.TextContent);
        Assert.Equal("pending", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @requestId", new { requestId }));
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE payment_request_id = @requestId OR stall_id = @stallA",
            new { requestId, stallA }));
        // The money is in B's account: B's takings, as a sign payment, not a payment of A's request.
        Assert.Equal(86_000, await ScalarAsync<long>(App, """
            SELECT p.amount_vnd FROM stall_payments p JOIN provider_transactions t ON t.id = p.provider_transaction_id
            WHERE t.provider_txn_id LIKE '%' || @attack || '%' AND p.stall_id = @stallB AND p.payment_request_id IS NULL
            """, new { attack, stallB }));
        Assert.Equal(1, await BookedToStallsAsync(attack));

        // Control: the same transfer into A's own account pays the charge.
        await DeliverAsync(provider, NewTransactionId(), accountA, 86_000, $"MBVCB.2.C40 {reference}.CT tu");
        var (_, paid) = await owner.GetPageAsync(url);
        Assert.Equal("ĐÃ NHẬN ĐỦ TIỀN", paid.QuerySelector("#charge-status")!.TextContent.Trim());
    }

    [Theory]
    [InlineData("sepay")]
    [InlineData("payos")]
    public async Task A_transfer_to_a_stalls_virtual_account_pays_its_charge_and_one_reporting_accounts_of_two_owners_waits_in_the_inbox(string provider)
    {
        var account = NewAccount();
        var virtualAccount = "VQR" + account[^8..] + "ab";
        var stall = await StallForAccountAsync(App, account, virtualAccount);
        var request = await App.Services.GetRequiredService<Cho40.Db.Payments>().CreateRequestAsync(stall, 64_000, r => "payload " + r,
            App.Clock.GetUtcNow(), TimeSpan.FromMinutes(15), userId: 1);
        using var http = App.CreateClient();

        // The service names the virtual account; the main account it reports (its pooled account) is nobody's we know.
        var paid = NewTransactionId();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SignedDeliveryToVirtualAccount(App, provider, paid, NewAccount("66"), virtualAccount,
            64_000, "C40 " + request.Reference))).StatusCode);
        Assert.Equal("paid", await ScalarAsync<string>(App, "SELECT status FROM payment_requests WHERE id = @Id", new { request.Id }));
        Assert.Equal(stall, await ScalarAsync<long>(App, "SELECT stall_id FROM stall_payments WHERE payment_request_id = @Id", new { request.Id }));

        // The stall's virtual account reported on another stall's main account: two owners, so nobody is paid; a person decides.
        var accountB = NewAccount();
        await StallForAccountAsync(App, accountB);
        var ambiguous = NewTransactionId();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SignedDeliveryToVirtualAccount(App, provider, ambiguous, accountB, virtualAccount,
            30_000, "tien hang"))).StatusCode);
        Assert.Equal(0, await BookedToStallsAsync(ambiguous));
        Assert.Equal("ambiguous_account", await ScalarAsync<string>(App, """
            SELECT string_agg(i.reason, ',') FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE t.provider_txn_id LIKE '%' || @ambiguous || '%'
            """, new { ambiguous }));
        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var (_, inbox) = await manager.GetPageAsync("/Market/Inbox");
        Assert.Contains(inbox.QuerySelectorAll(".inbox-ambiguous_account"), li => li.TextContent.Contains("TK ảo " + virtualAccount, StringComparison.Ordinal)
            && li.TextContent.Contains(accountB, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_database_refuses_a_stall_payment_for_a_transfer_credited_to_anyone_else()
    {
        // Below every matcher: even code that tried would fail (stall_payments_credited_stall_fkey).
        var accountA = NewAccount();
        var stallA = await StallForAccountAsync(App, accountA);
        var stallB = await StallForAccountAsync(App, NewAccount());
        var transaction = NewTransactionId();
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SignedDelivery(App, "sepay", transaction, accountA, 12_000, "x"))).StatusCode);
        Assert.Equal("stall", await ScalarAsync<string>(App, "SELECT credited_to FROM provider_transactions WHERE provider_txn_id = @transaction",
            new { transaction }));
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("""
            UPDATE stall_payments SET stall_id = @stallB
            WHERE provider_transaction_id = (SELECT id FROM provider_transactions WHERE provider_txn_id = @transaction)
            """, new { stallB, transaction }));
        Assert.Equal("stall_payments_credited_stall_fkey", refused.ConstraintName);
        Assert.Equal(stallA, await ScalarAsync<long>(App, """
            SELECT stall_id FROM stall_payments WHERE provider_transaction_id = (SELECT id FROM provider_transactions WHERE provider_txn_id = @transaction)
            """, new { transaction }));
    }
}
