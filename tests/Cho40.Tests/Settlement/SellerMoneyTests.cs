using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;
using Microsoft.Extensions.DependencyInjection;

namespace Cho40.Tests.Settlement;

/// <summary>A seller finds his money (issue 16): the navigation leads to his statements and to the payout account form.</summary>
public sealed class SellerMoneyTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_seller_finds_statements_from_the_menu_and_sets_a_payout_account_written_the_banks_way()
    {
        using var seller = app.NewClient();
        await seller.SignInAsync("0900000007"); // HTX Chè La Bằng
        var sellerId = await ShopHelpers.ScalarAsync<long>(app, "SELECT id FROM sellers WHERE slug = 'htx-che-la-bang'");
        await ShopHelpers.ExecuteAsync(app, "DELETE FROM seller_payout_accounts WHERE seller_id = @sellerId", new { sellerId });

        var (_, home) = await seller.GetPageAsync("/Seller");
        Assert.Equal("/Seller/Settlement", home.QuerySelector("#nav-seller-money")!.GetAttribute("href"));
        Assert.NotNull(home.QuerySelector($"a[href='/Seller/Settlement/Account/{sellerId}']"));
        var (statements, money) = await seller.GetPageAsync("/Seller/Settlement");
        Assert.Equal(HttpStatusCode.OK, statements.StatusCode);
        var formUrl = money.QuerySelector($"a[href='/Seller/Settlement/Account/{sellerId}']")!.GetAttribute("href")!;

        var collection = app.Services.GetRequiredService<Cho40.Web.Pages.Shop.CollectionAccount>().AccountNumber;
        // Refused next to each field, nothing saved: a bank not in the list, letters in the number, the platform's
        // collection account, a holder that is not a name.
        foreach (var (field, values) in new (string, Dictionary<string, string>)[]
        {
            ("Input.BankBin", new() { ["Input.BankBin"] = "999999", ["Input.AccountNumber"] = "0123456789", ["Input.AccountName"] = "DO THI BANG" }),
            ("Input.AccountNumber", new() { ["Input.BankBin"] = "970436", ["Input.AccountNumber"] = "12AB34", ["Input.AccountName"] = "DO THI BANG" }),
            ("Input.AccountNumber", new() { ["Input.BankBin"] = "970436", ["Input.AccountNumber"] = collection, ["Input.AccountName"] = "DO THI BANG" }),
            ("Input.AccountName", new() { ["Input.BankBin"] = "970436", ["Input.AccountNumber"] = "0123456789", ["Input.AccountName"] = "<b>x</b>" }),
        })
        {
            var refused = await seller.SubmitFormAsync(formUrl, "form.payout-account", values);
            Assert.True(refused.StatusCode == HttpStatusCode.OK, $"{field}: {(int)refused.StatusCode} {refused.Headers.Location}");
            var page = await PageClient.ParseAsync(refused);
            Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent), $"no message for {field}");
            Assert.Equal(0L, await ShopHelpers.ScalarAsync<long>(app, "SELECT count(*) FROM seller_payout_accounts WHERE seller_id = @sellerId", new { sellerId }));
        }

        // As people type it: spaces in the number, the holder with diacritics — stored the way the bank writes it.
        var saved = await seller.SubmitFormAsync(formUrl, "form.payout-account",
            new Dictionary<string, string> { ["Input.BankBin"] = "970415", ["Input.AccountNumber"] = "1011 2233 4455", ["Input.AccountName"] = " Đỗ Thị  Bằng " });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("1011223344 55".Replace(" ", ""), await ShopHelpers.ScalarAsync<string>(app,
            "SELECT account_number FROM seller_payout_accounts WHERE seller_id = @sellerId", new { sellerId }));
        Assert.Equal("DO THI BANG", await ShopHelpers.ScalarAsync<string>(app,
            "SELECT account_name FROM seller_payout_accounts WHERE seller_id = @sellerId", new { sellerId }));
    }
}
