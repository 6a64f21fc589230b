using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cho40.Tests.Foundation;

[Trait("Speed", "Slow")]
public sealed class BrowserShellTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task On_a_phone_without_JavaScript_a_person_signs_in_and_switches_to_English()
    {
        var page = await browser.NewPageAsync(phone: true, javaScript: false);
        await page.GotoAsync("/");
        Assert.True(await page.Locator(".product-card").CountAsync() >= 40);

        await browser.SignInAsync(page, "0900000001");
        Assert.EndsWith("/Admin", page.Url, StringComparison.Ordinal); // an admin lands on their own work
        Assert.Contains("Quản trị", await page.Locator(".site-nav").InnerTextAsync());
        await page.GotoAsync("/");

        await page.ClickAsync("a.language-switch");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("Farm produce", await page.Locator("h1").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "home-en-phone.png"), FullPage = false });
    }

    [Fact]
    public async Task At_200_percent_zoom_the_page_does_not_scroll_sideways()
    {
        // 200 % zoom of a 640 px wide window is a 320 CSS px viewport.
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.BaseUrl, ViewportSize = new ViewportSize { Width = 320, Height = 640 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/SignUp");
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"page is {overflow}px wider than the viewport");
        var buttonHeight = await page.EvaluateAsync<double>("document.querySelector('main form button[type=submit]').getBoundingClientRect().height");
        Assert.True(buttonHeight >= 44, $"touch target only {buttonHeight}px tall");
    }
}
