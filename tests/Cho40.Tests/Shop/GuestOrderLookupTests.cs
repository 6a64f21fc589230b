using System.Diagnostics;
using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Pages.Shop;

namespace Cho40.Tests.Shop;

/// <summary>A guest finds an order again with phone + order code (/tra-cuu-don-hang): found, not found, no enumeration.</summary>
public sealed class GuestOrderLookupTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    private async Task<(string Code, string Token, string Phone)> GuestOrderAsync(string phone)
    {
        using var shopper = App.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, "gao-bao-thai-dinh-hoa-5kg");
        var values = ShopHelpers.ValidCheckout("transfer");
        values["Input.Phone"] = phone;
        var placed = await shopper.SubmitFormAsync("/thanh-toan", "#checkout-form", values);
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var token = placed.Headers.Location!.OriginalString.Split('/')[^1];
        var code = await ShopHelpers.ScalarAsync<string>(App, "SELECT code FROM orders WHERE access_token = @token", new { token });
        return (code, token, phone);
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Took)> LookUpAsync(PageClient client, string phone, string code)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await client.SubmitFormAsync("/tra-cuu-don-hang", "#find-order", new Dictionary<string, string> { ["Phone"] = phone, ["Code"] = code });
        return (response, Stopwatch.GetElapsedTime(started));
    }

    [Fact]
    public async Task The_phone_and_code_given_at_checkout_lead_back_to_the_order_as_people_type_them()
    {
        var order = await GuestOrderAsync("0365 111 222");
        using var guest = App.NewClient();
        foreach (var (phone, code) in new[] { ("0365111222", order.Code), ("0365 111 222", order.Code.ToLowerInvariant()), ("+84365111222", order.Code[3..]) })
        {
            var (response, _) = await LookUpAsync(guest, phone, code);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal($"/don-hang/{order.Token}", response.Headers.Location!.OriginalString);
        }
        var (_, page) = await guest.GetPageAsync($"/don-hang/{order.Token}");
        Assert.Contains(order.Code, page.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task A_pair_that_does_not_match_gets_one_answer_whether_the_code_or_the_phone_exists_or_not()
    {
        var order = await GuestOrderAsync("0365 333 444");
        var other = await GuestOrderAsync("0365 555 666");
        string unknownCode;
        do unknownCode = "DH-" + new string(Enumerable.Range(0, 6).Select(_ => "23456789ABCDEFGHJKMNPQRSTUVWXYZ"[Random.Shared.Next(31)]).ToArray());
        while (await ShopHelpers.ScalarAsync<long>(App, "SELECT count(*) FROM orders WHERE code = @unknownCode", new { unknownCode }) > 0);

        var answers = new List<string>();
        foreach (var (phone, code) in new[]
        {
            ("0365333444", other.Code),   // a real code, the phone of another real order
            ("0365999000", order.Code),   // a real code, a phone that never ordered
            ("0365333444", unknownCode),  // a real phone, a code that does not exist
            ("0365999000", unknownCode),  // neither
        })
        {
            using var guest = App.NewClient();
            var (response, took) = await LookUpAsync(guest, phone, code);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.True(took >= FindOrderModel.MinimumAnswerTime, $"answered after {took.TotalMilliseconds} ms");
            var (_, page) = await guest.GetPageAsync(response.Headers.Location!.OriginalString);
            answers.Add(response.Headers.Location!.OriginalString + " | " + page.QuerySelector(".flash")!.TextContent.Trim()
                + " | " + page.QuerySelector("#find-order")!.OuterHtml.Replace(page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!, ""));
        }
        Assert.Single(answers.Distinct());
        Assert.Contains("Không tìm thấy đơn hàng với số điện thoại và mã đơn này", answers[0]);
        Assert.DoesNotContain(other.Code, answers[0]);

        // Input that cannot be a phone or a code is refused at the field, with nothing looked up.
        using var typo = App.NewClient();
        var (refused, _) = await LookUpAsync(typo, "12345", "XYZ");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var form = await PageClient.ParseAsync(refused);
        Assert.Contains("10 chữ số", form.QuerySelector("[data-valmsg-for=Phone]")!.TextContent);
        Assert.Contains("DH-7KQ3XM", form.QuerySelector("[data-valmsg-for=Code]")!.TextContent);
    }
}

/// <summary>The lookup counts against the credential forms' budget per client address (its own app: the budget is per minute).</summary>
public sealed class GuestOrderLookupRateLimitTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() =>
        app = await Cho40App.StartAsync(withDemoData: false, settings: new Dictionary<string, string> { ["Cho40:SignInAttemptsPerMinute"] = "4" });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Guessing_is_limited_per_client_address()
    {
        using var guest = app.NewClient();
        var (_, page) = await guest.GetPageAsync("/tra-cuu-don-hang");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            var response = await guest.SubmitAsync(page, "#find-order",
                new Dictionary<string, string> { ["Phone"] = "0365000" + (100 + i), ["Code"] = "DH-7KQ3XM" });
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
