using System.Text.RegularExpressions;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Payments;
using Microsoft.Playwright;

namespace Cho40.Tests.Shop;

/// <summary>
/// Paying by transfer from the phone that shows the QR (issue 16), in Chromium at 360 px: the shopper checks out without a
/// reload, saves the QR as a PNG (decoded independently with zbarimg), copies the account number and the content to the
/// clipboard, sees until when the order is reserved, and later finds the order again with her phone number and the code.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class TransferOnPhoneBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<IBrowserContext> PhoneAsync(bool javaScript = true) =>
        await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.BaseUrl, ViewportSize = new ViewportSize { Width = 360, Height = 640 }, DeviceScaleFactor = 2,
            Locale = "vi-VN", AcceptDownloads = true, JavaScriptEnabled = javaScript,
            Permissions = javaScript ? ["clipboard-read", "clipboard-write"] : [],
        });

    private static async Task<string> CheckOutByTransferAsync(IPage page, string phone)
    {
        await page.GotoAsync("/san-pham/gao-bao-thai-dinh-hoa-5kg");
        await page.ClickAsync("form.add-to-cart button");
        await page.WaitForURLAsync(url => url.EndsWith("/gio-hang", StringComparison.Ordinal));
        await page.GotoAsync("/thanh-toan");
        await page.SelectOptionAsync("#province", new SelectOptionValue { Label = "Thái Nguyên" });
        await page.WaitForSelectorAsync("#InputCommuneCode:not([disabled])");
        await page.SelectOptionAsync("#InputCommuneCode", new SelectOptionValue { Label = "Xã Tân Cương" });
        await page.FillAsync("#Input_Name", "Lò Thị Mua");
        await page.FillAsync("#Input_Phone", phone);
        await page.FillAsync("#Input_AddressLine", "Bản Khuổi Tát");
        await page.CheckAsync("input[name='Input.PaymentMethod'][value=transfer]");
        await page.ClickAsync("#checkout-form button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("/don-hang/", StringComparison.Ordinal));
        return Regex.Match(await page.Locator("h1").InnerTextAsync(), @"DH-[2-9A-Z]{6}").Value;
    }

    [Fact]
    public async Task On_one_phone_she_saves_the_QR_copies_account_and_content_and_later_finds_her_order()
    {
        await using var context = await PhoneAsync();
        var page = await context.NewPageAsync();
        var code = await CheckOutByTransferAsync(page, "0366 420 016");
        Assert.Matches(@"^DH-", code);
        var orderUrl = page.Url;

        Assert.Matches(new Regex(@"Đơn được giữ đến \d\d/\d\d/\d{4} \d\d:\d\d"), await page.Locator("#transfer-reserved").InnerTextAsync());
        var account = (await page.Locator("#transfer-account").InnerTextAsync()).Trim();
        var content = (await page.Locator("#transfer-content").InnerTextAsync()).Trim();
        Assert.Equal("Cho40 " + code, content);

        // "Lưu mã QR": a PNG download whose code pays this order (decoded by zbarimg, not by our own parser).
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#transfer-save-qr"));
        Assert.Equal($"cho40-{code}.png", download.SuggestedFilename);
        var saved = Path.Combine(BrowserFixture.ArtifactsDirectory, download.SuggestedFilename);
        await download.SaveAsAsync(saved);
        var payload = await QrTools.DecodePngAsync(await File.ReadAllBytesAsync(saved));
        Assert.Contains(account, payload);
        Assert.Contains(content, payload);

        // The copy buttons put exactly the account number and the content on the clipboard.
        await page.ClickAsync("button[data-copy=transfer-account]");
        Assert.Equal(account, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await page.ClickAsync("button[data-copy=transfer-content]");
        Assert.Equal(content, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.Contains(content, await page.Locator("#transfer-copy-status").InnerTextAsync());

        // The content stays on one line, on the phone and at 200 % zoom (180 CSS px), and nothing scrolls sideways.
        foreach (var width in new[] { 360, 180 })
        {
            await page.SetViewportSizeAsync(width, 640);
            Assert.Equal(1, await page.EvaluateAsync<int>("() => document.getElementById('transfer-content').getClientRects().length"));
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
                $"the order page scrolls sideways at {width} px");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, $"transfer-{width}.png"), FullPage = true });
        }

        // Later, on another device without her cookies: phone number + code bring the order back.
        await using var later = await PhoneAsync();
        var again = await later.NewPageAsync();
        await again.GotoAsync("/");
        await again.ClickAsync("a[href='/tra-cuu-don-hang']");
        await again.FillAsync("#Phone", "0366420016");
        await again.FillAsync("#Code", code.ToLowerInvariant());
        await again.ClickAsync("#find-order button[type=submit]");
        await again.WaitForURLAsync(url => url.Contains("/don-hang/", StringComparison.Ordinal));
        Assert.Equal(orderUrl, again.Url);
    }

    [Fact]
    public async Task Without_JavaScript_the_province_reloads_by_GET_the_copy_buttons_stay_hidden_and_the_QR_can_still_be_saved()
    {
        await using var context = await PhoneAsync(javaScript: false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/san-pham/gao-bao-thai-dinh-hoa-5kg");
        await page.ClickAsync("form.add-to-cart button");
        await page.WaitForURLAsync(url => url.EndsWith("/gio-hang", StringComparison.Ordinal));
        await page.GotoAsync("/thanh-toan");
        await page.SelectOptionAsync("#province", new SelectOptionValue { Label = "Thái Nguyên" });
        var chosen = await page.RunAndWaitForRequestAsync(() => page.ClickAsync("#province-choose"), r => r.Url.Contains("province=", StringComparison.Ordinal));
        Assert.Equal("GET", chosen.Method);
        await page.WaitForURLAsync(url => url.Contains("?province=19", StringComparison.Ordinal));
        await page.SelectOptionAsync("#InputCommuneCode", new SelectOptionValue { Label = "Xã Tân Cương" });
        await page.FillAsync("#Input_Name", "Lò Văn Mua");
        await page.FillAsync("#Input_Phone", "0366 420 017");
        await page.FillAsync("#Input_AddressLine", "Bản Khuổi Tát");
        await page.CheckAsync("input[name='Input.PaymentMethod'][value=transfer]");
        await page.ClickAsync("#checkout-form button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("/don-hang/", StringComparison.Ordinal));

        Assert.False(await page.IsVisibleAsync("button[data-copy=transfer-account]"));
        Assert.False(await page.IsVisibleAsync("button[data-copy=transfer-content]"));
        Assert.True(await page.IsVisibleAsync("#transfer-save-qr"));
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#transfer-save-qr"));
        Assert.EndsWith(".png", download.SuggestedFilename, StringComparison.Ordinal);
    }
}
