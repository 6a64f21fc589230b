using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cho40.Db.Domain;
using Cho40.Tests.Catalog;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Payments;
using Dapper;
using Npgsql;
using SkiaSharp;

namespace Cho40.Tests.Markets;

/// <summary>The demo app with a configured public base URL (what the gate poster's QR code carries).</summary>
public sealed class MarketsApp : IAsyncLifetime
{
    public const string PublicBaseUrl = "https://cho40.example.vn";

    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync() =>
        App = await Cho40App.StartAsync(withDemoData: true, settings: new Dictionary<string, string>
        {
            ["Cho40:PublicBaseUrl"] = PublicBaseUrl, ["AllowedHosts"] = "cho40.example.vn;localhost;127.0.0.1",
        });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// Public market pages (<c>/cho/{slug}</c>, <c>/cho</c>), what a market manager edits (details, photo) and the gate poster.
/// </summary>
public sealed class MarketPageTests(MarketsApp fixture) : IClassFixture<MarketsApp>
{
    private Cho40App App => fixture.App;

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var db = new NpgsqlConnection(App.ConnectionString);
        return await db.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }

    [Fact]
    public async Task A_visitor_reads_name_address_hours_and_every_stall_with_its_goods_and_QR_but_no_person()
    {
        using var visitor = App.NewClient();
        var (response, page) = await visitor.GetPageAsync("/cho/cho-thai");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("vi", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Chợ Thái (Chợ Trung tâm Thái Nguyên)", page.QuerySelector("#market-name")!.TextContent);
        Assert.Equal("Phường Phan Đình Phùng", page.QuerySelector("#market-commune")!.TextContent.Trim());
        Assert.Equal("Thái Nguyên", page.QuerySelector("#market-province")!.TextContent.Trim());
        Assert.Contains("05:00–18:30", page.QuerySelector("#market-hours")!.TextContent);

        // Shared caches may keep it: public, and no cookie set on the way out.
        Assert.Contains("public", response.Headers.CacheControl!.ToString());
        Assert.False(response.Headers.Contains("Set-Cookie"));

        await using var db = new NpgsqlConnection(App.ConnectionString);
        var stalls = (await db.QueryAsync<(string Number, string Name, string Goods, bool Qr)>("""
            SELECT s.stall_number, s.name, s.goods, b.stall_id IS NOT NULL FROM stalls s JOIN markets m ON m.id = s.market_id
            LEFT JOIN stall_bank_accounts b ON b.stall_id = s.id WHERE m.slug = 'cho-thai'
            """)).OrderBy(s => s.Number, StringComparer.Ordinal).ToList();
        var shown = page.QuerySelectorAll("#market-stalls li").Select(li => (
            Number: li.QuerySelector(".stall-number")!.TextContent, Name: li.QuerySelector(".stall-name")!.TextContent,
            Goods: li.QuerySelector(".stall-goods")?.TextContent ?? "", Qr: li.QuerySelector(".qr-tag") is not null)).ToList();
        Assert.Equal(stalls, shown.OrderBy(s => s.Number, StringComparer.Ordinal).ToList());
        Assert.Contains(shown, s => s.Qr);
        Assert.Contains(shown, s => !s.Qr);

        // Nobody is named: not the owners, their phones, the accounts their signs pay, nor the holders' names.
        var html = page.DocumentElement.OuterHtml;
        var people = await db.QueryAsync<(string Name, string Phone)>("""
            SELECT u.display_name, u.phone FROM stalls s JOIN users u ON u.id IN (s.owner_user_id, s.created_by_user_id)
            """);
        foreach (var (name, phone) in people)
        {
            Assert.DoesNotContain(name, html);
            Assert.DoesNotContain(phone, html);
        }
        foreach (var (account, holder) in await db.QueryAsync<(string, string)>("SELECT account_number, account_holder FROM stall_bank_accounts"))
        {
            Assert.DoesNotContain(account, html);
            Assert.DoesNotContain(holder, html);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.Http.GetAsync("/cho/khong-co-cho-nay")).StatusCode);
    }

