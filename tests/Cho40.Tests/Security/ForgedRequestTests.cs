using System.Net;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Security;

/// <summary>
/// Forged antiforgery tokens (missing, another user's, another session's of the same user, tampered) are refused
/// with 400 and change nothing; SQL metacharacters in search and every filter are harmless (never 500, sane results,
/// tables intact).
/// </summary>
public sealed class ForgedRequestTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var db = new NpgsqlConnection(App.ConnectionString);
        return (await db.ExecuteScalarAsync<T>(sql, args))!;
    }

    private async Task<PageClient> SignedInAsync(string phone)
    {
        var client = App.NewClient();
        await client.SignInAsync(phone);
        return client;
    }

    private static async Task<string> TokenAsync(PageClient client, string url)
    {
        var (_, page) = await client.GetPageAsync(url);
        return page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }

    [Fact]
    public async Task Forged_antiforgery_tokens_are_refused_with_400_and_change_nothing()
    {
        var stall = await ScalarAsync<long>("SELECT s.id FROM stalls s JOIN markets m ON m.id = s.market_id WHERE m.slug = 'cho-thai' AND s.stall_number = 'A01'");
        var screen = $"/Stall/{stall}/Screen";
        using var owner = await SignedInAsync("0900000004");
        using var ownerOtherDevice = await SignedInAsync("0900000004");
        using var someoneElse = await SignedInAsync("0900000006");
        var good = await TokenAsync(owner, screen);
        var otherSession = await TokenAsync(ownerOtherDevice, screen);
        var otherUser = await TokenAsync(someoneElse, "/");
        var tampered = good[..^6] + (good[^6] == 'A' ? 'B' : 'A') + good[^5..];

        async Task<HttpResponseMessage> CashAsync(string? token)
        {
            var values = new Dictionary<string, string> { ["CashAmount"] = "25000" };
            if (token is not null) values["__RequestVerificationToken"] = token;
            return await owner.Http.PostAsync(screen + "?handler=Cash", new FormUrlEncodedContent(values));
        }

        var payments = await ScalarAsync<long>("SELECT count(*) FROM stall_payments WHERE stall_id = @stall", new { stall });
        foreach (var (what, token) in new[] { ("missing", (string?)null), ("another user's", otherUser), ("another session's", otherSession), ("tampered", tampered), ("garbage", "x") })
        {
            var response = await CashAsync(token);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what} token: {(int)response.StatusCode}");
            Assert.Contains("Biểu mẫu đã hết hạn", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(payments, await ScalarAsync<long>("SELECT count(*) FROM stall_payments WHERE stall_id = @stall", new { stall }));

        // The same request with the owner's own token goes through: the refusals above were about the token alone.
        Assert.Equal(HttpStatusCode.Redirect, (await CashAsync(good)).StatusCode);
        Assert.Equal(payments + 1, await ScalarAsync<long>("SELECT count(*) FROM stall_payments WHERE stall_id = @stall", new { stall }));

        // A token made for an anonymous visitor is not accepted once signed in (and the other way round).
        using var visitor = App.NewClient();
        var anonymousToken = await TokenAsync(visitor, "/Account/SignIn");
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PostAsync(screen + "?handler=Cash",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["CashAmount"] = "25000", ["__RequestVerificationToken"] = anonymousToken }))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await visitor.Http.PostAsync("/Account/SignIn",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Phone"] = "0900000004", ["Input.Password"] = "cho40-demo", ["__RequestVerificationToken"] = good }))).StatusCode);
    }

    public static readonly string[] Nasty =
    [
        "' OR 1=1 --", "\" OR \"\"=\"", "%", "_", "\\", "%_\\%", "';DROP TABLE products;--", "1; SELECT pg_sleep(5)--", "$1", "::text",
        "Chè 𝔘 ơ đ \u200b", "\u0000", "a\u0000b", new string('%', 300), "' UNION SELECT password_hash FROM users --", "[[:alpha:]]", "*",
    ];

    [Fact]
    public async Task Sql_metacharacters_in_search_and_filters_are_harmless()
    {
        using var shopper = App.NewClient();
        using var seller = await SignedInAsync("0900000003");
        using var admin = await SignedInAsync("0900000001");
        var products = await ScalarAsync<long>("SELECT count(*) FROM products");
        var orders = await ScalarAsync<long>("SELECT count(*) FROM orders");
        var published = await ScalarAsync<long>("SELECT count(*) FROM products WHERE status = 'published'");
        var failures = new List<string>();

        foreach (var value in Nasty)
        {
            var v = Uri.EscapeDataString(value);
            var urls = new (PageClient Client, string Url)[]
            {
                (shopper, $"/search?q={v}"), (shopper, $"/search?q=che&danh-muc={v}&tinh={v}"), (shopper, $"/search?q=che&ocop={v}&gia-tu={v}&gia-den={v}"),
                (shopper, $"/search?q=che&sau={v}"), (shopper, $"/danh-muc/{v}"), (shopper, $"/danh-muc/che-tra?tinh={v}&sau={v}&ocop={v}"),
                (shopper, $"/san-pham/{v}"), (shopper, $"/nguoi-ban/{v}"), (shopper, $"/t/{v}"), (shopper, $"/01/{v}/10/{v}"),
                (shopper, $"/don-hang/{v}"), (shopper, $"/api/vietqr?bin={v}&account={v}&amount={v}&purpose={v}"), (shopper, $"/?q={v}"),
                (seller, $"/Seller/Orders?status={v}&payment={v}&from={v}&to={v}&before={v}"), (seller, $"/Seller/Catalog?status={v}&seller={v}"),
                (seller, $"/Seller/Trace?sellerId={v}"), (admin, $"/Admin/Orders?status={v}&payment={v}&from={v}&to={v}"),
                (admin, $"/Stall/1/CheckSign?Code={v}"),
            };
            foreach (var (client, url) in urls)
            {
                if (url.Split('?')[0].Contains("%00", StringComparison.Ordinal)) continue; // a NUL in a path: Kestrel answers 400 itself

                var response = await client.Http.GetAsync(url);
                if ((int)response.StatusCode >= 500) failures.Add($"{url} → {(int)response.StatusCode}");
            }

            // A search for metacharacters is a search for those characters, not a wildcard over the catalogue.
            if (value is "%" or "_" or "%_\\%" or "*" or "' OR 1=1 --")
            {
                var (_, page) = await shopper.GetPageAsync($"/search?q={v}");
                var shown = page.QuerySelectorAll("a[href^='/san-pham/']").Select(a => a.GetAttribute("href")).Distinct().Count();
                if (shown >= Math.Min(published, 20)) failures.Add($"search for {value} listed {shown} products (the catalogue?)");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(products, await ScalarAsync<long>("SELECT count(*) FROM products"));
        Assert.Equal(orders, await ScalarAsync<long>("SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task A_NUL_character_in_a_typed_field_is_refused_cleanly_never_a_500()
    {
        // Today a form carrying a NUL is refused as a whole: 400 with the site's Vietnamese error page (the form cannot be
        // read, so neither can its antiforgery token), and nothing of it is stored.
        async Task AssertRefusedAsync(HttpResponseMessage response, string what)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
            Assert.Contains("Yêu cầu không hợp lệ", await response.Content.ReadAsStringAsync());
        }

        var phone = Unique.Phone();
        using var person = App.NewClient();
        await AssertRefusedAsync(await person.SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Nông\u0000dân", ["Input.Phone"] = phone, ["Input.Password"] = "mat-khau-123", ["Input.ConfirmPassword"] = "mat-khau-123",
        }), "sign-up");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM users WHERE phone = @phone", new { phone }));

        using var seller = await SignedInAsync("0900000007");
        var category = await ScalarAsync<int>("SELECT id FROM categories WHERE slug = 'che-xanh'");
        var name = Unique.Name("Chè\u0000độc");
        await AssertRefusedAsync(await seller.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.CategoryId"] = category.ToString(), ["Input.Unit"] = "kg", ["Input.Price"] = "100000",
            ["Input.Description"] = "mô tả\u0000",
        }), "product");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM products WHERE name LIKE @like", new { like = "%" + name[^6..] }));

        var (stall, _, _) = await Cho40.Tests.Stalls.StallTestData.NewStallAsync(App);
        using var owner = await SignedInAsync("0900000004");
        await AssertRefusedAsync(await owner.SubmitFormAsync($"/Stall/Edit/{stall}", "main form", new Dictionary<string, string> { ["Input.Goods"] = "Rau\u0000củ" }), "stall");
        Assert.Equal("Rau", await ScalarAsync<string>("SELECT goods FROM stalls WHERE id = @stall", new { stall }));
    }
}
