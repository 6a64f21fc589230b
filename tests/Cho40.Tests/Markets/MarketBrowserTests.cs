using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Payments;
using Cho40.Tests.Reports;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Cho40.Tests.Markets;

/// <summary>
/// In Chromium, on a 360 × 640 phone: a tourist scans the gate poster and reads the market page in English; a province
/// officer signs in, reads last week, drills down to a market and opens the open data; a manager edits the market. Every
/// page reflows: the document is never wider than the screen (wide tables scroll inside their own box).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class MarketBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<IPage> PhoneAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.BaseUrl, ViewportSize = new ViewportSize { Width = 360, Height = 640 }, Locale = "vi-VN",
        });
        return await context.NewPageAsync();
    }

    private static async Task AssertReflowsAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, $"{name}-360.png"), FullPage = true });
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scrollWidth, innerWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= innerWidth, $"{name}: the document is {scrollWidth} px wide on a {innerWidth} px screen");
    }

    [Fact]
    public async Task A_tourist_scans_the_gate_poster_and_reads_the_market_page_in_English_on_a_360_px_phone()
    {
        var market = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-thai'");
        // The manager prints the poster (downloaded in her own browser session).
        var manager = await fixture.NewPageAsync(phone: false);
        await fixture.SignInAsync(manager, "0900000002");
        var download = await manager.APIRequest.GetAsync($"/Market/{market}/Details?handler=Poster&paper=A4");
        Assert.Equal(200, download.Status);
        var poster = await download.BodyAsync();
        var scanned = new Uri(await QrTools.DecodePngAsync((await QrTools.PdfPagesAsync(poster, 72))[0]));
        Assert.Equal("/cho/cho-thai", scanned.AbsolutePath);

        var page = await PhoneAsync();
        await page.GotoAsync(scanned.PathAndQuery);
        await AssertReflowsAsync(page, "market-vi");
        await page.ClickAsync("#read-in-english");
        await page.WaitForURLAsync(url => url.Contains("culture=en", StringComparison.Ordinal));
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Contains("Opening hours", await page.InnerTextAsync("main"));
        Assert.Contains("Takes QR", await page.InnerTextAsync("#market-stalls"));
        await AssertReflowsAsync(page, "market-en");

        await page.ClickAsync("text=Other markets");
        await page.WaitForURLAsync(url => url.EndsWith("/cho", StringComparison.Ordinal));
        await AssertReflowsAsync(page, "markets-en");
    }

    [Fact]
    public async Task A_province_officer_reads_last_week_drills_down_and_opens_the_open_data_on_a_360_px_phone()
    {
        // The demo's takings of the last 14 days, reported as the nightly job would, then the province aggregates.
        var today = VietnamTime.DayOf(DateTimeOffset.UtcNow);
        for (var day = today.AddDays(-10); day < today; day = day.AddDays(1)) await fixture.App.ComputeAsync(day);
        await fixture.App.Services.GetRequiredService<ProvinceAggregates>().RefreshAsync(fixture.App.Clock.GetUtcNow());

        var page = await PhoneAsync();
        await fixture.SignInAsync(page, "0900000008");
        Assert.EndsWith("/Province", new Uri(page.Url).AbsolutePath);
        Assert.NotEqual("0", (await page.InnerTextAsync("#card-stalls")).Trim());
        Assert.NotNull(await page.QuerySelectorAsync("svg.report-chart"));
        await AssertReflowsAsync(page, "province");

        await page.ClickAsync("#markets-table th[scope=col] >> text=Tiền QR");
        Assert.Equal("descending", await page.GetAttributeAsync("#markets-table th[aria-sort]", "aria-sort"));
        await page.ClickAsync("#markets-table tbody tr:first-child th a");
        await page.WaitForURLAsync(url => url.Contains("/Province/Market/", StringComparison.Ordinal));
        Assert.NotNull(await page.QuerySelectorAsync("#market-series"));
        await AssertReflowsAsync(page, "province-market");

        await page.GotoAsync("/Province");
        await page.ClickAsync("#open-data");
        await page.WaitForURLAsync(url => url.EndsWith("/du-lieu-mo", StringComparison.Ordinal));
        Assert.Contains("CC BY 4.0", await page.InnerTextAsync("#licence"));
        await AssertReflowsAsync(page, "open-data");
    }

    [Fact]
    public async Task The_managers_market_details_page_reflows_at_360_px()
    {
        var market = await ScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-tuc-duyen'");
        var page = await PhoneAsync();
        await fixture.SignInAsync(page, "0900000002");
        await page.GotoAsync($"/Market/{market}/Details");
        Assert.NotNull(await page.QuerySelectorAsync("#poster-a4"));
        await AssertReflowsAsync(page, "market-details");
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var db = new NpgsqlConnection(fixture.App.ConnectionString);
        return await db.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException("no value");
    }
}
