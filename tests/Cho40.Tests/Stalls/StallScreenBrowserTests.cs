using System.Diagnostics;
using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Stalls;

[Trait("Speed", "Slow")]
public sealed class StallScreenBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_transfer_notification_appears_on_the_open_stall_screen_within_two_seconds_and_is_spoken_in_full()
    {
        var (stallId, _, account) = await NewStallAsync(fixture.App);
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "0900000004");
        await page.GotoAsync($"/Stall/{stallId}/Screen");
        await page.WaitForSelectorAsync("#live-status[data-state=open]", new PageWaitForSelectorOptions { Timeout = 5000 });
        // Sound is off until a tap (phones require one); the tap turns it on and says a test phrase.
        Assert.Equal("off", await page.GetAttributeAsync("#sound-control", "data-state"));
        await page.ClickAsync("#sound-control");
        Assert.Equal("on", await page.GetAttributeAsync("#sound-control", "data-state"));

        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        var clock = Stopwatch.StartNew();
        var response = await http.SendAsync(SignedDelivery(fixture.App, "sepay", NewTransactionId(), account, 86000, "mua rau"));
        Assert.True(response.IsSuccessStatusCode);

        // Target: on the screen within 2 s of the bank's notification; a shared, loaded machine is allowed 5× that.
        var target = TimeSpan.FromSeconds(2);
        await page.WaitForSelectorAsync("#payments li.payment-new .payment-amount:has-text('86.000')",
            new PageWaitForSelectorOptions { Timeout = (float)TimeLimit.Allowed(target, 5).TotalMilliseconds });
        TimeLimit.Check(output, "notification → payment on the open stall screen", clock.Elapsed, target, 5);
        await page.WaitForSelectorAsync("#sound-control[data-last-spoken='Đã nhận tám mươi sáu nghìn đồng']", new PageWaitForSelectorOptions { Timeout = 2000 });
        Assert.Contains("86.000", await page.TextContentAsync("#total-qr"));

        // The mute switch says so: the next payment is still listed and announced on screen, but not spoken.
        await page.ClickAsync("#sound-control");
        Assert.Equal(("muted", "false"), (await page.GetAttributeAsync("#sound-control", "data-state"), await page.GetAttributeAsync("#sound-control", "aria-pressed")));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "stall-screen.png"), FullPage = true });
    }
}
