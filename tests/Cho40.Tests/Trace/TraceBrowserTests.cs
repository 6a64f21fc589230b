using Cho40.Tests.Infrastructure;
using Dapper;
using Microsoft.Playwright;
using Npgsql;

namespace Cho40.Tests.Trace;

[Trait("Speed", "Slow")]
public sealed class TraceBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_cooperative_records_a_batch_in_the_field_and_shoppers_scan_its_pack_codes()
    {
        // A cooperative member on a phone: new batch, harvest with a photo, drying, pack codes, label sheet.
        var member = await browser.NewPageAsync(phone: true);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        member.Console += (_, m) => seen.Enqueue("console " + m.Type + ": " + m.Text);
        member.Request += (_, r) => seen.Enqueue(r.Method + " " + r.Url);
        member.Response += (_, r) => seen.Enqueue(r.Status + " " + r.Url);
        await browser.SignInAsync(member, "0900000003");
        await member.GotoAsync("/Seller/Trace");
        await member.ClickAsync("a[href^='/Seller/Trace/New']");
        var lot = "B-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        await member.FillAsync("#Input_LotCode", lot);
        await member.FillAsync("#Input_Quantity", "50");
        await member.ClickAsync("main form button[type=submit]");
        await member.WaitForURLAsync(url => url.Contains("/Seller/Trace/Batch/", StringComparison.Ordinal));
        var batchUrl = new Uri(member.Url).AbsolutePath;
        var batchId = long.Parse(batchUrl.Split('/').Last());

        await member.CheckAsync("input[name='Input.Kind'][value=harvest]");
        await member.SetInputFilesAsync("#photos", new FilePayload { Name = "hai-che.png", MimeType = "image/png", Buffer = TraceTests.Png(800, 600) });
        await member.FillAsync("#Input_Note", "Hái một tôm hai lá");
        await member.ClickAsync("#event-form button.primary[type=submit]");
        // With JavaScript the event goes through the phone's outbox and the page reloads with the message. (The exact
        // words: the batch's own "Đã tạo lô … Hãy ghi các bước: thu hái, …" would match "Thu hái" before the reload.)
        await member.WaitForSelectorAsync(".flash:has-text('Đã ghi: Thu hái')");

        await member.CheckAsync("input[name='Input.Kind'][value=drying]");
        await member.ClickAsync("#event-form button.primary[type=submit]");
        try
        {
            await member.WaitForSelectorAsync(".flash:has-text('Đã ghi: Sao sấy')");
        }
        catch (TimeoutException e)
        {
            // What the phone showed and did: the flaky case needs more than "timeout".
            var main = await member.InnerTextAsync("main");
            throw new TimeoutException($"{e.Message}\n--- page ---\n{main}\n--- requests ---\n{string.Join("\n", seen)}", e);
        }
        Assert.Equal(2, await member.Locator(".timeline li").CountAsync());

        await member.FillAsync("#count", "3");
        await member.ClickAsync("#units-form button[type=submit]");
        await member.WaitForSelectorAsync(".flash:has-text('Đã tạo 3 mã')");

        var download = await member.RunAndWaitForDownloadAsync(() => member.ClickAsync("#labels-form button[type=submit]"));
        var pdfPath = Path.Combine(BrowserFixture.ArtifactsDirectory, "labels.pdf");
        await download.SaveAsAsync(pdfPath);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(pdfPath).AsSpan(0, 4)));

        string code, serial;
        await using (var connection = new NpgsqlConnection(browser.App.ConnectionString))
        {
            code = await connection.QuerySingleAsync<string>("SELECT code FROM trace_batches WHERE id = @batchId", new { batchId });
            serial = await connection.QuerySingleAsync<string>("SELECT serial FROM trace_units WHERE batch_id = @batchId ORDER BY id LIMIT 1", new { batchId });
        }

        // A shopper scans the first pack: Vietnamese first, then English through the language link.
        var shopper = await browser.NewPageAsync(phone: true, javaScript: false);
        await shopper.GotoAsync($"/t/{code}/{serial}");
        Assert.Equal("vi", await shopper.GetAttributeAsync("html", "lang"));
        Assert.Contains("lần quét đầu tiên", await shopper.InnerTextAsync(".trace-unit"));
        Assert.Equal(["Thu hái", "Sao sấy"], await shopper.Locator(".timeline h3").AllInnerTextsAsync());
        string photos;
        await using (var connection = new NpgsqlConnection(browser.App.ConnectionString))
            photos = string.Join("; ", await connection.QueryAsync<string>(
                "SELECT e.kind || ':' || count(ph.sha256) FROM trace_events e LEFT JOIN trace_event_photos ph ON ph.event_id = e.id WHERE e.batch_id = @batchId GROUP BY e.id, e.kind ORDER BY e.id",
                new { batchId }));
        Assert.True(await shopper.Locator(".photos img").CountAsync() == 1, "photos per event: " + photos);
        Assert.True(await shopper.EvaluateAsync<bool>("document.querySelector('.photos img').complete && document.querySelector('.photos img').naturalWidth > 0"));
        await shopper.ClickAsync("a[hreflang=en]");
        Assert.Equal("en", await shopper.GetAttributeAsync("html", "lang"));
        Assert.Equal(["Harvest", "Drying"], await shopper.Locator(".timeline h3").AllInnerTextsAsync());
        await shopper.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "trace-en-phone.png"), FullPage = true });

        // A second device scanning the same pack code is told it was scanned before.
        var second = await browser.NewPageAsync(phone: true);
        await second.GotoAsync($"/t/{code}/{serial}");
        Assert.Contains("đã được quét lúc", await second.InnerTextAsync(".trace-unit .already"));
    }
}