    [Fact]
    public async Task The_chợ_4_0_badge_is_the_share_of_stalls_with_a_sign_and_a_QR_payment_in_the_seven_days_before_today()
    {
        var today = VietnamTime.DayOf(App.Clock.GetUtcNow());
        var (from, to) = (VietnamTime.DayBounds(today.AddDays(-7)).Start, VietnamTime.DayBounds(today).Start);
        await using var db = new NpgsqlConnection(App.ConnectionString);
        var (stalls, active) = await db.QuerySingleAsync<(long, long)>("""
            SELECT count(*), count(*) FILTER (WHERE b.stall_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM stall_payments p WHERE p.stall_id = s.id AND p.method = 'qr' AND p.occurred_at >= @from AND p.occurred_at < @to))
            FROM stalls s JOIN markets m ON m.id = s.market_id LEFT JOIN stall_bank_accounts b ON b.stall_id = s.id WHERE m.slug = 'cho-tuc-duyen'
            """, new { from, to });
        Assert.True(active > 0 && active < stalls, "the demo market has some QR-active stalls and some not");

        using var visitor = App.NewClient();
        var (_, page) = await visitor.GetPageAsync("/cho/cho-tuc-duyen");
        Assert.Equal($"{Math.Round(active * 100.0 / stalls, MidpointRounding.AwayFromZero)} %", page.QuerySelector("#badge-percent")!.TextContent);
        Assert.StartsWith($"{active} trên {stalls} sạp", page.QuerySelector("#cho40-badge p")!.TextContent);

        var (_, list) = await visitor.GetPageAsync("/cho");
        var links = list.QuerySelectorAll("#market-list h2 a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(await ScalarAsync<long>("SELECT count(*) FROM markets"), links.Count);
        Assert.Contains("/cho/cho-tuc-duyen", links);
    }

    [Fact]
    public async Task A_tourist_reads_the_page_in_English()
    {
        using var tourist = App.NewClient();
        var (_, vietnamese) = await tourist.GetPageAsync("/cho/cho-thai");
        var offer = vietnamese.QuerySelector("#read-in-english")!;
        Assert.Equal("en", offer.GetAttribute("lang"));
        var (response, page) = await tourist.GetPageAsync(offer.GetAttribute("href")!);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
        var text = page.QuerySelector("main")!.TextContent;
        Assert.Contains("Opening hours", text);
        Assert.Contains("Open every day, Sundays included", text);
        Assert.Contains("The largest market in central Thái Nguyên", text);
        Assert.Contains("Takes QR", text);
        Assert.DoesNotContain("Giờ mở cửa", text);
        Assert.NotNull(page.QuerySelector("#read-in-vietnamese"));
    }

    [Fact]
    public async Task A_manager_edits_the_details_and_the_public_page_follows_a_time_a_person_could_mean_two_ways_is_refused()
    {
        var market = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-tuc-duyen'");
        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var form = $"/Market/{market}/Details";

        var refused = await manager.SubmitFormAsync(form, "#details-form", new Dictionary<string, string> { ["Input.OpensAt"] = "6", ["Input.ClosesAt"] = "17h" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var refusedPage = await PageClient.ParseAsync(refused);
        Assert.Contains("6:00, 6h30", refusedPage.QuerySelector("[data-valmsg-for='Input.OpensAt']")!.TextContent);
        Assert.Equal("05:30", await ScalarAsync<string>("SELECT to_char(opens_at, 'HH24:MI') FROM markets WHERE id = @market", new { market }));

        var saved = await manager.SubmitFormAsync(form, "#details-form", new Dictionary<string, string>
        {
            ["Input.OpensAt"] = "6h", ["Input.ClosesAt"] = "17h30", ["Input.HoursNoteEn"] = "Closed on the first day of Tết",
            ["Input.DescriptionEn"] = "A friendly neighbourhood market.",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        using var visitor = App.NewClient();
        var (_, page) = await visitor.GetPageAsync("/cho/cho-tuc-duyen?culture=en");
        Assert.Contains("06:00–17:30", page.QuerySelector("#market-hours")!.TextContent);
        Assert.Contains("Closed on the first day of Tết", page.QuerySelector("#market-hours")!.TextContent);
        Assert.Contains("A friendly neighbourhood market.", page.QuerySelector(".market-description")!.TextContent);
        Assert.Equal("cho-tuc-duyen", await ScalarAsync<string>("SELECT slug FROM markets WHERE id = @market", new { market })); // posters still point here

        // A market this manager does not manage, and a stallholder: 404 / refused, nothing changes.
        var other = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-dong-quang'");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/Market/{other}/Details")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/Market/{other}/Details?handler=Poster")).StatusCode);
        using var stallholder = App.NewClient();
        await stallholder.SignInAsync("0900000004");
        Assert.NotEqual(HttpStatusCode.OK, (await stallholder.Http.GetAsync(form)).StatusCode);
    }

    [Fact]
    public async Task A_manager_uploads_a_checked_photo_that_the_public_page_shows_and_a_file_that_is_not_a_photo_is_refused()
    {
        var market = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-thai'");
        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var (_, details) = await manager.GetPageAsync($"/Market/{market}/Details");
        var token = details.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string name, string type)
        {
            using var content = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(type);
            content.Add(file, "photo", name);
            content.Add(new StringContent(token), "__RequestVerificationToken");
            return await manager.Http.PostAsync($"/Market/{market}/Details?handler=Photo", content);
        }

        var refused = await UploadAsync("<html>not a photo</html>"u8.ToArray(), "cho.jpg", "image/jpeg");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("", await ScalarAsync<string>("SELECT coalesce(photo_sha256, '') FROM markets WHERE id = @market", new { market }));

        var photo = CatalogTestKit.Image(SKEncodedImageFormat.Jpeg, 1600, 900);
        Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(photo, "cho-thai.jpg", "image/jpeg")).StatusCode);
        var sha = await ScalarAsync<string>("SELECT photo_sha256 FROM markets WHERE id = @market", new { market });

        using var visitor = App.NewClient();
        var (_, page) = await visitor.GetPageAsync("/cho/cho-thai");
        var src = page.QuerySelector("img.market-photo")!.GetAttribute("src")!;
        Assert.Equal($"/img/m/{sha}/480.webp", src);
        var image = await visitor.Http.GetAsync(src);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/webp", image.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", image.Headers.CacheControl!.ToString());
        using (var bitmap = SKBitmap.Decode(await image.Content.ReadAsByteArrayAsync())) Assert.Equal(480, bitmap.Width);
        // Any other stored photo is not reachable through the market address.
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.Http.GetAsync($"/img/m/{new string('a', 64)}/480.webp")).StatusCode);

