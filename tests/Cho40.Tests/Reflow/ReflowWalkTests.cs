using System.Net;
using System.Text.Json;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Security;
using Microsoft.Playwright;

namespace Cho40.Tests.Reflow;

/// <summary>
/// Every page reflows (WCAG 1.4.10): Chromium walks every GET endpoint of the app's own endpoint list — the security
/// sweep's table (<see cref="EndpointSweepTests.Table"/>), which must classify every endpoint — as every role allowed to
/// see it, and asserts that the document is no wider than the viewport at 360 CSS px (a phone) and at 180 CSS px
/// (200 % zoom of that phone, emulated as a 180 px viewport with deviceScaleFactor 2). The browser talks to the in-memory
/// app through a route: each role's requests go through that role's signed-in client of the <see cref="SecurityWorld"/>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ReflowWalkTests(SecurityWorld world) : IClassFixture<SecurityWorld>
{
    private const string Origin = "http://cho40.test";

    /// <summary>Endpoints that answer no page of ours: files, images, APIs, the Hangfire dashboard (a third party's UI).</summary>
    private static bool IsPage(string key) =>
        (key.StartsWith("GET ", StringComparison.Ordinal))
        && !key.Contains("?handler=", StringComparison.Ordinal)
        && !key.Contains("/api/", StringComparison.Ordinal)
        && !key.Contains(".webp", StringComparison.Ordinal)
        && !key.StartsWith("GET /bench/", StringComparison.Ordinal)
        && !key.EndsWith("/Events", StringComparison.Ordinal) // a live event stream, not a page
        && key != "GET /Culture" && key != "GET /Account/SignOut";

    [Fact]
    public async Task No_page_of_any_role_scrolls_sideways_at_360_px_or_at_200_percent_zoom()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        var failures = new List<string>();
        var checkedPages = 0;
        var pages = EndpointSweepTests.Table.Where(t => IsPage(t.Key)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        Assert.True(pages.Count >= 40, $"only {pages.Count} pages in the endpoint list");

        foreach (var role in Enum.GetValues<Role>())
        {
            var client = world.Clients[role];
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 360, Height = 640 }, DeviceScaleFactor = 2, Locale = "vi-VN", IsMobile = true,
            });
            await context.RouteAsync(Origin + "/**", route => ForwardAsync(route, client.Http));
            var page = await context.NewPageAsync();
            foreach (var (key, probes) in pages)
                foreach (var probe in probes.Where(p => p.Allowed.Contains(role)))
                {
                    var url = world.Fill(probe.Url);
                    IResponse? response;
                    try
                    {
                        response = await page.GotoAsync(Origin + url);
                    }
                    catch (PlaywrightException e) when (e.Message.StartsWith("Download is starting", StringComparison.Ordinal))
                    {
                        continue; // a file (CSV export), not a page
                    }
                    catch (PlaywrightException e)
                    {
                        failures.Add($"{role} {url}: {e.Message.Split('\n')[0]}");
                        continue;
                    }
                    if (response is null || response.Status != 200 || !(response.Headers.TryGetValue("content-type", out var type) && type.StartsWith("text/html", StringComparison.Ordinal)))
                        continue;
                    checkedPages++;
                    foreach (var width in new[] { 360, 180 })
                    {
                        await page.SetViewportSizeAsync(width, width * 16 / 9);
                        var m = await page.EvaluateAsync<JsonElement>(Measure);
                        var scroll = m.GetProperty("scroll").GetInt32();
                        var viewport = m.GetProperty("width").GetInt32();
                        if (scroll > viewport)
                            failures.Add($"{role} {url} at {width} px: document {scroll} px wide; widest: {m.GetProperty("worst").GetString()}");
                    }
                    await page.SetViewportSizeAsync(360, 640);
                }
        }
        Assert.True(checkedPages >= 100, $"only {checkedPages} pages were walked");
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedPages} pages scroll sideways:\n" + string.Join("\n", failures));
    }

    private const string Measure = """
        () => {
          const d = document.documentElement, w = d.clientWidth;
          let worst = '', max = w;
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > max + 0.5) {
              max = r.right;
              worst = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
                ' (' + Math.round(r.right) + ' px): ' + (el.textContent || '').trim().slice(0, 40);
            }
          }
          return { scroll: d.scrollWidth, width: w, worst };
        }
        """;

    /// <summary>
    /// Sends the browser's request to the in-memory app through the role's client and answers with its response. Redirects
    /// are followed here (Chromium does not route the second leg of a fulfilled redirect): the page shown is where it ends.
    /// </summary>
    private static async Task ForwardAsync(IRoute route, HttpClient http)
    {
        var request = route.Request;
        var path = new Uri(request.Url).PathAndQuery;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, path);
            if (request.Headers.TryGetValue("accept", out var accept)) message.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await http.SendAsync(message);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location && hop < 5)
            {
                path = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
                continue;
            }
            var headers = new Dictionary<string, string>();
            if (response.Content.Headers.ContentType is { } contentType) headers["content-type"] = contentType.ToString();
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = (int)response.StatusCode, Headers = headers, BodyBytes = await response.Content.ReadAsByteArrayAsync(),
            });
            return;
        }
    }
}
