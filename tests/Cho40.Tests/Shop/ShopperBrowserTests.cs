using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cho40.Tests.Shop;

/// <summary>The shopper's path in a real browser: search without diacritics, two sellers, COD, the order page; then the sellers see it.</summary>
[Trait("Speed", "Slow")]
public sealed class ShopperBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_shopper_finds_tea_without_diacritics_orders_from_two_sellers_with_COD_and_the_sellers_see_the_orders()
    {
        var page = await browser.NewPageAsync(phone: true);
        await page.GotoAsync("/");
        await page.FillAsync("#home-q", "tra moc cau tan cuong");
        await page.ClickAsync("form[role=search] button");
        await page.WaitForURLAsync(url => url.Contains("/search?q=", StringComparison.Ordinal));
        Assert.StartsWith("Trà móc câu Tân Cương", await page.Locator(".product-card .product-name").First.InnerTextAsync());

        await page.Locator(".product-card a").First.ClickAsync();
        await page.FillAsync("#quantity", "2");
        await page.ClickAsync("form.add-to-cart button");
        await page.WaitForURLAsync(url => url.EndsWith("/gio-hang", StringComparison.Ordinal));
        Assert.Contains("Trà móc câu Tân Cương", await page.Locator(".cart").InnerTextAsync());

        await page.GotoAsync("/search?q=mien+dong+na+ri");
        await page.Locator(".product-card a").First.ClickAsync();
        await page.ClickAsync("form.add-to-cart button");
        await page.WaitForURLAsync(url => url.EndsWith("/gio-hang", StringComparison.Ordinal));
        Assert.Equal(2, await page.Locator(".cart section.card").CountAsync());

        await page.ClickAsync("a[href='/thanh-toan']");
        await page.FillAsync("#Input_Name", "Nguyễn Thị Khách");
        await page.FillAsync("#Input_Phone", "0987 654 321");
        // With JavaScript the commune list fills in place: no reload (the typed name stays, the page is the same document).
        await page.EvaluateAsync("() => window.__samePage = true");
        await page.SelectOptionAsync("#province", new SelectOptionValue { Label = "Thái Nguyên" });
        await page.WaitForSelectorAsync("#InputCommuneCode:not([disabled]) option:has-text('Xã Tân Cương')", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"));
        Assert.False(await page.IsVisibleAsync("#province-choose"));
        await page.SelectOptionAsync("#InputCommuneCode", new SelectOptionValue { Label = "Xã Tân Cương" });
        await page.FillAsync("#Input_AddressLine", "Xóm Hồng Thái 2");
        await page.CheckAsync("input[name='Input.PaymentMethod'][value=cod]");
        await page.ClickAsync("#checkout-form button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("/don-hang/nhom/", StringComparison.Ordinal));
        Assert.Equal(2, await page.Locator(".order-list li").CountAsync());
        var codes = await page.Locator(".order-list h2 a").AllInnerTextsAsync();

        await page.Locator(".order-list h2 a").First.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/don-hang/", StringComparison.Ordinal) && !url.Contains("/nhom/", StringComparison.Ordinal));
        Assert.Contains("Mới đặt", await page.Locator(".order-status").InnerTextAsync());
        Assert.Contains("Thanh toán: trả tiền mặt khi nhận hàng (COD).", await page.Locator("main").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "order-phone.png"), FullPage = true });

        // The Tân Cương cooperative sees its order and confirms it.
        var seller = await browser.NewPageAsync(phone: false);
        await browser.SignInAsync(seller, "0900000003");
        await seller.GotoAsync("/Seller/Orders?status=placed");
        var sellerCodes = await seller.Locator(".order-list h2 a").AllInnerTextsAsync();
        var tanCuongCode = Assert.Single(codes, c => sellerCodes.Any(s => c.EndsWith(s, StringComparison.Ordinal)));
        await seller.Locator(".order-list h2 a", new PageLocatorOptions { HasTextString = tanCuongCode.Split(' ')[^1] }).ClickAsync();
        Assert.Contains("Nguyễn Thị Khách", await seller.Locator("main").InnerTextAsync());
        await seller.ClickAsync("form[action*='handler=Confirm'] button");
        Assert.Contains("Đã xác nhận", await seller.Locator("h1 .status").InnerTextAsync());

        // The other order belongs to Ba Bể's cooperative: not in this seller's list.
        Assert.Single(codes, c => !sellerCodes.Any(s => c.EndsWith(s, StringComparison.Ordinal)));
    }
}
