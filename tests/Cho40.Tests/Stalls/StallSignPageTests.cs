using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Payments;
using Cho40.Web.Payments.VietQr;
using Dapper;
using Npgsql;
using static Cho40.Tests.Stalls.StallTestData;
using Cho40.Db.Domain;

namespace Cho40.Tests.Stalls;

/// <summary>
/// The stall's printable sign, the market's sheet and "Kiểm tra bảng QR", over HTTP against the demo data: the demo
/// stallholder's A01 at Chợ Thái pays Vietcombank (970436) account 1023456789, LE THI HOA. This class never changes A01.
/// </summary>
public sealed class StallSignPageTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    /// <summary>What a phone must read from A01's sign: a static code, no amount, no purpose.</summary>
    private static readonly string A01Payload = VietQrPayload.Build(new VietQrRequest("970436", "1023456789"));

    private Task<long> A01Async() => ScalarAsync<long>(App, """
        SELECT s.id FROM stalls s JOIN markets m ON m.id = s.market_id WHERE m.slug = 'cho-thai' AND s.stall_number = 'A01'
        """);

    private Task<long> MarketAsync(string slug) => ScalarAsync<long>(App, "SELECT id FROM markets WHERE slug = @slug", new { slug });

    private static string FileName(HttpResponseMessage response) =>
        response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "";

    [Fact]
    public async Task The_owner_gets_the_sign_page_and_PDF_A6_A5_and_PNG_each_decoding_to_the_static_code_of_the_stalls_account()
    {
        var stallId = await A01Async();
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        var (response, page) = await owner.GetPageAsync($"/Stall/{stallId}/Sign");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var account = page.QuerySelector(".sign-account")!.TextContent;
        Assert.Contains("Vietcombank", account);
        Assert.Contains("•••• 6789", account);
        Assert.Contains("LE THI HOA", account);
        Assert.DoesNotContain("1023456789", page.Body!.TextContent); // masked everywhere on the page

        var a6 = await owner.Http.GetAsync(page.QuerySelector("#download-pdf-a6")!.GetAttribute("href"));
        Assert.Equal("application/pdf", a6.Content.Headers.ContentType!.MediaType);
        Assert.Equal("bang-qr-cho-thai-a01-a6.pdf", FileName(a6));
        var a6Pages = await QrTools.PdfPagesAsync(await a6.Content.ReadAsByteArrayAsync());
        Assert.Equal(A01Payload, await QrTools.DecodePngAsync(Assert.Single(a6Pages)));

        var a5 = await owner.Http.GetAsync(page.QuerySelector("#download-pdf-a5")!.GetAttribute("href"));
        Assert.Equal("bang-qr-cho-thai-a01-a5.pdf", FileName(a5));
        var a5Pages = await QrTools.PdfPagesAsync(await a5.Content.ReadAsByteArrayAsync());
        Assert.Equal(A01Payload, await QrTools.DecodePngAsync(Assert.Single(a5Pages)));
        using (var a5Page = SkiaSharp.SKBitmap.Decode(a5Pages[0]))
            Assert.InRange(a5Page.Height, 205 * 150 / 25.4, 215 * 150 / 25.4); // really A5 (210 mm tall)

        var png = await owner.Http.GetAsync(page.QuerySelector("#download-png")!.GetAttribute("href"));
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        Assert.Equal("bang-qr-cho-thai-a01-a6.png", FileName(png));
        Assert.Equal(A01Payload, await QrTools.DecodePngAsync(await png.Content.ReadAsByteArrayAsync()));

        var preview = await owner.Http.GetAsync(page.QuerySelector("#sign-preview img")!.GetAttribute("src"));
        Assert.Null(preview.Content.Headers.ContentDisposition); // shown inline
        Assert.Equal(A01Payload, await QrTools.DecodePngAsync(await preview.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task The_helper_who_set_the_stall_up_may_print_it_another_stallholder_gets_404_on_every_sign_url()
    {
        var stallId = await A01Async();
        string[] urls = [$"/Stall/{stallId}/Sign", $"/Stall/{stallId}/Sign?handler=Pdf&paper=A6", $"/Stall/{stallId}/Sign?handler=Pdf&paper=A5",
            $"/Stall/{stallId}/Sign?handler=Png", $"/Stall/{stallId}/Sign?handler=Png&preview=true", $"/Stall/{stallId}/CheckSign",
            $"/Stall/{stallId}/CheckSign?Code={Uri.EscapeDataString(A01Payload)}"];

        using var helper = App.NewClient();
        await helper.SignInAsync("0900000005");
        foreach (var url in urls) Assert.Equal(HttpStatusCode.OK, (await helper.Http.GetAsync(url)).StatusCode);
        var pdf = await helper.Http.GetByteArrayAsync($"/Stall/{stallId}/Sign?handler=Pdf&paper=A6");
        Assert.Equal(A01Payload, await QrTools.DecodePngAsync((await QrTools.PdfPagesAsync(pdf)).Single()));

        // Another stallholder: signs up and sets up a stall of their own through the real form.
        using var other = App.NewClient();
        await other.SignUpAndSignInAsync(Unique.Phone(), "Vũ Văn Khác");
        var ownNumber = Unique.StallNumber();
        var created = await other.SubmitFormAsync("/Stall/Edit", "main form", new Dictionary<string, string>
        {
            ["Input.MarketId"] = (await MarketAsync("cho-dai-tu")).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.StallNumber"] = ownNumber, ["Input.Name"] = "Sạp khác", ["Input.Goods"] = "Rau", ["Input.BankBin"] = "970418",
            ["Input.Service"] = "account", ["Input.AccountNumber"] = "21510001234567", ["Input.AccountHolder"] = "Vũ Văn Khác",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var ownStall = await ScalarAsync<long>(App, "SELECT id FROM stalls WHERE stall_number = @ownNumber", new { ownNumber });
        var own = await other.Http.GetAsync($"/Stall/{ownStall}/Sign?handler=Png");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(VietQrPayload.Build(new VietQrRequest("970418", "21510001234567")), await QrTools.DecodePngAsync(await own.Content.ReadAsByteArrayAsync()));
        foreach (var url in urls) Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync(url)).StatusCode);

        // Without a linked account the sign page says so and links to the form that links one.
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
            await connection.ExecuteAsync("DELETE FROM stall_bank_accounts WHERE stall_id = @ownStall", new { ownStall });
        var (_, noAccount) = await other.GetPageAsync($"/Stall/{ownStall}/Sign");
        Assert.Contains("chưa liên kết tài khoản ngân hàng", noAccount.QuerySelector("#no-account")!.TextContent);
        Assert.NotNull(noAccount.QuerySelector($"a[href='/Stall/Edit/{ownStall}']"));
        Assert.Null(noAccount.QuerySelector("#download-png"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/Stall/{ownStall}/Sign?handler=Pdf")).StatusCode);
    }

    [Fact]
    public async Task Check_my_sign_says_whether_a_scanned_code_pays_the_stalls_own_account_and_why_a_code_is_invalid()
    {
        var stallId = await A01Async();
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        async Task<AngleSharp.Dom.IDocument> CheckAsync(string code)
        {
            var (response, page) = await owner.GetPageAsync($"/Stall/{stallId}/CheckSign?Code={Uri.EscapeDataString(code)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return page;
        }

        // The text a phone reads from the printed sign (the real PNG, decoded by zbarimg), with the newline scanners add.
        var scanned = await QrTools.DecodePngAsync(await owner.Http.GetByteArrayAsync($"/Stall/{stallId}/Sign?handler=Png"));
        var match = await CheckAsync(scanned + "\n");
        Assert.Equal("match", match.QuerySelector("#sign-verdict")!.GetAttribute("data-verdict"));
        Assert.Equal("Đúng tài khoản của sạp", match.QuerySelector("#sign-verdict")!.TextContent.Trim());
        Assert.Equal("Vietcombank", match.QuerySelector("#check-bank")!.TextContent.Trim());
        Assert.Equal("•••• 6789", match.QuerySelector("#check-account")!.TextContent.Trim());

        // A sticker pasted over the sign: another account at the same bank, and the same number at another bank.
        foreach (var (bin, account) in new[] { ("970436", "1023459999"), ("970422", "1023456789") })
        {
            var bank = new Cho40.Db.Banks().FindByBin(bin)!.ShortName;
            var sticker = await CheckAsync(VietQrPayload.Build(new VietQrRequest(bin, account)));
            Assert.Equal("mismatch", sticker.QuerySelector("#sign-verdict")!.GetAttribute("data-verdict"));
            Assert.Equal("CẢNH BÁO: mã này chuyển tiền vào tài khoản khác", sticker.QuerySelector("#sign-verdict")!.TextContent.Trim());
            Assert.Equal(bank, sticker.QuerySelector("#check-bank")!.TextContent.Trim());
            Assert.Equal(StallSignsMask(account), sticker.QuerySelector("#check-account")!.TextContent.Trim());
        }

        // A tampered code (one digit of the account changed, CRC left as it was) and something that is not a VietQR at all.
        var tampered = A01Payload.Replace("1023456789", "1023456780", StringComparison.Ordinal);
        var invalid = await CheckAsync(tampered);
        Assert.Equal("invalid", invalid.QuerySelector("#sign-verdict")!.GetAttribute("data-verdict"));
        var expected = VietQrPayload.Parse(tampered);
        Assert.Equal("63", expected.ErrorField);
        var reason = invalid.QuerySelector("#check-reason")!.TextContent;
        Assert.Contains(expected.Error!, reason);
        Assert.Contains("CRC", reason);
        Assert.Contains("63", reason);
        var notVietQr = await CheckAsync("https://example.com/pay");
        Assert.Equal("invalid", notVietQr.QuerySelector("#sign-verdict")!.GetAttribute("data-verdict"));
        Assert.Contains(VietQrPayload.Parse("https://example.com/pay").Error!, notVietQr.QuerySelector("#check-reason")!.TextContent);

        // An empty submission is explained next to the field.
        var empty = await CheckAsync("  ");
        Assert.Null(empty.QuerySelector("#sign-verdict"));
        Assert.Contains("Dán nội dung mã QR", empty.QuerySelector("[data-valmsg-for='Code']")!.TextContent);
    }

    private static string StallSignsMask(string account) => Cho40.Web.Printing.StallSigns.MaskAccount(account);

    [Fact]
    public async Task A_market_manager_prints_one_PDF_with_a_page_per_stall_with_an_account_each_decoding_and_other_markets_are_404()
    {
        // Two stalls of this test's own with accounts; the expected sheet is read from the database, whatever else is there.
        await NewStallAsync(App, "cho-thai");
        await NewStallAsync(App, "cho-thai");
        var marketId = await MarketAsync("cho-thai");
        List<(string StallNumber, string Bin, string Account, string Service)> expected;
        int stallCount;
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            expected = (await connection.QueryAsync<(string, string, string, string)>("""
                SELECT s.stall_number, b.bank_bin, b.account_number, b.service
                FROM stalls s JOIN stall_bank_accounts b ON b.stall_id = s.id WHERE s.market_id = @marketId ORDER BY s.stall_number
                """, new { marketId })).AsList();
            stallCount = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM stalls WHERE market_id = @marketId", new { marketId });
        }
        Assert.True(expected.Count >= 3, "A01 (demo) and this test's two stalls have accounts");

        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var (_, index) = await manager.GetPageAsync("/Market");
        Assert.NotNull(index.QuerySelector($"#managed-markets a[href='/Market/{marketId}/Signs']"));
        Assert.Null(index.QuerySelector($"#managed-markets a[href='/Market/{await MarketAsync("cho-dong-quang")}/Signs']"));

        var (response, page) = await manager.GetPageAsync($"/Market/{marketId}/Signs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected.Select(e => e.StallNumber),
            page.QuerySelectorAll("#stalls-with-account li strong").Select(e => e.TextContent.Split(" · ")[0]));
        Assert.Equal(stallCount - expected.Count, page.QuerySelectorAll("#stalls-without-account li").Length);

        foreach (var paper in new[] { "a6", "a5" })
        {
            var pdf = await manager.Http.GetAsync(page.QuerySelector($"#sheet-{paper}")!.GetAttribute("href"));
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal($"bang-qr-cho-thai-{paper}.pdf", FileName(pdf));
            var pages = await QrTools.PdfPagesAsync(await pdf.Content.ReadAsByteArrayAsync(), paper == "a6" ? 150 : 110);
            Assert.Equal(expected.Count, pages.Count);
            for (var i = 0; i < pages.Count; i++)
                Assert.Equal(VietQrPayload.Build(new VietQrRequest(expected[i].Bin, expected[i].Account,
                    expected[i].Service == "card" ? VietQrService.Card : VietQrService.Account)), await QrTools.DecodePngAsync(pages[i]));
        }

        // A market this manager does not manage: 404, page and PDF. An admin may print any market's sheet.
        var other = await MarketAsync("cho-dong-quang");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/Market/{other}/Signs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/Market/{other}/Signs?handler=Pdf&paper=A6")).StatusCode);
        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/Market/{other}/Signs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/Market/{marketId}/Signs?handler=Pdf&paper=A6")).StatusCode);

        // A stallholder is no manager at all.
        using var stallholder = App.NewClient();
        await stallholder.SignInAsync("0900000004");
        var refused = await stallholder.Http.GetAsync($"/Market/{marketId}/Signs?handler=Pdf");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/AccessDenied", refused.Headers.Location!.OriginalString);
    }
}
