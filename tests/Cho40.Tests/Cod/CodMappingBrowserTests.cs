using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Cod;

/// <summary>
/// A new admin, on a phone, uploads a statement from a carrier she has never mapped: she checks the proposed columns,
/// corrects one, says what the carrier's own status words mean, and the statement is imported; the carrier's next file is
/// imported without asking.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class CodMappingBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task UploadAsync(IPage page, string carrier, string name, byte[] content)
    {
        await page.GotoAsync("/Admin/Cod");
        await page.SelectOptionAsync("#Input_Carrier", carrier);
        await page.SetInputFilesAsync("#Input_File", new FilePayload { Name = name, MimeType = "text/csv", Buffer = content });
        await page.ClickAsync("form.cod-upload button[type=submit]");
    }

    [Fact]
    public async Task An_admin_maps_a_new_carriers_columns_and_words_once_and_the_next_file_imports_without_asking()
    {
        var page = await browser.NewPageAsync(phone: true);
        page.SetDefaultTimeout(60_000);
        await browser.SignInAsync(page, "0900000001");
        // Ninja Van: a carrier no test maps through the database, its own headers and words.
        var (a, b) = (NewTracking("NV"), NewTracking("NV"));
        const string header = "Tracking ID,Mã đơn hàng,Tiền thu hộ,Phí giao,Tình trạng giao,Ngày giao";
        await UploadAsync(page, "Ninja Van", "ninja-1.csv", Csv(header, $"{a},,150000,18000,Completed,10/11/2026", $"{b},,0,18000,Returned to Sender,"));

        await page.WaitForURLAsync(url => url.Contains("/Admin/Cod/Mapping/", StringComparison.Ordinal));
        Assert.Contains("chưa được xác nhận", await page.Locator(".flash").InnerTextAsync());
        // The file's columns with samples; the proposal found what aliases know, not "Tracking ID".
        Assert.Contains(a, await page.Locator("table.cod-columns").InnerTextAsync());
        Assert.Equal("2", await page.InputValueAsync("#col-Cod"));
        Assert.Equal("-1", await page.InputValueAsync("#col-TrackingCode"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "cod-mapping-phone.png"), FullPage = true });

        // Saving without the tracking code and status: refused, nothing imported, the choices kept.
        await page.ClickAsync("form.cod-mapping button[type=submit]");
        Assert.Contains("Hãy chọn cột cho «Mã vận đơn»", await page.Locator(".form-errors").First.InnerTextAsync());

        await page.SelectOptionAsync("#col-TrackingCode", "0");
        await page.SelectOptionAsync("#col-ShippingFee", "3");
        await page.SelectOptionAsync("#col-Status", "4");
        await page.SelectOptionAsync("#col-DeliveredOn", "5");
        await page.ClickAsync("form.cod-mapping button[type=submit]");
        // Now the status words are asked about (the column was only chosen now).
        Assert.Contains("Trạng thái «completed»", await page.Locator(".form-errors").First.InnerTextAsync());
        await page.Locator(".status-word", new PageLocatorOptions { HasText = "«Completed»" }).Locator("select").SelectOptionAsync("delivered");
        await page.Locator(".status-word", new PageLocatorOptions { HasText = "«Returned to Sender»" }).Locator("select").SelectOptionAsync("returned");
        await page.ClickAsync("form.cod-mapping button[type=submit]");

        await page.WaitForURLAsync(url => url.Contains("/Admin/Cod/Statement/", StringComparison.Ordinal));
        Assert.Contains("Lần sau tệp cùng mẫu được nhận ngay", await page.Locator(".flash").InnerTextAsync());
        var lines = await page.Locator("table.cod-lines").InnerTextAsync();
        Assert.Contains(a, lines);
        Assert.Contains("Completed", lines);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "cod-statement-phone.png"), FullPage = true });

        // Next week's file from Ninja Van: straight to its statement.
        var c = NewTracking("NV");
        await UploadAsync(page, "Ninja Van", "ninja-2.csv", Csv(header, $"{c},,99000,18000,COMPLETED,17/11/2026"));
        await page.WaitForURLAsync(url => url.Contains("/Admin/Cod/Statement/", StringComparison.Ordinal));
        Assert.Contains(c, await page.Locator("table.cod-lines").InnerTextAsync());
    }
}
