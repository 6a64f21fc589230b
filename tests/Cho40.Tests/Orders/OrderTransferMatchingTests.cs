using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Stalls;
using Cho40.Tests.Shop;

namespace Cho40.Tests.Orders;

/// <summary>
/// The whole path of a transfer order: checkout → the shopper pays the collection account with the order
/// code in the purpose → the bank-notification webhook → the order is paid. Wrong amounts and second
/// payments are kept in the inbox with the order they named, never lost and never counted twice.
/// </summary>
public sealed class OrderTransferMatchingTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    /// <summary>The platform's collection account: only transfers credited to it pay orders.</summary>
    private string Collection => App.Services.GetRequiredService<Cho40.Web.Pages.Shop.CollectionAccount>().AccountNumber;

    private async Task<(string Url, string Code, long Total)> TransferOrderAsync(string productSlug)
    {
        using var client = App.NewClient();
        await ShopHelpers.AddToCartAsync(client, productSlug);
        var response = await ShopHelpers.CheckoutAsync(client, "transfer");
        var url = response.Headers.Location!.OriginalString;
        var (_, page) = await client.GetPageAsync(url);
        var code = page.QuerySelector("h1")!.TextContent.Split(' ')[^1];
        return (url, code, await ShopHelpers.ScalarAsync<long>(App, "SELECT total_vnd FROM orders WHERE code = @code", new { code }));
    }

    [Theory]
    [InlineData("sepay", "MBVCB.4417.{0}.CT tu 0912345678 toi 1020040040")]
    [InlineData("payos", "Thanh toan don {1}")]
    [InlineData("casso", "IBFT cho40{2}")]
    public async Task A_bank_notification_with_the_order_code_pays_the_order_once(string provider, string contentFormat)
    {
        var (url, code, total) = await TransferOrderAsync("nam-huong-rung-kho-ba-be");
        // The purpose as banks pass it on: "Cho40 DH-7KQ3XM", "dh 7kq3xm", "DH7KQ3XM"…
        var content = string.Format(System.Globalization.CultureInfo.InvariantCulture, contentFormat,
            "Cho40 " + code, code.ToLowerInvariant().Replace("-", " "), code.Replace("-", ""));
        var transactionId = StallTestData.NewTransactionId();

        using var http = App.CreateClient();
        var first = await http.SendAsync(StallTestData.SignedDelivery(App, provider, transactionId, Collection, total, content));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var again = await http.SendAsync(StallTestData.SignedDelivery(App, provider, transactionId, Collection, total, content));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        Assert.Equal("paid", await ShopHelpers.ScalarAsync<string>(App, "SELECT payment_status FROM orders WHERE code = @code", new { code }));
        Assert.Equal(total, await ShopHelpers.ScalarAsync<long>(App, "SELECT paid_amount_vnd FROM orders WHERE code = @code", new { code }));
        Assert.Equal(1, await ShopHelpers.ScalarAsync<int>(App, """
            SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.code = @code AND e.kind = 'paid'
            """, new { code }));
        Assert.Equal(0, await ShopHelpers.ScalarAsync<int>(App, """
            SELECT count(*) FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE t.provider_txn_id = @transactionId
            """, new { transactionId }));

        using var shopper = App.NewClient();
        var (_, page) = await shopper.GetPageAsync(url);
        Assert.Contains("Đã thanh toán", page.QuerySelector(".order-status")!.TextContent);
    }

    [Fact]
    public async Task A_wrong_amount_leaves_the_order_unpaid_and_waits_in_the_inbox_and_a_second_payment_is_flagged()
    {
        var (_, code, total) = await TransferOrderAsync("mat-ong-rung-ba-be");
        using var http = App.CreateClient();

        var shortId = StallTestData.NewTransactionId();
        await http.SendAsync(StallTestData.SignedDelivery(App, "sepay", shortId, Collection, total / 1000, "Cho40 " + code));
        Assert.Equal("unpaid", await ShopHelpers.ScalarAsync<string>(App, "SELECT payment_status FROM orders WHERE code = @code", new { code }));
        Assert.Equal(total, await ShopHelpers.ScalarAsync<long>(App, """
            SELECT i.expected_amount_vnd FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            JOIN orders o ON o.id = i.order_id
            WHERE t.provider_txn_id = @shortId AND i.reason = 'order_amount_mismatch' AND o.code = @code
            """, new { shortId, code }));

        await http.SendAsync(StallTestData.SignedDelivery(App, "sepay", StallTestData.NewTransactionId(), Collection, total, "Cho40 " + code));
        Assert.Equal("paid", await ShopHelpers.ScalarAsync<string>(App, "SELECT payment_status FROM orders WHERE code = @code", new { code }));

        var secondId = StallTestData.NewTransactionId();
        await http.SendAsync(StallTestData.SignedDelivery(App, "sepay", secondId, Collection, total, code));
        Assert.Equal(1, await ShopHelpers.ScalarAsync<int>(App, """
            SELECT count(*) FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE t.provider_txn_id = @secondId AND i.reason = 'order_already_paid'
            """, new { secondId }));
    }

    [Theory]
    [InlineData("Cho40 DH-7KQ3XM", "DH-7KQ3XM")]
    [InlineData("MBVCB.1.dh 7kq3xm.CT", "DH-7KQ3XM")]
    [InlineData("thanh toan DH7KQ3XM", "DH-7KQ3XM")]
    [InlineData("chuyen tien an trua", null)]
    [InlineData("DH-7KQ3X", null)]
    public void Order_codes_are_found_however_the_bank_mangles_them(string content, string? expected)
    {
        var found = Cho40.Jobs.Payments.OrderCodeMatcher.Candidates(content);
        if (expected is null) Assert.Empty(found);
        else Assert.Contains(expected, found);
    }
}
