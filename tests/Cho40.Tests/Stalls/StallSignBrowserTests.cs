using Cho40.Tests.Infrastructure;
using Cho40.Tests.Payments;
using Cho40.Web.Payments.VietQr;
using Microsoft.Playwright;
using Cho40.Db.Domain;

namespace Cho40.Tests.Stalls;

[Trait("Speed", "Slow")]
public sealed class StallSignBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_demo_stallholder_opens_the_sign_downloads_the_PNG_and_both_it_and_a_screenshot_of_the_preview_decode_to_the_stalls_code()
    {
        var payload = VietQrPayload.Build(new VietQrRequest("970436", "1023456789")); // demo A01: Vietcombank, LE THI HOA
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, "0900000004");
        await page.GotoAsync("/Stall");
        await page.ClickAsync(".stall-card:has-text('A01') a[href$='/Sign']");
        await page.WaitForURLAsync(url => url.EndsWith("/Sign", StringComparison.Ordinal));

        var preview = page.Locator("#sign-preview img");
        await preview.ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await preview.ElementHandleAsync());
        var shot = await page.Locator("#sign-preview").ScreenshotAsync(new LocatorScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "stall-sign-preview.png"),
        });
        Assert.Equal(payload, await QrTools.DecodePngAsync(shot));

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-png"));
        Assert.Equal("bang-qr-cho-thai-a01-a6.png", download.SuggestedFilename);
        var file = Path.Combine(BrowserFixture.ArtifactsDirectory, download.SuggestedFilename);
        await download.SaveAsAsync(file);
        var downloaded = await File.ReadAllBytesAsync(file);
        Assert.Equal(payload, await QrTools.DecodePngAsync(downloaded));

        // "Kiểm tra bảng QR": paste what the scanner read; the page says it is the stall's own account.
        await page.ClickAsync("a[href$='/CheckSign']");
        await page.FillAsync("#Code", await QrTools.DecodePngAsync(downloaded));
        await page.ClickAsync("form.check-sign-form button[type=submit]");
        await page.WaitForSelectorAsync("#sign-verdict[data-verdict=match]");
        Assert.Equal("Đúng tài khoản của sạp", (await page.TextContentAsync("#sign-verdict"))!.Trim());
    }
}
