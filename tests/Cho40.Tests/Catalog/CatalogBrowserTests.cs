using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static Cho40.Tests.Catalog.CatalogTestKit;

namespace Cho40.Tests.Catalog;

[Trait("Speed", "Slow")]
public sealed class CatalogBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task On_a_phone_a_seller_adds_a_product_with_a_photo_and_sees_it_in_their_list()
    {
        var page = await browser.NewPageAsync(phone: true);
        page.SetDefaultTimeout(60_000); // two shared cores: the first request of a cold app can be slow
        await browser.SignInAsync(page, TanCuongPhone);
        await page.GotoAsync("/Account");
        await page.ClickAsync("a[href='/Seller/Catalog']");
        await page.ClickAsync("a[href='/Seller/Catalog/New']");

        await page.FillAsync("#Input_Name", "Chè nõn tôm Tân Cương hộp quà");
        await page.SelectOptionAsync("#Input_CategoryId", new SelectOptionValue { Label = "— Chè cao cấp (nõn tôm, đinh)" });
        await page.FillAsync("#Input_Price", "450.000");
        await page.FillAsync("#Input_Unit", "hộp 100 g");
        await page.FillAsync("#Input_Stock", "12");
        await page.CheckAsync("input[name='Input.Ocop'][value='5']");
        await page.CheckAsync("input[name='Input.Certifications'][value='VietGAP']");
        await page.FillAsync("#Input_Description", "Nõn tôm hái **một tôm**, đóng hộp quà.");
        await page.SetInputFilesAsync("#photos", new FilePayload
        {
            Name = "hop-qua.jpg", MimeType = "image/jpeg", Buffer = Image(SKEncodedImageFormat.Jpeg, 1600, 1200),
        });
        await page.ClickAsync("main form.form button[type=submit].primary");
        await page.WaitForURLAsync(url => url.Contains("/Seller/Catalog/Edit/", StringComparison.Ordinal));
        Assert.Contains("Đã lưu bản nháp", await page.Locator(".flash").InnerTextAsync());

        // The photo is shown from the thumbnail endpoint, really decoded by the browser.
        var photo = page.Locator(".photo-list img").First;
        await photo.WaitForAsync();
        Assert.Matches(@"^/img/p/\d+/160\.webp$", await photo.GetAttributeAsync("src"));
        Assert.Equal(160, await photo.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : -1"));

        await page.ClickAsync("form[action*='handler=Publish'] button");
        Assert.Contains("Đã đăng bán", await page.Locator(".flash").InnerTextAsync());

        await page.ClickAsync("a[href='/Seller/Catalog']");
        var row = page.Locator(".listing-row", new PageLocatorOptions { HasText = "Chè nõn tôm Tân Cương hộp quà" });
        Assert.Equal(1, await row.CountAsync());
        Assert.Contains("450.000", await row.InnerTextAsync());
        Assert.Contains("Đang bán", await row.InnerTextAsync());
        Assert.Equal(160, await row.Locator("img").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : -1"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "seller-products-phone.png"), FullPage = true });
    }
}
