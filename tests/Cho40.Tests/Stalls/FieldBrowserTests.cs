using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Microsoft.Playwright;
using static Cho40.Tests.Stalls.FieldTestData;

namespace Cho40.Tests.Stalls;

/// <summary>
/// The "done when", in Debian's Chromium on a 360×640 phone: a new stallholder signs in, lands on her stall, types
/// "120k", sees it in words, shows the QR and hears the payment (no Vietnamese voice here: the recorded clips, in order);
/// offline she still opens her stall and types a cash sale, stored once when back online however often it is sent; a
/// cooperative member records a harvest with a photo offline and it appears once, with its capture time; no stall page
/// scrolls sideways at 360 px or at 200 %.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class FieldBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private Cho40App App => fixture.App;

    /// <summary>Records every clip the page's audio player is asked to play (the instrumented player).</summary>
    private const string RecordPlayedClips = """
        window.__played = [];
        (function () {
          var play = HTMLMediaElement.prototype.play;
          HTMLMediaElement.prototype.play = function () { window.__played.push(this.src || this.currentSrc); return play.apply(this, arguments); };
        })();
        """;

    private async Task<IPage> PhoneAsync(int width = 360, int height = 640)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "vi-VN",
            ServiceWorkers = ServiceWorkerPolicy.Allow, IsMobile = true, HasTouch = true,
            // Playwright's string predicates are evaluated with eval, which the site's CSP (rightly) forbids.
            BypassCSP = true,
        });
        await context.AddInitScriptAsync(RecordPlayedClips);
        return await context.NewPageAsync();
    }

    private static async Task SignInAsync(IPage page, string phone, string password)
    {
        await page.GotoAsync("/Account/SignIn");
        await page.FillAsync("#Input_Phone", phone);
        await page.FillAsync("#Input_Password", password);
        await page.ClickAsync("main form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/Account/SignIn", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> PlayedClipsAsync(IPage page) =>
        (await page.EvaluateAsync<string[]>("window.__played")).Where(u => !u.Contains("silence", StringComparison.Ordinal))
            .Select(u => u[(u.LastIndexOf('/') + 1)..].Replace(".opus", "", StringComparison.Ordinal)).ToList();

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, name + ".png") });

    /// <summary>The service worker controls the page and has this page in its cache (reloaded through it once).</summary>
    private static async Task InstalledAsync(IPage page)
    {
        await page.WaitForFunctionAsync("navigator.serviceWorker.ready.then(() => true)", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        if (!await page.EvaluateAsync<bool>("!!navigator.serviceWorker.controller")) await page.ReloadAsync();
        await page.WaitForFunctionAsync("!!navigator.serviceWorker.controller", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then(c => c.keys())))).then(all => all.flat().some(r => r.url === location.href))",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
    }

    [Fact]
    public async Task A_new_stallholder_signs_in_lands_on_her_stall_types_120k_sees_it_in_words_shows_the_QR_and_hears_the_payment_clip_by_clip()
    {
        var phone = NewPhone();
        var owner = await UserAsync(App, phone, "Bà Thắm", Roles.Stallholder);
        var account = NewAccount();
        var stall = await StallAsync(App, owner, account);
        var page = await PhoneAsync();

        await SignInAsync(page, phone, Password);
        Assert.EndsWith($"/Stall/{stall}/Screen", page.Url, StringComparison.Ordinal);

        await page.ClickAsync("a.button:has-text('Thu tiền')");
        await page.FillAsync("#Amount", "120k");
        await page.ClickAsync("form.charge-form button[type=submit]");
        Assert.Equal("120.000 ₫ — Một trăm hai mươi nghìn đồng", (await page.TextContentAsync("#confirm-amount"))!.Trim());
        await ScreenshotAsync(page, "field-charge-confirm-360");
        await page.ClickAsync("#confirm-create");
        await page.WaitForSelectorAsync("#charge-screen");
        await page.WaitForFunctionAsync("document.querySelector('.charge-qr').complete && document.querySelector('.charge-qr').naturalWidth > 0");
        await page.WaitForSelectorAsync("#live-status[data-state=open]", new PageWaitForSelectorOptions { Timeout = 10_000 });

        // Amount, QR and live status on one 360×640 screen, no sideways scroll.
        foreach (var selector in new[] { ".charge-amount", ".charge-qr", "#charge-status" })
        {
            var box = (await page.QuerySelectorAsync(selector))!;
            var bounds = (await box.BoundingBoxAsync())!;
            Assert.True(bounds.Y >= 0 && bounds.Y + bounds.Height <= 640, $"{selector} at {bounds.Y}+{bounds.Height} is off the 640 px screen");
        }
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await ScreenshotAsync(page, "field-charge-qr-360");

        // One tap turns sound on and says the test phrase; no Vietnamese voice here, so clips.
        if (await page.GetAttributeAsync("#sound-control", "data-state") != "on") await page.ClickAsync("#sound-control");
        Assert.Equal(("on", "clips"), (await page.GetAttributeAsync("#sound-control", "data-state"), await page.GetAttributeAsync("#sound-control", "data-mode")));
        await page.WaitForFunctionAsync("window.__played.some(u => u.indexOf('da-bat-am-thanh') >= 0)");
        await page.EvaluateAsync("window.__played = []");

        var reference = await ScalarAsync<string>(App, "SELECT reference FROM payment_requests WHERE stall_id = @stall", new { stall });
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        var delivered = await http.SendAsync(StallTestData.SignedDelivery(App, "sepay", StallTestData.NewTransactionId(), account, 120_000,
            $"MBVCB.123.C40 {reference}.CT tu NGUYEN VAN A"));
        Assert.True(delivered.IsSuccessStatusCode);
        await page.WaitForSelectorAsync("#charge-status.status-paid", new PageWaitForSelectorOptions { Timeout = 5000 });
        await page.WaitForFunctionAsync("window.__played.filter(u => u.indexOf('silence') < 0).length >= 7", null,
            new PageWaitForFunctionOptions { Timeout = 15_000 });
        Assert.Equal(["da-nhan", "mot", "tram", "hai", "muoi-ngang", "nghin", "dong"], await PlayedClipsAsync(page));
        Assert.Equal("ĐÃ NHẬN ĐỦ TIỀN", (await page.TextContentAsync("#charge-status"))!.Trim());
        await ScreenshotAsync(page, "field-charge-paid-360");
    }

    [Fact]
    public async Task Offline_she_opens_her_stall_screen_types_a_cash_sale_and_it_is_stored_once_when_back_online_however_often_it_is_sent()
    {
        var phone = NewPhone();
        var owner = await UserAsync(App, phone, "Bà Thắm", Roles.Stallholder);
        var stall = await StallAsync(App, owner, NewAccount());
        var page = await PhoneAsync();
        await SignInAsync(page, phone, Password);
        await page.GotoAsync($"/Stall/{stall}/Screen");
        await InstalledAsync(page);

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync(); // from the phone's cache
        await page.WaitForSelectorAsync("#stall-screen");
        await page.WaitForSelectorAsync("#live-status[data-state=lost]", new PageWaitForSelectorOptions { Timeout = 10_000 });
        await page.FillAsync("#CashAmount", "50k");
        await page.ClickAsync("#cash-form button[type=submit]");
        await page.WaitForSelectorAsync(".outbox:not([hidden]) li.outbox-item", new PageWaitForSelectorOptions { Timeout = 10_000 });
        Assert.Contains("chờ gửi", await page.TextContentAsync("#cash-note"));
        await ScreenshotAsync(page, "field-offline-cash-360");
        Assert.Equal(1, await page.EvaluateAsync<int>("Cho40Outbox.all().then(items => { window.__waiting = items[0]; return items.length; })"));
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE stall_id = @stall", new { stall }));

        // The static sign and the audio clips open offline too (the sign page was kept when the screen was opened).
        var signPage = await page.Context.NewPageAsync();
        await signPage.GotoAsync($"/Stall/{stall}/Sign");
        await signPage.WaitForFunctionAsync("[...document.images].some(i => i.src.indexOf('handler=Png') >= 0 && i.complete && i.naturalWidth > 0)",
            null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        Assert.True(await signPage.EvaluateAsync<bool>("fetch('/audio/vi/trieu.opus').then(r => r.ok && r.headers.get('content-type').indexOf('audio') === 0)"));
        await signPage.CloseAsync();

        await page.Context.SetOfflineAsync(false);
        await page.WaitForSelectorAsync(".outbox[hidden]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 20_000 });
        await page.WaitForSelectorAsync("#live-status[data-state=back]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        await page.WaitForSelectorAsync("#payments .payment-amount:has-text('50.000')", new PageWaitForSelectorOptions { Timeout = 10_000 });

        // The same item sent again (a phone that did not hear the answer): the server stores it once.
        for (var i = 0; i < 3; i++)
        {
            var answer = await page.EvaluateAsync<string>("""
                () => { const item = window.__waiting; const body = new FormData(); Object.keys(item.fields).forEach(k => body.append(k, item.fields[k]));
                  return fetch(item.url, { method: 'POST', body, headers: { Accept: 'application/json' } }).then(r => r.json()).then(a => a.status); }
                """);
            Assert.Equal("duplicate", answer);
        }
        Assert.Equal(1L, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE stall_id = @stall", new { stall }));
        Assert.Equal(50_000L, await ScalarAsync<long>(App, "SELECT amount_vnd FROM stall_payments WHERE stall_id = @stall", new { stall }));
    }

    [Fact]
    public async Task The_stall_screen_says_when_the_connection_is_lost_and_catches_up_with_what_arrived_meanwhile()
    {
        var phone = NewPhone();
        var owner = await UserAsync(App, phone, "Bà Thắm", Roles.Stallholder);
        var account = NewAccount();
        var stall = await StallAsync(App, owner, account);
        var page = await PhoneAsync();
        await SignInAsync(page, phone, Password);
        await page.WaitForSelectorAsync("#live-status[data-state=open]", new PageWaitForSelectorOptions { Timeout = 10_000 });

        await page.Context.SetOfflineAsync(true);
        await page.WaitForSelectorAsync("#live-status[data-state=lost]", new PageWaitForSelectorOptions { Timeout = 10_000 });
        Assert.Equal("Mất kết nối — đang thử lại…", (await page.TextContentAsync("#live-status"))!.Trim());
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        Assert.True((await http.SendAsync(StallTestData.SignedDelivery(App, "sepay", StallTestData.NewTransactionId(), account, 64_000, "ck"))).IsSuccessStatusCode);

        await page.Context.SetOfflineAsync(false);
        await page.WaitForSelectorAsync("#live-status[data-state=back]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.Equal("Đã kết nối lại — đã cập nhật", (await page.TextContentAsync("#live-status"))!.Trim());
        await page.WaitForSelectorAsync("#payments .payment-amount:has-text('64.000')", new PageWaitForSelectorOptions { Timeout = 10_000 });
        Assert.Contains("64.000", await page.TextContentAsync("#total-qr"));
    }

    [Fact]
    public async Task A_member_records_a_harvest_with_a_photo_offline_and_it_appears_once_on_the_trace_page_with_its_capture_time()
    {
        var lot = "F" + NewPhone()[2..];
        var batch = await ScalarAsync<long>(App, """
            INSERT INTO trace_batches (product_id, lot_code, code, quantity, unit, produced_on, note)
            SELECT p.id, @lot, @code, 50, 'kg', current_date, '' FROM products p JOIN sellers s ON s.id = p.seller_id
            WHERE s.slug = 'htx-che-tan-cuong' ORDER BY p.id LIMIT 1
            RETURNING id
            """, new { lot, code = TraceCode.NewBatchCode() });
        var code = await ScalarAsync<string>(App, "SELECT code FROM trace_batches WHERE id = @batch", new { batch });
        var page = await PhoneAsync();
        await SignInAsync(page, "0900000003", "cho40-demo");
        await page.GotoAsync($"/Seller/Trace/Batch/{batch}");
        await InstalledAsync(page);

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#event-form");
        await page.CheckAsync("input[name='Input.Kind'][value=harvest]");
        await page.FillAsync("#Input_OccurredAt", "2026-11-20T06:45");
        await page.SetInputFilesAsync("#photos", new FilePayload { Name = "hai-che.png", MimeType = "image/png", Buffer = PhotoPng(1200, 900) });
        await page.ClickAsync("#event-form button[type=submit].primary");
        await page.WaitForSelectorAsync("#outbox:not([hidden]) li.outbox-item", new PageWaitForSelectorOptions { Timeout = 15_000 });
        Assert.Contains("06:45", await page.TextContentAsync("#outbox li.outbox-item"));
        await ScreenshotAsync(page, "field-trace-outbox-360");
        // Resized on the phone before it waits: at most 1600 px, WebP (or JPEG).
        var storedType = await page.EvaluateAsync<string>("Cho40Outbox.all().then(i => i[0].files[0].blob.type)");
        Assert.Contains(storedType, new[] { "image/webp", "image/jpeg" });
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM trace_events WHERE batch_id = @batch", new { batch }));

        // Back online: the outbox sends it by itself (and the page shows the timeline with it).
        await page.Context.SetOfflineAsync(false);
        await WaitForAsync(async () => await ScalarAsync<long>(App, "SELECT count(*) FROM trace_events WHERE batch_id = @batch", new { batch }) == 1);
        await page.WaitForSelectorAsync(".timeline li", new PageWaitForSelectorOptions { Timeout = 15_000 });
        await page.WaitForSelectorAsync("#outbox[hidden]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        Assert.Equal(1L, await ScalarAsync<long>(App, "SELECT count(*) FROM trace_events WHERE batch_id = @batch AND kind = 'harvest'", new { batch }));
        Assert.Equal(new DateTime(2026, 11, 19, 23, 45, 0, DateTimeKind.Utc),
            await ScalarAsync<DateTime>(App, "SELECT occurred_at FROM trace_events WHERE batch_id = @batch", new { batch }));
        Assert.Equal(1L, await ScalarAsync<long>(App, """
            SELECT count(*) FROM trace_event_photos ph JOIN trace_events e ON e.id = ph.event_id WHERE e.batch_id = @batch
            """, new { batch }));

        var visitor = await fixture.NewPageAsync();
        await visitor.GotoAsync($"/t/{code}");
        var timeline = await visitor.QuerySelectorAllAsync(".timeline li");
        var withTime = 0;
        foreach (var li in timeline)
            if ((await li.TextContentAsync())!.Contains("20/11/2026 06:45", StringComparison.Ordinal)) withTime++;
        Assert.Equal(1, withTime);
    }

    [Fact]
    public async Task No_stall_page_scrolls_sideways_at_360_px_or_at_200_percent_zoom()
    {
        var phone = NewPhone();
        var owner = await UserAsync(App, phone, "Bà Nguyễn Thị Thắm Ngọc Lan", Roles.Stallholder);
        var stall = await StallAsync(App, owner, NewAccount());
        var payments = App.Services.GetService(typeof(Db.Payments)) as Db.Payments;
        await payments!.LogCashAsync(stall, 1_234_000, App.Clock.GetUtcNow(), owner, (_, _, _, _, _) => Task.CompletedTask, Guid.NewGuid());
        var problems = new List<string>();
        // 200 % zoom on a 360 px phone lays the page out in 180 CSS px.
        foreach (var (width, height) in new[] { (360, 640), (180, 320) })
        {
            var page = await PhoneAsync(width, height);
            await SignInAsync(page, phone, Password);
            await page.GotoAsync($"/Stall/{stall}/Charge?so-tien=1234000");
            await page.ClickAsync("#confirm-create");
            await page.WaitForSelectorAsync("#charge-screen");
            var qrPage = new Uri(page.Url).PathAndQuery;
            string[] urls = ["/Stall", $"/Stall/{stall}/Screen", $"/Stall/{stall}/Charge", $"/Stall/{stall}/Charge?so-tien=1234000", qrPage,
                $"/Stall/{stall}/Sign", $"/Stall/{stall}/CheckSign", $"/Stall/{stall}/Reports", $"/Stall/Edit/{stall}", "/Stall/Edit", "/Stall/Activate"];
            foreach (var url in urls)
            {
                await page.GotoAsync(url);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new PageWaitForLoadStateOptions { Timeout = 5000 }).ContinueWith(_ => { });
                var (scroll, inner) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
                if (scroll > inner) problems.Add($"{url} at {width} px: {scroll} px wide");
            }
            await page.GotoAsync($"/Stall/{stall}/Screen");
            await ScreenshotAsync(page, $"field-stall-screen-{width}");
            await page.Context.CloseAsync();
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("condition not met in 20 s");
            await Task.Delay(200);
        }
    }

    /// <summary>A photo as a phone camera would take it (larger than what is sent), drawn with SkiaSharp.</summary>
    private static byte[] PhotoPng(int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap))
        {
            canvas.Clear(new SkiaSharp.SKColor(0x2e, 0x7d, 0x32));
            using var paint = new SkiaSharp.SKPaint { Color = new SkiaSharp.SKColor(0xf0, 0xb4, 0x00) };
            canvas.DrawCircle(width / 2f, height / 2f, height / 3f, paint);
        }
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
