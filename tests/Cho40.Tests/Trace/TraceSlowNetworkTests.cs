using System.Text.Json;
using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cho40.Tests.Trace;

/// <summary>
/// A shopper on a weak mountain connection scans a pack: Chromium's network throttled to slow 3G (400 kbit/s each way,
/// 400 ms added to every request, through the DevTools protocol) opens the trace page for the first time (empty cache).
/// The page's content — heading and journey, styled — must be painted within 2 s, and the whole visit must stay within
/// 8 KB on the wire. This is the suite's one timing assertion: a budget a person sees, not a benchmark.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class TraceSlowNetworkTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const int BitsPerSecond = 400_000;
    private const int LatencyMs = 400;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task On_slow_3G_the_trace_page_shows_its_content_within_2_seconds_in_under_8_KB()
    {
        // Under emulation the page costs two requests of 400 ms plus ~6 KB at 50 KB/s: about 1 s. The other second is
        // margin for a loaded machine; on top of that the page is visited once before (server warm: JIT, connection pool,
        // prepared plans), and the best of three fresh first visits counts — a slow page misses all three, a machine
        // busy with other builds rarely spoils all three.
        var warm = await browser.NewPageAsync(phone: true);
        await warm.GotoAsync("/t/TCDB25AQ");
        await warm.Context.CloseAsync();

        var attempts = new List<(double PaintMs, long Bytes)>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (paint, bytes) = await FirstVisitOnSlow3GAsync(screenshot: attempt == 0);
            attempts.Add((paint, bytes));
            if (paint < Budget.TotalMilliseconds) break;
        }
        var best = attempts.MinBy(a => a.PaintMs);
        var seen = string.Join(", ", attempts.Select(a => $"{a.PaintMs:F0} ms / {a.Bytes:N0} B"));
        Assert.True(best.PaintMs < Budget.TotalMilliseconds, $"first contentful paint on slow 3G: {seen}");
        Assert.All(attempts, a => Assert.True(a.Bytes <= 8 * 1024, $"first visit on the wire: {seen}"));
    }

    private async Task<(double PaintMs, long Bytes)> FirstVisitOnSlow3GAsync(bool screenshot)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.BaseUrl,
            ViewportSize = new ViewportSize { Width = 360, Height = 640 },
            Locale = "vi-VN",
        });
        try
        {
            var page = await context.NewPageAsync();
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Network.enable");
            await cdp.SendAsync("Network.setCacheDisabled", new Dictionary<string, object> { ["cacheDisabled"] = true });
            await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
            {
                ["offline"] = false,
                ["latency"] = LatencyMs,
                ["downloadThroughput"] = BitsPerSecond / 8,
                ["uploadThroughput"] = BitsPerSecond / 8,
            });
            // Bytes as the network carried them (compressed body + headers), per DevTools' own accounting.
            long bytes = 0;
            cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
            {
                if (e is JsonElement json && json.TryGetProperty("encodedDataLength", out var length)) Interlocked.Add(ref bytes, (long)length.GetDouble());
            };

            await page.GotoAsync("/t/TCDB25AQ", new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 30_000 });
            Assert.Equal("Chè nõn tôm Tân Cương", (await page.InnerTextAsync("h1")).Trim());
            Assert.True(await page.Locator(".timeline li").CountAsync() > 3);
            // Styled: the stylesheet (render-blocking) arrived before the paint.
            Assert.NotEqual("rgba(0, 0, 0, 0)", await page.EvalOnSelectorAsync<string>(".site-header", "e => getComputedStyle(e).backgroundColor"));
            var paint = await page.EvaluateAsync<double>(
                "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
            Assert.True(paint > 0, "no first contentful paint recorded");
            if (screenshot) await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "trace-slow-3g.png") });
            await Task.Delay(200); // the last loadingFinished events
            return (paint, Interlocked.Read(ref bytes));
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
