using System.Net;
using System.Text.Json.Nodes;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;
using static Cho40.Tests.Payments.CreditedAccountTests;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>
/// A new stallholder connects her account, in Chromium on a 360×640 phone: she chooses Casso (webhook V2), reads the
/// address and key to enter in Casso, presses "Kiểm tra kết nối", Casso's test delivery arrives and the page says so
/// without reloading; then a real-shaped delivery pays her stall and shows on her stall screen.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class BankConnectionBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_stallholder_connects_Casso_sees_the_values_the_test_delivery_is_recognised_live_and_a_transfer_pays_her_stall()
    {
        var account = NewAccount("61");
        var stall = await StallForAccountAsync(fixture.App, account);
        await Cho40.Tests.Shop.ShopHelpers.ExecuteAsync(fixture.App,
            "UPDATE stalls SET owner_user_id = (SELECT id FROM users WHERE phone = '0900000004') WHERE id = @stall", new { stall });
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(360, 640);
        await fixture.SignInAsync(page, "0900000004");

        await page.GotoAsync("/Stall");
        await page.ClickAsync($"a[href='/Stall/{stall}/Bank']");
        await page.CheckAsync("input[name=AuthMode][value=signature]");
        await page.ClickAsync("#create-connection button[type=submit]");
        var url = (await page.TextContentAsync("#webhook-url"))!.Trim();
        var key = (await page.TextContentAsync("#secret-webhook"))!.Trim();
        // The address to enter in Casso is the site's configured public address (Cho40:PublicBaseUrl), not the browser's.
        Assert.StartsWith("http://localhost/api/bank-notifications/casso/", url);
        url = fixture.BaseUrl + new Uri(url).AbsolutePath; // where Casso's "Gọi thử" reaches this test's server
        Assert.Contains("Gọi thử", await page.TextContentAsync("#connection-steps"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "bank-connection-values-360.png"), FullPage = true });
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll at 360 px");

        await page.ClickAsync("#check-connection");
        await page.WaitForSelectorAsync("#check-result:has-text('Đang chờ thư thử từ Casso')");

        // Casso's "Gọi thử", signed with the key she entered there.
        var test = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payments", "Samples", "casso-webhook-v2-test.json"));
        using var casso = new HttpClient();
        using (var sent = await casso.SendAsync(Delivery(url, test,
                   new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(test, key, fixture.App.Clock.GetUtcNow()) })))
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await page.WaitForSelectorAsync("#check-result:has-text('Đã nhận thư thử')", new PageWaitForSelectorOptions { Timeout = 10_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "bank-connection-checked-360.png"), FullPage = true });

        // A customer pays 120.000 ₫ to her sign: Casso reports it, and it is on her stall screen.
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payments", "Samples", "casso-webhook-v2.json")))!.AsObject();
        sample["data"]!["id"] = long.Parse(NewTransactionId(), System.Globalization.CultureInfo.InvariantCulture);
        sample["data"]!["accountNumber"] = account;
        sample["data"]!["amount"] = 120_000;
        sample["data"]!["transactionDateTime"] = WebhookText.VietnamTimeText(fixture.App.Clock.GetUtcNow());
        var body = sample.ToJsonString();
        using (var paid = await casso.SendAsync(Delivery(url, body,
                   new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(body, key, fixture.App.Clock.GetUtcNow()) })))
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        await page.GotoAsync($"/Stall/{stall}/Screen");
        Assert.Contains("120.000", await page.TextContentAsync("#total-qr"));
    }
}
