using System.Net;
using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cho40.Tests.Security;

/// <summary>
/// The product page's basket button carries no antiforgery token: it is protected by the browser's Fetch Metadata
/// (SameOriginPostsAttribute). A POST another site makes the browser send is refused like a bad token and changes
/// nothing; the same POST from the site itself, or from a client that is not a browser, goes through.
/// </summary>
public sealed class SameOriginPostTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private const string Product = "nam-huong-rung-kho-ba-be";

    private async Task<HttpResponseMessage> AddToBasketAsync(PageClient client, string? header, string? value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/san-pham/{Product}?handler=AddToCart")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["quantity"] = "2" }),
        };
        if (header is not null) request.Headers.TryAddWithoutValidation(header, value);
        return await client.Http.SendAsync(request);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://lua-dao.example")]
    [InlineData("Origin", "http://localhost.lua-dao.example")]
    [InlineData("Origin", "null")]
    public async Task A_basket_post_from_another_site_is_refused_and_the_basket_is_unchanged(string header, string value)
    {
        using var client = fixture.App.NewClient();
        var response = await AddToBasketAsync(client, header, value);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Biểu mẫu đã hết hạn", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("cho40.cart=", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Origin", "http://localhost")]
    [InlineData(null, null)]    // not a browser (or one without Fetch Metadata and Origin)
    public async Task A_basket_post_from_the_site_itself_goes_through(string? header, string? value)
    {
        using var client = fixture.App.NewClient();
        var response = await AddToBasketAsync(client, header, value);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/gio-hang", response.Headers.Location!.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("cho40.cart=", StringComparison.Ordinal));
        // The basket form carries no token: the browser's word on where a post comes from is what protects it.
        var (_, page) = await client.GetPageAsync($"/san-pham/{Product}");
        Assert.Null(page.QuerySelector("form.add-to-cart input[name=__RequestVerificationToken]"));
    }
}

/// <summary>The same refusal in Chromium: a page on another site submits the basket form to Chợ 4.0.</summary>
[Trait("Speed", "Slow")]
public sealed class SameOriginPostBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_form_on_another_site_cannot_fill_a_shoppers_basket()
    {
        var page = await browser.NewPageAsync(phone: true);
        await page.RouteAsync("http://lua-dao.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html; charset=utf-8",
            Body = $"""
                <!doctype html><title>Trúng thưởng</title>
                <form method="post" action="{browser.BaseUrl}/san-pham/nam-huong-rung-kho-ba-be?handler=AddToCart">
                  <input name="quantity" value="999"><button>Nhận quà</button>
                </form>
                """,
        }));
        await page.GotoAsync("http://lua-dao.test/");
        await page.ClickAsync("button");
        await page.WaitForLoadStateAsync();
        Assert.Contains("Biểu mẫu đã hết hạn", await page.Locator("main").InnerTextAsync());

        await page.GotoAsync("/gio-hang");
        Assert.Equal(0, await page.Locator(".cart section.card").CountAsync());

        // The shopper's own click on the site still adds it.
        await page.GotoAsync("/san-pham/nam-huong-rung-kho-ba-be");
        await page.ClickAsync("form.add-to-cart button");
        await page.WaitForURLAsync(url => url.EndsWith("/gio-hang", StringComparison.Ordinal));
        Assert.Equal(1, await page.Locator(".cart section.card").CountAsync());
    }
}
