using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Pages.Trace;
using Cho40.Web.Printing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Npgsql;
using SkiaSharp;

namespace Cho40.Tests.Trace;

/// <summary>Traceability against the real app and its demo data (db/seed/demo-trace.sql).</summary>
public sealed class TraceTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private const string DemoBatch = "TCDB25AQ";      // lot TC2025-A of the product with GTIN 08936042000017
    private const string DemoGtin = "08936042000017";
    private Cho40App App => fixture.App;

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }

    [Fact]
    public async Task The_trace_page_shows_product_producer_journey_and_only_valid_certificates_in_Vietnamese_and_English()
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync($"/t/{DemoBatch}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var page = await PageClient.ParseAsync(response);
        Assert.Equal("vi", page.DocumentElement.GetAttribute("lang"));
        Assert.Contains("HTX Chè Tân Cương", html);
        Assert.Contains("Xã Tân Cương", html);
        Assert.Contains("TC2025-A", html);
        Assert.Contains("Hành trình sản phẩm", html);
        var steps = page.QuerySelectorAll(".timeline h3").Select(h => h.TextContent).ToList();
        Assert.Equal(["Chăm sóc", "Thu hái", "Làm héo", "Vò chè", "Sao sấy", "Đóng gói", "Kiểm nghiệm"], steps);
        Assert.Contains("VietGAP-TT-19-01-0042", html);
        Assert.DoesNotContain("ORG-2021-0099", html); // expired certificate
        var buy = page.QuerySelector("a.button.primary")!.GetAttribute("href")!;
        Assert.StartsWith("/san-pham/", buy);
        Assert.Empty(page.QuerySelectorAll("script"));
        Assert.Empty(page.QuerySelectorAll("form"));
        Assert.Contains("public", response.Headers.CacheControl!.ToString());

        // Light: the page and its stylesheet together stay under 40 KB.
        var css = await client.Http.GetByteArrayAsync(page.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!);
        var size = System.Text.Encoding.UTF8.GetByteCount(html) + css.Length;
        Assert.True(size < 40 * 1024, $"trace page + CSS is {size} bytes");

        var english = await client.Http.GetAsync($"/t/{DemoBatch}?culture=en");
        var en = await PageClient.ParseAsync(english);
        Assert.Equal("en", en.DocumentElement.GetAttribute("lang"));
        Assert.Contains("The product's journey", en.Body!.TextContent);
        Assert.Equal(["Care", "Harvest", "Withering", "Rolling", "Drying", "Packaging", "Inspection"],
            en.QuerySelectorAll(".timeline h3").Select(h => h.TextContent).ToList());
        Assert.Contains("Valid certificates", en.Body.TextContent);
    }

    [Fact]
    public async Task A_mistyped_or_unknown_code_answers_404_without_guessing()
    {
        using var client = App.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/t/{DemoBatch.ToLowerInvariant()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/t/TCDB25AR")).StatusCode); // one character off
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/t/CTDB25AQ")).StatusCode); // two swapped
        var unknownButValid = "ZZZZZZZ" + Cho40.Db.Domain.TraceCode.CheckCharacter("ZZZZZZZ");
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/t/{unknownButValid}")).StatusCode);
    }

    [Fact]
    public async Task The_Digital_Link_resolver_answers_link_types_and_linksets()
    {
        using var client = App.NewClient();
        var dl = $"/01/{DemoGtin}/10/TC2025-A";
        var page = await client.Http.GetAsync(dl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("TC2025-A", await page.Content.ReadAsStringAsync());
        // GTIN-13 written without the leading zero resolves too.
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/01/8936042000017/10/TC2025-A")).StatusCode);

        var slug = await ScalarAsync<string>("SELECT slug FROM products WHERE gtin = @DemoGtin", new { DemoGtin });
        var pip = await client.Http.GetAsync(dl + "?linkType=gs1:pip");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, pip.StatusCode);
        Assert.Equal($"/san-pham/{slug}", pip.Headers.Location!.OriginalString);
        var traceability = await client.Http.GetAsync(dl + "?linkType=gs1:traceability");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, traceability.StatusCode);
        Assert.Equal($"/t/{DemoBatch}", traceability.Headers.Location!.OriginalString);

        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, dl + "?linkType=all"),
            new HttpRequestMessage(HttpMethod.Get, dl) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/linkset+json") } } },
        })
        {
            var linkset = await client.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, linkset.StatusCode);
            Assert.Equal("application/linkset+json", linkset.Content.Headers.ContentType!.MediaType);
            using var json = JsonDocument.Parse(await linkset.Content.ReadAsStringAsync());
            var set = json.RootElement.GetProperty("linkset")[0];
            Assert.EndsWith(dl, set.GetProperty("anchor").GetString());
            Assert.EndsWith($"/san-pham/{slug}", set.GetProperty("https://gs1.org/voc/pip")[0].GetProperty("href").GetString());
            Assert.EndsWith($"/t/{DemoBatch}", set.GetProperty("https://gs1.org/voc/traceability")[0].GetProperty("href").GetString());
        }

        // With a serial: the pack's page; its traceability link keeps the serial.
        var withSerial = await client.Http.GetAsync(dl + "/21/K7M4Q2XPCF?linkType=gs1:traceability");
        Assert.Equal($"/t/{DemoBatch}/K7M4Q2XPCF", withSerial.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync(dl + "/21/K7M4Q2XPCF")).StatusCode);

        var unknownSerial = "K7M4Q2XPZ" + Cho40.Db.Domain.TraceCode.CheckCharacter("K7M4Q2XPZ");
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync(dl + "/21/" + unknownSerial)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/01/08936042000018/10/TC2025-A")).StatusCode); // bad check digit
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/01/{DemoGtin}/10/NO-SUCH-LOT")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/01/04006381333931/10/TC2025-A")).StatusCode); // unknown GTIN
    }

    [Fact]
    public async Task Every_scan_of_a_batch_page_is_counted()
    {
        var before = await ScalarAsync<long>("SELECT COALESCE(sum(scans), 0)::bigint FROM trace_batch_scans s JOIN trace_batches b ON b.id = s.batch_id WHERE b.code = 'TCMC25BQ'");
        using var client = App.NewClient();
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/t/TCMC25BQ")).StatusCode);
        await App.Services.GetRequiredService<ScanCounter>().FlushAsync();
        var after = await ScalarAsync<long>("SELECT COALESCE(sum(scans), 0)::bigint FROM trace_batch_scans s JOIN trace_batches b ON b.id = s.batch_id WHERE b.code = 'TCMC25BQ'");
        Assert.Equal(before + 3, after);
    }

    [Fact]
    public async Task A_second_device_scanning_a_pack_code_sees_when_it_was_first_scanned_and_many_devices_raise_a_warning()
    {
        const string url = $"/t/{DemoBatch}/K7M4Q2XPAB";
        using var first = App.NewClient();
        var firstScan = await PageClient.ParseAsync(await first.Http.GetAsync(url));
        Assert.Contains("Đây là lần quét đầu tiên", firstScan.QuerySelector(".trace-unit")!.TextContent);
        var again = await PageClient.ParseAsync(await first.Http.GetAsync(url));
        Assert.Contains("Bạn đã quét mã này lần đầu lúc", again.QuerySelector(".trace-unit")!.TextContent);
        Assert.Null(again.QuerySelector(".trace-unit .already"));

        using var second = App.NewClient();
        var response = await second.Http.GetAsync(url);
        Assert.True(response.Headers.CacheControl!.NoStore);
        var secondScan = await PageClient.ParseAsync(response);
        Assert.Contains("đã được quét lúc", secondScan.QuerySelector(".trace-unit .already")!.TextContent);
        Assert.Null(secondScan.QuerySelector(".trace-unit .warning"));
        Assert.Equal(3, await ScalarAsync<int>("SELECT scan_count FROM trace_units WHERE serial = 'K7M4Q2XPAB'"));

        // More than SuspiciousDeviceCount (5) different devices: a likely copied code.
        for (var i = 0; i < 4; i++)
        {
            using var other = App.NewClient();
            await other.Http.GetAsync(url);
        }
        using var seventh = App.NewClient();
        var warned = await PageClient.ParseAsync(await seventh.Http.GetAsync(url));
        Assert.Contains("có thể đã bị sao chép", warned.QuerySelector(".trace-unit .warning")!.TextContent);
        Assert.Contains("thiết bị", warned.QuerySelector(".trace-unit .rule")!.TextContent);
    }

    [Fact]
    public async Task Scans_from_three_networks_within_the_window_count_as_far_apart()
    {
        var trace = App.Services.GetRequiredService<Cho40.Db.Trace>();
        var batchId = await ScalarAsync<long>($"SELECT id FROM trace_batches WHERE code = '{DemoBatch}'");
        var now = DateTimeOffset.UtcNow;
        var window = TimeSpan.FromHours(24);
        var a = await trace.ScanUnitAsync(batchId, "K7M4Q2XPDH", "device-a", "113.160.5.0/24", now.AddDays(-3), window);
        Assert.Equal(1, a!.RecentNetworks);
        var b = await trace.ScanUnitAsync(batchId, "K7M4Q2XPDH", "device-b", "14.232.1.0/24", now.AddHours(-2), window);
        Assert.Equal(1, b!.RecentNetworks); // the first scan is outside the window
        var c = await trace.ScanUnitAsync(batchId, "K7M4Q2XPDH", "device-c", "27.72.9.0/24", now.AddHours(-1), window);
        Assert.Equal(2, c!.RecentNetworks);
        var d = await trace.ScanUnitAsync(batchId, "K7M4Q2XPDH", "device-d", "42.118.3.0/24", now, window);
        Assert.Equal(3, d!.RecentNetworks);
        Assert.Equal(now.AddDays(-3).ToUnixTimeSeconds(), d.FirstScannedAt.ToUnixTimeSeconds());
        Assert.False(d.FirstDevice);
        Assert.Null(await trace.ScanUnitAsync(batchId, "K7M4Q2XPZZ", "device-a", "x", now, window));
    }

    [Fact]
    public async Task A_seller_cannot_see_or_add_to_another_sellers_batch()
    {
        var batchId = await ScalarAsync<long>($"SELECT id FROM trace_batches WHERE code = '{DemoBatch}'");
        var events = await ScalarAsync<long>("SELECT count(*) FROM trace_events WHERE batch_id = @batchId", new { batchId });
        var unitCount = await ScalarAsync<long>("SELECT count(*) FROM trace_units WHERE batch_id = @batchId", new { batchId });
        using var laBang = App.NewClient();
        await laBang.SignInAsync("0900000007");
        Assert.Equal(HttpStatusCode.NotFound, (await laBang.Http.GetAsync($"/Seller/Trace/Batch/{batchId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laBang.Http.GetAsync($"/Seller/Trace/Batch/{batchId}?handler=Labels")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laBang.Http.GetAsync($"/api/trace/batches/{batchId}/epcis")).StatusCode);

        // A forged POST with a valid antiforgery token from the user's own page.
        var (_, own) = await laBang.GetPageAsync("/Seller/Trace/New");
        var token = own.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var forged = await laBang.Http.PostAsync($"/Seller/Trace/Batch/{batchId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Kind"] = "harvest", ["Input.OccurredAt"] = "2025-05-01T08:00",
            ["Input.ProvinceCode"] = "19", ["Input.Note"] = "giả mạo",
        }));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        var units = await laBang.Http.PostAsync($"/Seller/Trace/Batch/{batchId}?handler=Units", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["count"] = "5",
        }));
        Assert.Equal(HttpStatusCode.NotFound, units.StatusCode);
        Assert.Equal(events, await ScalarAsync<long>("SELECT count(*) FROM trace_events WHERE batch_id = @batchId", new { batchId }));
        Assert.Equal(unitCount, await ScalarAsync<long>("SELECT count(*) FROM trace_units WHERE batch_id = @batchId", new { batchId }));

        using var anonymous = App.NewClient();
        var api = await anonymous.Http.GetAsync($"/api/trace/batches/{batchId}/epcis");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.Http.GetAsync($"/Seller/Trace/Batch/{batchId}")).StatusCode);
    }

    [Fact]
    public async Task A_member_creates_a_batch_and_records_an_event_with_a_photo_that_is_served_resized()
    {
        using var client = App.NewClient();
        await client.SignInAsync("0900000003");
        var (_, form) = await client.GetPageAsync("/Seller/Trace/New");
        // The product of the demo batch TC2025-A: that lot number again is refused next to the field, and nothing is created.
        var productId = (await ScalarAsync<long>("SELECT id FROM products WHERE gtin = @DemoGtin", new { DemoGtin })).ToString();
        Assert.NotNull(form.QuerySelector($"#Input_ProductId option[value='{productId}']"));
        var batches = await ScalarAsync<long>("SELECT count(*) FROM trace_batches");
        var duplicate = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.ProductId"] = productId, ["Input.LotCode"] = "TC2025-A", ["Input.Quantity"] = "12,5", ["Input.Unit"] = "kg",
            ["Input.ProducedOn"] = "2025-05-02",
        });
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Equal("Sản phẩm này đã có lô số TC2025-A.",
            (await PageClient.ParseAsync(duplicate)).QuerySelector("[data-valmsg-for='Input.LotCode']")!.TextContent.Trim());
        Assert.Equal(batches, await ScalarAsync<long>("SELECT count(*) FROM trace_batches"));

        var created = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.ProductId"] = productId, ["Input.LotCode"] = "T-" + Guid.NewGuid().ToString("N")[..8], ["Input.Quantity"] = "12,5",
            ["Input.Unit"] = "kg", ["Input.ProducedOn"] = "2025-05-02", ["Input.ExpiresOn"] = "2026-05-02",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var batchUrl = created.Headers.Location!.OriginalString;
        var batchId = long.Parse(batchUrl.Split('/').Last());
        Assert.Equal(12.5m, await ScalarAsync<decimal>("SELECT quantity FROM trace_batches WHERE id = @batchId", new { batchId }));

        var (_, batchPage) = await client.GetPageAsync(batchUrl);
        var token = batchPage.QuerySelector("#event-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        HttpResponseMessage Post(byte[] photo) => client.Http.PostAsync(batchUrl, new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("harvest"), "Input.Kind" },
            { new StringContent("2025-05-02T06:30"), "Input.OccurredAt" },
            { new StringContent("19"), "Input.ProvinceCode" },
            { new StringContent("05503"), "Input.CommuneCode" },
            { new StringContent("21.5712"), "Input.Latitude" },
            { new StringContent("105.7583"), "Input.Longitude" },
            { new StringContent("Nhóm hái chè"), "Input.Actor" },
            { new ByteArrayContent(photo), "photos", "hai-che.png" },
        }).GetAwaiter().GetResult();

        var notAnImage = Post("đây không phải ảnh"u8.ToArray());
        Assert.Equal(HttpStatusCode.OK, notAnImage.StatusCode);
        Assert.Contains("không phải là ảnh đọc được", await notAnImage.Content.ReadAsStringAsync());
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM trace_events WHERE batch_id = @batchId", new { batchId }));

        var saved = Post(Png(1600, 1200));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        var stored = await connection.QuerySingleAsync<(DateTime OccurredAt, string Sha256, int Width)>("""
            SELECT e.occurred_at, i.sha256, i.width FROM trace_events e JOIN trace_event_photos p ON p.event_id = e.id
            JOIN trace_images i ON i.sha256 = p.sha256 WHERE e.batch_id = @batchId
            """, new { batchId });
        Assert.Equal(new DateTime(2025, 5, 1, 23, 30, 0), stored.OccurredAt.ToUniversalTime()); // 06:30 in Vietnam
        Assert.Equal(1600, stored.Width);

        var thumb = await client.Http.GetAsync(TracePhotos.Url(stored.Sha256, 160));
        Assert.Equal("image/webp", thumb.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", thumb.Headers.CacheControl!.ToString());
        using var decoded = SKBitmap.Decode(await thumb.Content.ReadAsByteArrayAsync());
        Assert.Equal(160, decoded.Width);
        Assert.Equal(120, decoded.Height);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync(TracePhotos.Url(stored.Sha256, 999))).StatusCode);
    }

    [Fact]
    public async Task The_trace_pages_data_lists_an_events_photos_in_order_whoever_changes_them()
    {
        // Each event keeps its photo list (migration 0970, a trigger on trace_event_photos): a change made outside the app
        // (a reorder, a removal) must show on the public page too, not only photos added with the event.
        var trace = App.Services.GetRequiredService<Cho40.Db.Trace>();
        var userId = await ScalarAsync<long>("SELECT id FROM users WHERE phone = '0900000003'");
        var productId = await ScalarAsync<long>("SELECT id FROM products WHERE gtin = @DemoGtin", new { DemoGtin });
        var batchId = (await trace.CreateBatchAsync(userId, new Cho40.Db.NewBatch(productId, "P-" + Guid.NewGuid().ToString("N")[..8], 3m, "kg",
            new DateOnly(2025, 6, 1), null, "")))!.Value;
        var code = await ScalarAsync<string>("SELECT code FROM trace_batches WHERE id = @batchId", new { batchId });
        var photos = Enumerable.Range(0, 3).Select(_ =>
        {
            var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            return new Cho40.Db.TraceImage(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), 1, 1, data);
        }).ToList();
        Assert.NotNull(await trace.AddEventAsync(userId, batchId, new Cho40.Db.NewTraceEvent("harvest", DateTimeOffset.UtcNow.AddDays(-1),
            "19", "05503", null, null, "Nhóm hái", ""), photos));
        Assert.NotNull(await trace.AddEventAsync(userId, batchId, new Cho40.Db.NewTraceEvent("packaging", DateTimeOffset.UtcNow,
            "19", null, null, null, "", ""), []));

        // What the page is rendered from (the page itself may be answered from its output cache for a minute).
        async Task<string[][]> PhotosOnPageAsync() =>
            (await trace.PublicAsync(code, DateOnly.FromDateTime(DateTime.UtcNow)))!.Events
                .Select(e => e.Photos.Select(sha => photos.FindIndex(p => p.Sha256 == sha).ToString()).ToArray()).ToArray();
        Assert.Equal([["0", "1", "2"], []], await PhotosOnPageAsync());

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.ExecuteAsync("""
            UPDATE trace_event_photos SET sort_order = 2 - sort_order
            WHERE event_id = (SELECT id FROM trace_events WHERE batch_id = @batchId AND kind = 'harvest')
            """, new { batchId });
        Assert.Equal([["2", "1", "0"], []], await PhotosOnPageAsync());
        await connection.ExecuteAsync("DELETE FROM trace_event_photos WHERE sha256 = @Sha256", new { photos[1].Sha256 });
        Assert.Equal([["2", "0"], []], await PhotosOnPageAsync());
        await connection.ExecuteAsync("""
            UPDATE trace_event_photos SET event_id = (SELECT id FROM trace_events WHERE batch_id = @batchId AND kind = 'packaging')
            WHERE sha256 = @Sha256
            """, new { batchId, photos[0].Sha256 });
        Assert.Equal([["2"], ["0"]], await PhotosOnPageAsync());
    }

    [Fact]
    public async Task The_EPCIS_export_validates_against_the_EPCIS_2_schema()
    {
        var schema = await NJsonSchema.JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "Trace", "EPCIS-JSON-Schema.json"));
        var batchId = await ScalarAsync<long>($"SELECT id FROM trace_batches WHERE code = '{DemoBatch}'");
        using var client = App.NewClient();
        await client.SignInAsync("0900000003");
        var response = await client.Http.GetAsync($"/api/trace/batches/{batchId}/epcis");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType!.MediaType);
        var document = JObject.Parse(await response.Content.ReadAsStringAsync());

        Assert.Empty(Validate(schema, document));
        Assert.Equal("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", document["@context"]![0]!.ToString());
        var events = document["epcisBody"]!["eventList"]!.ToList();
        Assert.Equal(7, events.Count);
        var harvest = events.Single(e => e["bizStep"]?.ToString() == "commissioning" && e["type"]!.ToString() == "ObjectEvent");
        Assert.Equal("ADD", harvest["action"]!.ToString());
        var transformations = events.Where(e => e["type"]!.ToString() == "TransformationEvent").ToList();
        Assert.Equal(3, transformations.Count); // withering, rolling, drying
        Assert.EndsWith($"/01/{DemoGtin}/10/TC2025-A", transformations[0]["outputQuantityList"]![0]!["epcClass"]!.ToString());
        Assert.Equal("TC2025-A", transformations[0]["ilmd"]!["cbvmda:lotNumber"]!.ToString());
        Assert.NotNull(transformations[0]["ilmd"]!["cbvmda:itemExpirationDate"]);
        var packing = events.Single(e => e["bizStep"]?.ToString() == "packing");
        Assert.Equal(4, packing["epcList"]!.Count());
        Assert.Contains(events, e => e["bizStep"]?.ToString() == "inspecting");

        // The validator does catch mistakes: a bizStep outside the CBV, an event without eventTimeZoneOffset.
        var broken = (JObject)document.DeepClone();
        broken["epcisBody"]!["eventList"]![1]!["bizStep"] = "harvesting";
        ((JObject)broken["epcisBody"]!["eventList"]![2]!).Remove("eventTimeZoneOffset");
        Assert.Equal(2, Validate(schema, broken).Count);
    }

    /// <summary>
    /// The schema chooses the definition for a document and for each event with if/then, which NJsonSchema
    /// does not evaluate; apply the same choice here and validate against the chosen definitions.
    /// </summary>
    private static List<string> Validate(NJsonSchema.JsonSchema schema, JObject document)
    {
        var errors = schema.Definitions["epcisDocument"].Validate(document).Select(e => e.ToString()).ToList();
        foreach (var ev in document["epcisBody"]!["eventList"]!)
        {
            var type = ev["type"]!.ToString();
            errors.AddRange(schema.Definitions[type].Validate(ev).Select(e => $"{type}: {e}"));
        }
        return errors;
    }

    [Trait("Speed", "Slow")]
    [Theory]
    [InlineData("a4x24", 24)]
    [InlineData("a4x40", 40)]
    public async Task Every_QR_on_a_label_sheet_decodes_to_its_pack_address(string layout, int perPage)
    {
        using var client = App.NewClient();
        await client.SignInAsync("0900000003");
        var batchId = await ScalarAsync<long>("SELECT id FROM trace_batches WHERE code = 'TCNT25CM'");
        var (_, page) = await client.GetPageAsync($"/Seller/Trace/Batch/{batchId}");
        var units = await client.SubmitAsync(page, "#units-form", new Dictionary<string, string> { ["count"] = perPage.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, units.StatusCode);
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        var serials = (await connection.QueryAsync<string>("SELECT serial FROM trace_units WHERE batch_id = @batchId ORDER BY id LIMIT @perPage",
            new { batchId, perPage })).ToList();

        var pdf = await client.Http.GetAsync($"/Seller/Trace/Batch/{batchId}?handler=Labels&Layout={layout}&What=units");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        var layoutUsed = layout == "a4x24" ? LabelLayout.A4x24 : LabelLayout.A4x40;
        var decoded = await DecodePageAsync(await pdf.Content.ReadAsByteArrayAsync(), layoutUsed, perPage);
        // Label by label, in reading order, each QR holds its own pack's address.
        Assert.Equal(serials.Select(s => $"http://localhost/t/TCNT25CM/{s}").ToList(), decoded);
    }

    [Trait("Speed", "Slow")]
    [Fact]
    public async Task A_custom_label_grid_prints_the_batch_code_on_every_label_and_a_grid_too_big_for_A4_is_refused()
    {
        using var client = App.NewClient();
        await client.SignInAsync("0900000003");
        var batchId = await ScalarAsync<long>($"SELECT id FROM trace_batches WHERE code = '{DemoBatch}'");
        var pdf = await client.Http.GetAsync($"/Seller/Trace/Batch/{batchId}?handler=Labels&Layout=custom&What=batch&Count=12" +
                                             "&WidthMm=60&HeightMm=40&Columns=3&Rows=6&TopMm=10&LeftMm=10&GapXMm=3&GapYMm=3");
        var decoded = await DecodePageAsync(await pdf.Content.ReadAsByteArrayAsync(), new LabelLayout(60, 40, 3, 6, 10, 10, 3, 3), 12);
        Assert.Equal(12, decoded.Count);
        Assert.All(decoded, d => Assert.Equal($"http://localhost/01/{DemoGtin}/10/TC2025-A", d));

        var tooBig = await client.Http.GetAsync($"/Seller/Trace/Batch/{batchId}?handler=Labels&Layout=custom&WidthMm=80&HeightMm=40&Columns=3&Rows=8");
        Assert.Equal(HttpStatusCode.Redirect, tooBig.StatusCode);
    }

    /// <summary>
    /// Renders a page (the first unless told) at 300 dpi with pdftoppm, cuts it into the layout's labels and decodes
    /// each label with zbarimg: every label must hold exactly one readable code. Returns the codes in reading order.
    /// </summary>
    public static async Task<List<string>> DecodePageAsync(byte[] pdf, LabelLayout layout, int labels, int pageNumber = 1)
    {
        var dir = Directory.CreateTempSubdirectory("cho40-labels-");
        try
        {
            var pdfPath = Path.Combine(dir.FullName, "labels.pdf");
            await File.WriteAllBytesAsync(pdfPath, pdf);
            await RunAsync("pdftoppm", $"-r 300 -f {pageNumber} -l {pageNumber} -png {pdfPath} {Path.Combine(dir.FullName, "page")}");
            var png = Directory.GetFiles(dir.FullName, "page*.png").Single();
            using var page = SKBitmap.Decode(png);
            var pxPerMm = page.Width / LabelLayout.PageWidthMm;
            var result = new List<string>();
            for (var i = 0; i < labels; i++)
            {
                var x = layout.MarginLeftMm + i % layout.Columns * (layout.LabelWidthMm + layout.GapXMm);
                var y = layout.MarginTopMm + i / layout.Columns * (layout.LabelHeightMm + layout.GapYMm);
                var rect = SKRectI.Round(new SKRect((float)(x * pxPerMm), (float)(y * pxPerMm),
                    (float)((x + layout.LabelWidthMm) * pxPerMm), (float)((y + layout.LabelHeightMm) * pxPerMm)));
                rect.Intersect(new SKRectI(0, 0, page.Width, page.Height));
                using var label = new SKBitmap();
                Assert.True(page.ExtractSubset(label, rect));
                var labelPng = Path.Combine(dir.FullName, $"label{i}.png");
                using (var image = SKImage.FromBitmap(label))
                using (var data = image.Encode(SKEncodedImageFormat.Png, 100))
                    await File.WriteAllBytesAsync(labelPng, data.ToArray());
                var codes = (await RunAsync("zbarimg", $"--raw -q {labelPng}")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Assert.True(codes.Length == 1, $"label {i + 1} decoded to {codes.Length} codes");
                result.Add(codes[0]);
            }
            return result;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static async Task<string> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }

    public static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(40, 120, 60));
            using var paint = new SKPaint { Color = SKColors.Yellow };
            canvas.DrawCircle(width / 2f, height / 2f, height / 4f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 90).ToArray();
    }
}
