using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>One app whose per-transfer warning limit is 100.000 ₫ (Cho40:Payments:TransferWarningVnd), so ordinary amounts cross it.</summary>
public sealed class LowTransferLimitFixture : IAsyncLifetime
{
    public const long Limit = 100_000;
    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await Cho40App.StartAsync(withDemoData: true,
        settings: new Dictionary<string, string> { ["Cho40:Payments:TransferWarningVnd"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// Banks set their own per-transfer limits, so the VietQR codec makes codes for any amount the format holds and the
/// screens warn instead: the stall's "Thu tiền" screen, checkout and the order page, above the configured limit only.
/// </summary>
public sealed class TransferLimitWarningTests(LowTransferLimitFixture fixture) : IClassFixture<LowTransferLimitFixture>
{
    private Cho40App App => fixture.App;

    [Theory]
    [InlineData("86.000", false)]
    [InlineData("100.000", false)] // the limit itself is not above it
    [InlineData("150.000", true)]
    public async Task The_charge_screen_warns_above_the_limit_and_still_shows_the_code(string amount, bool warned)
    {
        var stallId = await StallWithAccountAsync(App, "cho-thai", "A01", "1900000123455");
        using var client = App.NewClient();
        await client.SignInAsync("0900000004");
        var typed = await client.SubmitFormAsync($"/Stall/{stallId}/Charge", "form.charge-form", new Dictionary<string, string> { ["Amount"] = amount });
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        // Thu tiền reads the amount back first; confirming makes the request and its QR.
        var created = await client.SubmitFormAsync(typed.Headers.Location!.OriginalString, "#charge-confirm form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var (_, page) = await client.GetPageAsync(created.Headers.Location!.OriginalString);
        Assert.Equal(warned, page.QuerySelector("#transfer-limit-warning") is not null);
        Assert.NotNull(page.QuerySelector("img.charge-qr"));
    }

    [Fact]
    public async Task Checkout_and_the_order_page_warn_when_an_order_is_above_the_limit()
    {
        const string slug = "nam-huong-rung-kho-ba-be";
        var price = await ShopHelpers.ScalarAsync<long>(App, "SELECT price_vnd FROM products WHERE slug = @slug", new { slug });
        using var small = App.NewClient();
        if (price < LowTransferLimitFixture.Limit / 2)
        {
            await ShopHelpers.AddToCartAsync(small, slug);
            var (_, quiet) = await small.GetPageAsync("/thanh-toan");
            Assert.Null(quiet.QuerySelector("#transfer-limit-warning"));
        }

        using var shopper = App.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, slug, (int)(LowTransferLimitFixture.Limit / price) + 1);
        var (_, checkout) = await shopper.GetPageAsync("/thanh-toan");
        Assert.Contains("100.000", checkout.QuerySelector("#transfer-limit-warning")!.TextContent, StringComparison.Ordinal);
        var placed = await ShopHelpers.CheckoutAsync(shopper, "transfer"); // a warning, not a refusal
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var (_, order) = await shopper.GetPageAsync(placed.Headers.Location!.OriginalString);
        Assert.NotNull(order.QuerySelector("#transfer-limit-warning"));
    }
}