        // Replaced: the old bytes go when nothing else uses them.
        Assert.Equal(HttpStatusCode.Redirect, (await UploadAsync(CatalogTestKit.Image(SKEncodedImageFormat.Png, 800, 600), "moi.png", "image/png")).StatusCode);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM media_blobs WHERE sha256 = @sha", new { sha }));
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.Http.GetAsync(src)).StatusCode);
    }

    [Theory]
    [InlineData("A4", 595, 842)]
    [InlineData("A3", 842, 1191)]
    public async Task The_gate_poster_carries_the_market_pages_address_in_a_QR_code_and_text_in_both_languages(string paper, int widthPt, int heightPt)
    {
        var market = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-thai'");
        using var manager = App.NewClient();
        await manager.SignInAsync("0900000002");
        var (_, details) = await manager.GetPageAsync($"/Market/{market}/Details");
        var link = details.QuerySelector($"#poster-{paper.ToLowerInvariant()}")!.GetAttribute("href")!;
        var response = await manager.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"ap-phich-cho-thai-{paper.ToLowerInvariant()}.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var pdf = await response.Content.ReadAsByteArrayAsync();

        var pages = await QrTools.PdfPagesAsync(pdf, 72);
        Assert.Single(pages);
        Assert.Equal(MarketsApp.PublicBaseUrl + "/cho/cho-thai", await QrTools.DecodePngAsync(pages[0]));
        using (var bitmap = SKBitmap.Decode(pages[0]))
        {
            Assert.InRange(bitmap.Width, widthPt - 2, widthPt + 2);
            Assert.InRange(bitmap.Height, heightPt - 2, heightPt + 2);
        }
        var text = await PdfTextAsync(pdf);
        Assert.Contains("Chợ Thái", text);
        Assert.Contains("Quét mã để xem thông tin chợ", text);
        Assert.Contains("Scan for market information", text);
        Assert.Contains("cho40.example.vn/cho/cho-thai", text);
        Assert.Contains("DejaVuSans", await QrTools.PdfFontsAsync(pdf));
    }

    private static async Task<string> PdfTextAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cho40-poster-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", [path, "-"]) { RedirectStandardOutput = true })!;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return text;
        }
        finally { File.Delete(path); }
    }
}
