using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Payments;
using Cho40.Tests.Reports;
using Cho40.Web.Pages.Stall;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Stalls.FieldTestData;

namespace Cho40.Tests.Stalls;

/// <summary>
/// The stall and the field over real HTTP on a real database: the amount read back before a QR, cash sales stored once
/// however often they are sent, voids and what reports make of them, trace events sent twice, role landing, the helper's
/// list and the stallholder's guide.
/// </summary>
public sealed class FieldConditionsTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(PageClient Client, long StallId, long UserId)> StallholderAsync()
    {
        var phone = NewPhone();
        var userId = await UserAsync(app, phone, "Nguyễn Thị Thắm", Roles.Stallholder);
        var stallId = await StallAsync(app, userId, NewAccount());
        var client = app.NewClient();
        await client.SignInAsync(phone, Password);
        return (client, stallId, userId);
    }

    [Fact]
    public async Task Thu_tien_reads_the_amount_back_in_figures_and_words_before_any_QR_and_refuses_what_could_mean_two_amounts()
    {
        var (client, stallId, _) = await StallholderAsync();

        // "120.000,00" once made a QR for 12.000.000 ₫: now it is refused with both readings, and nothing is created.
        var refused = await client.SubmitFormAsync($"/Stall/{stallId}/Charge", "form.charge-form", new Dictionary<string, string> { ["Amount"] = "120.000,00" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await PageClient.ParseAsync(refused);
        Assert.Contains("120.000 ₫ hoặc 12.000.000 ₫", page.QuerySelector("#amount-error")!.TextContent);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM payment_requests WHERE stall_id = @stallId", new { stallId }));

        // "120k" → the confirm step (a plain GET), with the amount in figures and words and a way to correct it.
        var typed = await client.SubmitFormAsync($"/Stall/{stallId}/Charge", "form.charge-form", new Dictionary<string, string> { ["Amount"] = "120k" });
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        Assert.Equal($"/Stall/{stallId}/Charge?so-tien=120000", typed.Headers.Location!.OriginalString);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM payment_requests WHERE stall_id = @stallId", new { stallId }));
        var (_, confirm) = await client.GetPageAsync(typed.Headers.Location!.OriginalString);
        Assert.Equal("120.000 ₫ — Một trăm hai mươi nghìn đồng", confirm.QuerySelector("#confirm-amount")!.TextContent.Trim());
        Assert.Equal($"/Stall/{stallId}/Charge?nhap=120.000", confirm.QuerySelector("#confirm-correct")!.GetAttribute("href"));
        var (_, correcting) = await client.GetPageAsync($"/Stall/{stallId}/Charge?nhap=120.000");
        Assert.Equal("120.000", correcting.QuerySelector("#Amount")!.GetAttribute("value"));

        // Confirmed: the QR is for exactly that amount.
        var created = await client.SubmitAsync(confirm, "#charge-confirm form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var request = await app.Services.GetRequiredService<Db.Payments>().FindRequestAsync(
            long.Parse(created.Headers.Location!.OriginalString.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture), stallId);
        Assert.Equal(120_000, request!.AmountVnd);
        Assert.Equal(120_000, VietQrPayload.Parse(request.Payload).Value!.AmountVnd);

        // A forged confirm outside the field's bounds creates nothing.
        var forged = await client.SubmitAsync(confirm, "#charge-confirm form", new Dictionary<string, string> { ["AmountVnd"] = "500000000" });
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM payment_requests WHERE stall_id = @stallId", new { stallId }));
    }

    [Fact]
    public async Task A_cash_sale_sent_many_times_at_once_and_again_later_is_stored_exactly_once()
    {
        var (client, stallId, _) = await StallholderAsync();
        var (_, screen) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        var token = screen.QuerySelector("#cash-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var key = Guid.NewGuid().ToString();
        var soldAt = app.Clock.GetUtcNow().AddMinutes(-20).ToString("O");

        async Task<(HttpStatusCode Status, string Body)> SendAsync()
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, $"/Stall/{stallId}/Screen?handler=Cash")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["CashAmount"] = "35k", ["IdempotencyKey"] = key, ["SoldAt"] = soldAt, ["__RequestVerificationToken"] = token,
                }),
            };
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.Http.SendAsync(message);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendAsync()));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        var statuses = answers.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("status").GetString()).ToList();
        Assert.Equal(1, statuses.Count(s => s == "stored"));
        Assert.Equal(5, statuses.Count(s => s == "duplicate"));
        var again = await SendAsync(); // the phone retries later
        Assert.Equal("duplicate", JsonDocument.Parse(again.Body).RootElement.GetProperty("status").GetString());

        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM stall_payments WHERE stall_id = @stallId AND method = 'cash'", new { stallId }));
        var (amount, occurred) = (await ScalarAsync<long>(app, "SELECT amount_vnd FROM stall_payments WHERE stall_id = @stallId", new { stallId }),
            await ScalarAsync<DateTime>(app, "SELECT occurred_at FROM stall_payments WHERE stall_id = @stallId", new { stallId }));
        Assert.Equal(35_000, amount);
        // It counts when it was typed on the phone, not when it arrived.
        Assert.Equal(app.Clock.GetUtcNow().AddMinutes(-20).UtcDateTime, occurred, TimeSpan.FromSeconds(1));

        // A refused amount is a problem+json the phone shows; nothing is stored.
        key = Guid.NewGuid().ToString();
        using var bad = new HttpRequestMessage(HttpMethod.Post, $"/Stall/{stallId}/Screen?handler=Cash")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["CashAmount"] = "12,5", ["IdempotencyKey"] = key, ["__RequestVerificationToken"] = token }),
        };
        bad.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var refused = await client.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));

        // Without JavaScript the form carries a key of its own: a double submit of one form is one sale.
        var form = new Dictionary<string, string> { ["CashAmount"] = "20.000" };
        var first = await client.SubmitAsync(screen, "#cash-form", form);
        var second = await client.SubmitAsync(screen, "#cash-form", form);
        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        Assert.Equal(2L, await ScalarAsync<long>(app, "SELECT count(*) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));
    }

    [Fact]
    public async Task A_cash_sale_typed_by_mistake_is_voided_the_same_day_kept_with_who_and_when_and_left_out_of_totals_and_reports()
    {
        var day = ReportTestData.Day.AddDays(40);
        app.Clock.Set(ReportTestData.StartOf(day).AddHours(9));
        var (client, stallId, userId) = await StallholderAsync();
        var (_, screen) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        await client.SubmitAsync(screen, "#cash-form", new Dictionary<string, string> { ["CashAmount"] = "50k" });
        (_, screen) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        await client.SubmitAsync(screen, "#cash-form", new Dictionary<string, string> { ["CashAmount"] = "500k" }); // meant 50k
        var mistake = await ScalarAsync<long>(app, "SELECT id FROM stall_payments WHERE stall_id = @stallId AND amount_vnd = 500000", new { stallId });
        var qr = await ReportTestData.PaymentAsync(app, stallId, "qr", 70_000, app.Clock.GetUtcNow().AddMinutes(-5), app.Clock.GetUtcNow().AddMinutes(-5));

        (_, screen) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        Assert.Contains("620.000", screen.QuerySelector("#total-all")!.TextContent);
        Assert.Null(screen.QuerySelector($"li[data-id='{qr}'] details.void")); // only cash can be voided
        var voided = await client.SubmitAsync(screen, $"li[data-id='{mistake}'] details.void form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, voided.StatusCode);
        Assert.Equal((userId, app.Clock.GetUtcNow().UtcDateTime), (await ScalarAsync<long>(app, "SELECT voided_by FROM stall_payments WHERE id = @mistake", new { mistake }),
            await ScalarAsync<DateTime>(app, "SELECT voided_at FROM stall_payments WHERE id = @mistake", new { mistake })));
        (_, screen) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        Assert.Contains("120.000", screen.QuerySelector("#total-all")!.TextContent);
        Assert.Contains("payment-voided", screen.QuerySelector($"li[data-id='{mistake}']")!.ClassName);

        // Voiding twice, a QR payment, or another stall's sale changes nothing.
        var payments = app.Services.GetRequiredService<Db.Payments>();
        Assert.Equal(VoidResult.AlreadyVoided, await payments.VoidCashAsync(stallId, mistake, userId, app.Clock.GetUtcNow(), NoNotify));
        Assert.Equal(VoidResult.NotAllowed, await payments.VoidCashAsync(stallId, qr, userId, app.Clock.GetUtcNow(), NoNotify));
        var (_, otherStall, _) = await StallholderAsync();
        Assert.Equal(VoidResult.NotFound, await payments.VoidCashAsync(otherStall, mistake, userId, app.Clock.GetUtcNow(), NoNotify));
        using var stranger = app.NewClient();
        await stranger.SignInAsync("0900000006");
        var (status, _) = await stranger.GetPageAsync($"/Stall/{stallId}/Screen");
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);

        // The next day the remaining cash sale can no longer be voided.
        var kept = await ScalarAsync<long>(app, "SELECT id FROM stall_payments WHERE stall_id = @stallId AND amount_vnd = 50000", new { stallId });
        app.Clock.Set(ReportTestData.StartOf(day.AddDays(1)).AddHours(8));
        Assert.Equal(VoidResult.NotAllowed, await payments.VoidCashAsync(stallId, kept, userId, app.Clock.GetUtcNow(), NoNotify));

        // The day's report leaves the void out.
        await app.ComputeAsync(day);
        var report = (await app.ReportQueries().FindAsync("stall", stallId, day))!;
        Assert.Equal((50_000L, 1, 70_000L), (report.CashVnd, report.CashCount, report.QrVnd));
    }

    [Fact]
    public async Task A_void_of_a_sale_an_issued_report_had_counted_is_late_data_in_the_next_report_and_the_issued_one_stays()
    {
        // A sale typed offline at 23:50 and sent at 00:05 is recorded before the night's report (00:15) and counted in it;
        // voided at 09:00 the same morning, it shows in the next report as a late void.
        var day = ReportTestData.Day.AddDays(60);
        var (_, stallId, userId) = await StallholderAsync();
        var payments = app.Services.GetRequiredService<Db.Payments>();
        var logged = await payments.LogCashAsync(stallId, 40_000, ReportTestData.StartOf(day.AddDays(1)).AddMinutes(5), userId, NoNotify,
            Guid.NewGuid(), ReportTestData.StartOf(day.AddDays(1)).AddMinutes(-10));
        await app.ComputeAsync(day);
        var issued = (await app.ReportQueries().FindAsync("stall", stallId, day))!;
        Assert.Equal(40_000, issued.CashVnd);

        Assert.Equal(VoidResult.Voided, await payments.VoidCashAsync(stallId, logged.Payment.Id, userId,
            ReportTestData.StartOf(day.AddDays(1)).AddHours(9), NoNotify));
        await app.ComputeAsync(day.AddDays(1));
        Assert.Equal(issued, await app.ReportQueries().FindAsync("stall", stallId, day));
        var next = (await app.ReportQueries().FindAsync("stall", stallId, day.AddDays(1)))!;
        Assert.Equal((0L, 1, -40_000L), (next.CashVnd, next.LateCount, next.LateVnd));
        var late = Assert.Single(await app.ReportQueries().LateItemsAsync(next.Id));
        Assert.Equal((logged.Payment.Id, "void", day, -40_000L), (late.StallPaymentId, late.Kind, late.OriginalDay, late.AmountVnd));
        await app.ComputeAsync(day.AddDays(2));
        Assert.Equal(0, (await app.ReportQueries().FindAsync("stall", stallId, day.AddDays(2)))!.LateCount);

        // A sale voided before any report counted it is in none, not even as late.
        var day2 = day.AddDays(10);
        var unseen = await payments.LogCashAsync(stallId, 25_000, ReportTestData.StartOf(day2).AddHours(10), userId, NoNotify, Guid.NewGuid());
        await payments.VoidCashAsync(stallId, unseen.Payment.Id, userId, ReportTestData.StartOf(day2).AddHours(11), NoNotify);
        await app.ComputeAsync(day2);
        await app.ComputeAsync(day2.AddDays(1));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM daily_report_late_items WHERE stall_payment_id = @id", new { id = unseen.Payment.Id }));
        Assert.Equal(0L, (await app.ReportQueries().FindAsync("stall", stallId, day2))!.CashVnd);
    }

    private static Task NoNotify(Npgsql.NpgsqlConnection c, Npgsql.NpgsqlTransaction t, long s, string w, CancellationToken ct) => Task.CompletedTask;

    [Theory]
    [InlineData("0900000001", "/Admin")]
    [InlineData("0900000002", "/Market")]
    [InlineData("0900000003", "/Seller")]
    [InlineData("0900000005", "/Stall")]
    [InlineData("0900000006", "/")]
    public async Task After_sign_in_each_role_lands_on_its_own_work(string phone, string landing)
    {
        using var client = app.NewClient();
        var response = await client.SubmitFormAsync("/Account/SignIn", "main form",
            new Dictionary<string, string> { ["Input.Phone"] = phone, ["Input.Password"] = "cho40-demo" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(landing, response.Headers.Location!.OriginalString);
        var (page, _) = await client.GetPageAsync(landing);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task A_stallholder_with_one_stall_lands_on_its_screen_one_with_several_on_the_list_and_a_return_url_still_wins()
    {
        var phone = NewPhone();
        var owner = await UserAsync(app, phone, "Bà Lụa", Roles.Stallholder);
        var stall = await StallAsync(app, owner, NewAccount());
        async Task<string> LandAsync(string? returnUrl = null)
        {
            using var client = app.NewClient();
            var response = await client.SubmitFormAsync("/Account/SignIn" + (returnUrl is null ? "" : "?ReturnUrl=" + Uri.EscapeDataString(returnUrl)), "main form",
                new Dictionary<string, string> { ["Input.Phone"] = phone, ["Input.Password"] = Password });
            return response.Headers.Location!.OriginalString;
        }
        Assert.Equal($"/Stall/{stall}/Screen", await LandAsync());
        Assert.Equal("/Stall/Edit", await LandAsync("/Stall/Edit"));
        await StallAsync(app, owner, NewAccount());
        Assert.Equal("/Stall", await LandAsync());
    }

    [Fact]
    public async Task People_who_sell_get_a_slim_header_with_their_own_links_only()
    {
        var (client, stallId, _) = await StallholderAsync();
        var (_, page) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        var header = page.QuerySelector("header.site-header.slim")!;
        var links = header.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("/Stall", links);
        Assert.DoesNotContain("/gio-hang", links);
        Assert.DoesNotContain("/search", links);
        Assert.NotNull(page.QuerySelector("link[rel=manifest]"));
        using var shopper = app.NewClient();
        await shopper.SignInAsync("0900000006");
        var (_, shop) = await shopper.GetPageAsync("/");
        Assert.Null(shop.QuerySelector("header.site-header.slim"));
    }

    [Fact]
    public async Task A_trace_event_sent_twice_with_its_key_is_stored_once_with_its_photo()
    {
        using var seller = app.NewClient();
        await seller.SignInAsync("0900000003");
        var batch = await ScalarAsync<long>(app, """
            SELECT b.id FROM trace_batches b JOIN products p ON p.id = b.product_id JOIN sellers s ON s.id = p.seller_id
            WHERE s.slug = 'htx-che-tan-cuong' ORDER BY b.id LIMIT 1
            """);
        var (_, page) = await seller.GetPageAsync($"/Seller/Trace/Batch/{batch}");
        var token = page.QuerySelector("#event-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var province = page.QuerySelector("#event-form select[name='Input.ProvinceCode'] option[selected]")?.GetAttribute("value")
                       ?? await ScalarAsync<string>(app, "SELECT code FROM provinces WHERE name = 'Thái Nguyên'");
        var key = Guid.NewGuid().ToString();
        var before = await ScalarAsync<long>(app, "SELECT count(*) FROM trace_events WHERE batch_id = @batch", new { batch });
        async Task<string> SendAsync()
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" }, { new StringContent(key), "IdempotencyKey" },
                { new StringContent("harvest"), "Input.Kind" }, { new StringContent("2026-11-20T06:30"), "Input.OccurredAt" },
                { new StringContent(province), "Input.ProvinceCode" }, { new StringContent("Đồi chè số 3"), "Input.Note" },
            };
            var photo = new ByteArrayContent(TinyPng());
            photo.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(photo, "photos", "hai-che.png");
            using var message = new HttpRequestMessage(HttpMethod.Post, $"/Seller/Trace/Batch/{batch}") { Content = form };
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await seller.Http.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
        }
        Assert.Equal("stored", await SendAsync());
        Assert.Equal("duplicate", await SendAsync());
        Assert.Equal(before + 1, await ScalarAsync<long>(app, "SELECT count(*) FROM trace_events WHERE batch_id = @batch", new { batch }));
        Assert.Equal(1L, await ScalarAsync<long>(app, """
            SELECT count(*) FROM trace_event_photos ph JOIN trace_events e ON e.id = ph.event_id WHERE e.idempotency_key = @key::uuid
            """, new { key }));
    }

    /// <summary>A 24×16 PNG drawn with SkiaSharp (the photo a phone would send, already resized).</summary>
    public static byte[] TinyPng()
    {
        using var bitmap = new SkiaSharp.SKBitmap(24, 16);
        bitmap.Erase(new SkiaSharp.SKColor(0x2e, 0x7d, 0x32));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Fact]
    public async Task A_helper_follows_the_stalls_they_set_up_and_prints_each_stallholder_a_guide_with_the_stalls_own_sign_QR()
    {
        var helperPhone = NewPhone();
        var helper = await UserAsync(app, helperPhone, "Tổ công nghệ số Phan Đình Phùng", Roles.DigitalHelper);
        var ownerPhone = NewPhone();
        var owner = await UserAsync(app, ownerPhone, "Bà Nguyễn Thị Năm", Roles.Stallholder);
        await ExecuteAsync(app, "UPDATE users SET last_signed_in_at = NULL WHERE id = @owner", new { owner }); // not activated yet
        var account = NewAccount();
        var stall = await StallAsync(app, owner, account, creatorId: helper);
        var sau = await UserAsync(app, NewPhone(), "Ông Sáu", Roles.Stallholder);
        await ExecuteAsync(app, "UPDATE users SET last_signed_in_at = NULL WHERE id = @sau", new { sau });
        var notStarted = await StallAsync(app, sau, NewAccount(), creatorId: helper, withBank: false);
        using var client = app.NewClient();
        await client.SignInAsync(helperPhone, Password);

        var (_, list) = await client.GetPageAsync("/Stall");
        string[] Done(long id) => list.QuerySelectorAll($"#helped-stalls li[data-stall='{id}'] .progress li.done").Select(li => li.GetAttribute("data-step")!).ToArray();
        Assert.Equal(["bank"], Done(stall));
        Assert.Empty(Done(notStarted));

        // She signs in, the helper prints her sign, and her first transfer arrives.
        await ExecuteAsync(app, "UPDATE users SET last_signed_in_at = now() WHERE id = @owner", new { owner });
        var sign = await client.Http.GetAsync($"/Stall/{stall}/Sign?handler=Pdf&paper=A6");
        Assert.Equal(HttpStatusCode.OK, sign.StatusCode);
        using var http = app.CreateClient();
        var delivered = await http.SendAsync(StallTestData.SignedDelivery(app, "sepay", StallTestData.NewTransactionId(), account, 30_000, "mua rau"));
        Assert.True(delivered.IsSuccessStatusCode);
        (_, list) = await client.GetPageAsync("/Stall");
        Assert.Equal(["activated", "bank", "sign", "payment"], Done(stall));

        // The guide: one A4 page, her stall, the three steps, and her sign's own QR.
        var guide = await client.Http.GetAsync($"/Stall/{stall}/Sign?handler=Guide");
        Assert.Equal(HttpStatusCode.OK, guide.StatusCode);
        Assert.Equal("application/pdf", guide.Content.Headers.ContentType!.MediaType);
        var pdf = await guide.Content.ReadAsByteArrayAsync();
        var text = await PdfTextAsync(pdf);
        foreach (var expected in new[] { "Hướng dẫn nhận tiền bằng mã QR", "Rau cô Thắm", "1. Đưa biển QR cho khách quét", "2. Thu tiền",
                     "3. Xem tiền trong ngày", ownerPhone, "NGUYEN THI THAM" })
            Assert.Contains(expected, text);
        Assert.Equal(1, text.Split('\f', StringSplitOptions.RemoveEmptyEntries).Count(p => p.Trim().Length > 0));
        var pages = await QrTools.PdfPagesAsync(pdf, dpi: 150);
        var decoded = await QrTools.DecodePngAsync(Assert.Single(pages));
        var payload = VietQrPayload.Parse(decoded).Value!;
        Assert.Equal((account, (long?)null), (payload.AccountNumber, payload.AmountVnd));
        Assert.Equal(StallSignData.StaticPayload(new StallBankAccount("970422", account, "account", "NGUYEN THI THAM")), decoded);

        // Nobody else gets her guide.
        using var stranger = app.NewClient();
        await stranger.SignInAsync("0900000005");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/Stall/{stall}/Sign?handler=Guide")).StatusCode);
    }

    [Fact]
    public async Task The_recorded_clips_match_the_spoken_words_exist_and_are_small()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "web", "wwwroot", "audio", "vi");
        var listed = File.ReadAllLines(Path.Combine(dir, "clips.tsv")).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => (l.Split('\t')[0], l.Split('\t')[1])).ToList();
        Assert.Equal(SpokenClips.Phrases.OrderBy(p => p.Id, StringComparer.Ordinal), listed.OrderBy(p => p.Item1, StringComparer.Ordinal));
        var files = listed.Select(l => new FileInfo(Path.Combine(dir, l.Item1 + ".opus"))).Append(new FileInfo(Path.Combine(dir, "silence.opus"))).ToList();
        Assert.All(files, f => Assert.True(f.Exists && f.Length > 300, f.Name));
        Assert.True(files.Sum(f => f.Length) < 400 * 1024, $"{files.Sum(f => f.Length)} bytes of clips");
        // Every word an amount can be spoken with has a clip: 1.234.000 is heard in full.
        Assert.Equal(["da-nhan", "mot", "trieu", "hai", "tram", "ba", "muoi-ngang", "tu", "nghin", "dong"],
            SpokenClips.For(VietnameseNumberWords.Received(1_234_000)));
        foreach (var amount in new long[] { 1, 15, 21, 105, 1005, 24_000, 499_999_999, 10_000_000 })
            Assert.Equal(VietnameseNumberWords.Of(amount).Split(' ').Length, SpokenClips.For(VietnameseNumberWords.Of(amount)).Count);
        var served = await app.CreateClient().GetAsync("/audio/vi/mot.opus");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task The_live_stream_catches_a_screen_up_on_reconnect_with_the_requests_state_and_the_days_totals()
    {
        var (client, stallId, userId) = await StallholderAsync();
        var payments = app.Services.GetRequiredService<Db.Payments>();
        var cash = await payments.LogCashAsync(stallId, 15_000, app.Clock.GetUtcNow(), userId, NoNotify, Guid.NewGuid());
        await payments.VoidCashAsync(stallId, cash.Payment.Id, userId, app.Clock.GetUtcNow(), NoNotify);
        var (_, confirm) = await client.GetPageAsync($"/Stall/{stallId}/Charge?so-tien=45000");
        var created = await client.SubmitAsync(confirm, "#charge-confirm form", new Dictionary<string, string>());
        var requestId = created.Headers.Location!.OriginalString.Split('/')[^1];

        using var response = await client.Http.GetAsync($"/Stall/{stallId}/Events?request={requestId}&last=0", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!seen.Contains("event: request") || !seen[^1].StartsWith("data:", StringComparison.Ordinal))
        {
            var line = await reader.ReadLineAsync(timeout.Token);
            if (line is null) break;
            if (line.StartsWith("event:", StringComparison.Ordinal) || line.StartsWith("data:", StringComparison.Ordinal)) seen.Add(line);
        }
        Assert.Contains("event: payment", seen); // replayed since ?last=0, with its void
        Assert.Contains(seen, l => l.StartsWith("data:", StringComparison.Ordinal) && l.Contains("\"voided\":true", StringComparison.Ordinal));
        var sync = seen[seen.IndexOf("event: sync") + 1];
        Assert.Contains($"\"voided\":[{cash.Payment.Id}]", sync);
        var request = seen[seen.IndexOf("event: request") + 1];
        Assert.Contains($"\"id\":{requestId}", request);
        Assert.Contains("\"status\":\"pending\"", request);
    }
}
