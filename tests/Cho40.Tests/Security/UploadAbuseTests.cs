using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Catalog;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Security;

/// <summary>The app on a real Kestrel socket, so Kestrel's own request-size limits apply as in production.</summary>
public class KestrelAppFixture : IAsyncLifetime
{
    public Cho40App App { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    protected virtual Dictionary<string, string> Settings => new() { ["Cho40:SignInAttemptsPerMinute"] = "1000" };

    public async Task InitializeAsync()
    {
        App = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true), settings: Settings);
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
    }

    /// <summary>A cookie-keeping client over the socket that does not follow redirects.</summary>
    public PageClient NewClient(string? fromAddress = null)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        if (fromAddress is not null)
        {
            // Connect from another loopback address (127.0.0.x), i.e. another client IP as Kestrel sees it.
            handler.ConnectCallback = async (context, cancel) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(fromAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        }
        return new PageClient(new HttpClient(handler) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) });
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// Product photos, trace event photos, COD statements and listing imports refuse a wrong type (an executable, a PDF
/// or HTML renamed to an image or spreadsheet), a decompression-bomb PNG and a file over the limit, with a Vietnamese
/// message, without a memory spike and without storing anything.
/// </summary>
public sealed class UploadAbuseTests(KestrelAppFixture fixture) : IClassFixture<KestrelAppFixture>
{
    private static readonly byte[] Exe = [.. "MZ"u8.ToArray(), .. new byte[4000]];
    private static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();
    private static readonly byte[] Html = "<!doctype html><html><body><script>alert(1)</script></body></html>"u8.ToArray();

    private static (string, string, string, byte[])[] WrongTypes(string field, string imageExtension, string contentType) =>
    [
        (field, "setup" + imageExtension, contentType, Exe),
        (field, "hoa-don" + imageExtension, contentType, Pdf),
        (field, "trang" + imageExtension, contentType, Html),
    ];

    private async Task<Dictionary<string, long>> CountsAsync()
    {
        await using var db = new NpgsqlConnection(fixture.App.ConnectionString);
        var result = new Dictionary<string, long>();
        foreach (var table in new[] { "media_blobs", "product_images", "trace_events", "trace_images", "trace_event_photos", "cod_statements", "cod_statement_lines", "products" })
            result[table] = await db.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
        return result;
    }

    private async Task<PageClient> SignedInAsync(string phone)
    {
        var client = fixture.NewClient();
        await client.SignInAsync(phone);
        return client;
    }

