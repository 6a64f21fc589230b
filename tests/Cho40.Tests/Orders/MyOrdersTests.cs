using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;

namespace Cho40.Tests.Orders;

public sealed class MyOrdersTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task A_signed_in_shopper_finds_their_orders_and_nobody_elses()
    {
        using var shopper = App.NewClient();
        var phone = "09" + Random.Shared.Next(10_000_000, 99_999_999);
        await shopper.SignUpAsync(phone, "mat-khau-dai-1", "Người Mua Thử");
        var (_, empty) = await shopper.GetPageAsync("/Account/Orders");
        Assert.NotNull(empty.QuerySelector(".empty"));

        await ShopHelpers.AddToCartAsync(shopper, "gao-bao-thai-dinh-hoa-5kg");
        var placed = await ShopHelpers.CheckoutAsync(shopper);
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var code = await ShopHelpers.ScalarAsync<string>(App,
            "SELECT o.code FROM orders o JOIN users u ON u.id = o.user_id WHERE u.phone = @phone", new { phone });

        var (_, mine) = await shopper.GetPageAsync("/Account/Orders");
        var item = Assert.Single(mine.QuerySelectorAll(".my-orders li"));
        Assert.Contains(code, item.TextContent);
        var link = item.QuerySelector("a")!.GetAttribute("href")!;
        var (orderResponse, orderPage) = await shopper.GetPageAsync(link);
        Assert.Equal(HttpStatusCode.OK, orderResponse.StatusCode);
        Assert.Contains(code, orderPage.Body!.TextContent);

        // Another shopper's list does not show it; anonymous visitors are sent to sign in.
        using var other = App.NewClient();
        await other.SignInAsync("0900000006");
        var (_, theirs) = await other.GetPageAsync("/Account/Orders");
        Assert.DoesNotContain(code, theirs.Body!.TextContent);
        using var anonymous = App.NewClient();
        var redirect = await anonymous.Http.GetAsync("/Account/Orders");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/Account/SignIn", redirect.Headers.Location!.PathAndQuery);
    }
}