    private static async Task<string> VietnameseRefusalAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode}");
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge,
            $"{what}: {(int)response.StatusCode} (a refusal is the form again with the reason, or 400/413)");
        return text;
    }

    /// <summary>The peak growth of this process's working set while <paramref name="action"/> runs.</summary>
    private static async Task<long> PeakGrowthAsync(Func<Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(5);
            }
        });
        await action();
        await stop.CancelAsync();
        await sampler;
        return peak - baseline;
    }

    [Fact]
    public async Task Trace_event_photos_refuse_wrong_types_bombs_and_oversized_files_without_storing_anything()
    {
        using var seller = await SignedInAsync("0900000003");
        var batch = await new NpgsqlConnection(fixture.App.ConnectionString).ExecuteScalarAsync<long>("SELECT id FROM trace_batches WHERE code = 'TCDB25AQ'");
        var url = $"/Seller/Trace/Batch/{batch}";
        var fields = new Dictionary<string, string>
        {
            ["Input.Kind"] = "inspection", ["Input.OccurredAt"] = fixture.App.Clock.GetUtcNow().AddHours(6).ToString("yyyy-MM-ddTHH:mm"),
            ["Input.ProvinceCode"] = "19", ["Input.Note"] = "kiểm tra",
        };
        var before = await CountsAsync();

        // The page shows the first problem of the field: one file a request.
        foreach (var file in WrongTypes("photos", ".jpg", "image/jpeg"))
        {
            var wrong = await CatalogTestKit.PostMultipartAsync(seller, url, "#event-form", fields, file);
            Assert.Contains($"{file.Item2} không phải là ảnh đọc được", await VietnameseRefusalAsync(wrong, file.Item2));
        }

        // Bombs: 100,000² pixels, and 7,000² (49 MP: more than the limit, small enough that a full decode "works").
        var growth = await PeakGrowthAsync(async () =>
        {
            foreach (var (name, width) in new[] { ("bom.png", 100_000), ("bom-vua.png", 7000), ("bom-vua-2.png", 7500) })
            {
                var bomb = await CatalogTestKit.PostMultipartAsync(seller, url, "#event-form", fields,
                    ("photos", name, "image/png", CatalogTestKit.PngBombHeader(width, width)));
                Assert.Contains($"{name}: Ảnh quá lớn: tối đa 40 megapixel", await VietnameseRefusalAsync(bomb, name));
            }
        });
        Assert.True(growth < 150 * 1024 * 1024, $"working set grew by {growth / 1024 / 1024} MB while refusing bombs");

        var tooBig = await CatalogTestKit.PostMultipartAsync(seller, url, "#event-form", fields,
            ("photos", "to.jpg", "image/jpeg", new byte[11 * 1024 * 1024]));
        Assert.Contains("to.jpg lớn hơn 10 MB", await VietnameseRefusalAsync(tooBig, "11 MB"));

        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Product_photos_refuse_wrong_types_bombs_and_oversized_files_without_storing_anything()
    {
        using var seller = await SignedInAsync("0900000007");
        var product = await new NpgsqlConnection(fixture.App.ConnectionString).ExecuteScalarAsync<long>(
            "SELECT min(p.id) FROM products p JOIN sellers s ON s.id = p.seller_id WHERE s.slug = 'htx-che-la-bang'");
        var url = $"/Seller/Catalog/Edit/{product}";
        var before = await CountsAsync();

        var wrong = await CatalogTestKit.PostMultipartAsync(seller, url, "form.upload-form", new Dictionary<string, string>(), WrongTypes("photos", ".png", "image/png"));
        await AssertRefusedAsync(seller, wrong, "Tệp không phải ảnh JPEG, PNG hoặc WebP");
        var bomb = await CatalogTestKit.PostMultipartAsync(seller, url, "form.upload-form", new Dictionary<string, string>(),
            ("photos", "bom.png", "image/png", CatalogTestKit.PngBombHeader()));
        await AssertRefusedAsync(seller, bomb, "tối đa 40 megapixel");
        var big = await CatalogTestKit.PostMultipartAsync(seller, url, "form.upload-form", new Dictionary<string, string>(),
            ("photos", "to.jpg", "image/jpeg", new byte[9 * 1024 * 1024]));
        await AssertRefusedAsync(seller, big, "tối đa 8 MB");

        Assert.Equal(before, await CountsAsync());
    }

    /// <summary>A refusal is either the page again with the reason, or a redirect whose next page says it.</summary>
    private static async Task AssertRefusedAsync(PageClient client, HttpResponseMessage response, string reason)
    {
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}");
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Redirect)
            text = await client.Http.GetStringAsync(response.Headers.Location);
        Assert.Contains(reason, text);
    }

    [Fact]
    public async Task Cod_statements_and_listing_imports_refuse_wrong_types_and_oversized_files()
    {
        using var admin = await SignedInAsync("0900000001");
        var before = await CountsAsync();
        foreach (var (name, bytes) in new[] { ("bang-ke.csv", Exe), ("bang-ke.xlsx", Pdf), ("bang-ke.xlsx", Html), ("bang-ke.csv", new byte[] { 0xFF, 0xFE, 0x00, 0xD8 }) })
        {
            var response = await CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload",
                new Dictionary<string, string> { ["Input.Carrier"] = "GHN" }, ("Input.File", name, "text/csv", bytes));
            var text = await VietnameseRefusalAsync(response, "COD " + name);
            Assert.Contains("Tệp không được nhận", text);
        }
        var huge = await CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload",
            new Dictionary<string, string> { ["Input.Carrier"] = "GHN" }, ("Input.File", "lon.csv", "text/csv", new byte[21 * 1024 * 1024]));
        Assert.Contains("Tệp lớn quá 20 MB", await VietnameseRefusalAsync(huge, "COD 21 MB"));

        using var seller = await SignedInAsync("0900000007");
        foreach (var (name, bytes) in new[] { ("san-pham.xlsx", Exe), ("san-pham.csv", Pdf), ("san-pham.xlsx", Html) })
        {
            var response = await CatalogTestKit.PostMultipartAsync(seller, "/Seller/Catalog/Import", "main form", new Dictionary<string, string>(),
                ("file", name, "application/octet-stream", bytes));
            // Refused with the reason on the page, nothing imported (the counts below).
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"import {name}: {(int)response.StatusCode}");
            var reason = (await PageClient.ParseAsync(response)).QuerySelector(".error-table")?.TextContent ?? "";
            Assert.True(reason.Contains("Không đọc được tệp", StringComparison.Ordinal) || reason.Contains("Thiếu cột", StringComparison.Ordinal),
                $"import {name}: {reason}");
        }
        var bigImport = await CatalogTestKit.PostMultipartAsync(seller, "/Seller/Catalog/Import", "main form", new Dictionary<string, string>(),
            ("file", "lon.csv", "text/csv", new byte[10 * 1024 * 1024 + 10]));
        Assert.Contains("Tệp quá lớn: tối đa 10 MB", await VietnameseRefusalAsync(bigImport, "import 10 MB"));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task A_request_over_the_servers_body_limit_is_answered_413_in_Vietnamese_not_500()
    {
        var cookies = new CookieContainer();
        using var seller = new PageClient(new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false })
            { BaseAddress = new Uri(fixture.BaseUrl) });
        await seller.SignInAsync("0900000001");
        var (_, page) = await seller.GetPageAsync("/Admin/Cod");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var cookieHeader = cookies.GetCookieHeader(new Uri(fixture.BaseUrl));

        // More than the trace page's own 80 MB limit, and more than Kestrel's default 30 MB on a page without one. The
        // client announces the size and sends the start: the server must answer without waiting for (or keeping) the rest.
        foreach (var url in new[] { "/Seller/Trace/Batch/1", "/Admin/Cod" })
        {
            var (status, body) = await RawPostAsync(new Uri(fixture.BaseUrl), url, cookieHeader, token, 85L * 1024 * 1024);
            Assert.True(status == 413, $"{url}: {status}");
            Assert.Contains("quá lớn", body);
            // Without a Content-Length (chunked), the limit is only found while reading: still a clean refusal, never 500.
            var (chunkedStatus, _) = await RawPostAsync(new Uri(fixture.BaseUrl), url, cookieHeader, token, null);
            Assert.True(chunkedStatus == 413, $"{url} chunked: {chunkedStatus}");
        }
    }

    /// <summary>A multipart POST announcing <paramref name="contentLength"/> bytes, of which only the first megabyte is sent.</summary>
    private static async Task<(int Status, string Body)> RawPostAsync(Uri server, string path, string cookies, string token, long? contentLength)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        const string boundary = "----cho40boundary";
        var head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n" +
                   $"--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"lon.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n";
        var length = contentLength is long n ? $"Content-Length: {n}" : "Transfer-Encoding: chunked";
        var request = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nCookie: {cookies}\r\n" +
                      $"Content-Type: multipart/form-data; boundary={boundary}\r\n{length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        try
        {
            if (contentLength is not null)
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(new byte[1024 * 1024]);
            }
            else
            {
                // Chunks of 1 MB until the server stops reading (at most 100 MB).
                var chunk = new byte[1024 * 1024];
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{head.Length:X}\r\n{head}\r\n"));
                for (var i = 0; i < 100 && !tcp.Client.Poll(0, System.Net.Sockets.SelectMode.SelectRead); i++)
                {
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"));
                    await stream.WriteAsync(chunk);
                    await stream.WriteAsync("\r\n"u8.ToArray());
                }
            }
        }
        catch (IOException) { }
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = await reader.ReadToEndAsync(timeout.Token);
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
