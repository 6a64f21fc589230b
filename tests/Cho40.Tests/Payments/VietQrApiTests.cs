using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Payments.VietQr;
using SkiaSharp;
using Cho40.Db.Domain;

namespace Cho40.Tests.Payments;

public sealed class VietQrApiFixture : IAsyncLifetime
{
    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await Cho40App.StartAsync(withDemoData: false,
        settings: new Dictionary<string, string> { ["Cho40:PublicApiRequestsPerMinute"] = "100000" });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The public VietQR API over real HTTP (the whole app, anonymous client).</summary>
public sealed class VietQrApiTests(VietQrApiFixture fixture) : IClassFixture<VietQrApiFixture>
{
    private readonly HttpClient http = fixture.App.CreateClient();

    [Fact]
    public async Task Get_builds_the_published_payload_and_names_the_bank()
    {
        // Expected payload: github.com/subiz/vietqr README.md (120.000 đ, "ủng hộ lũ lụt").
        var response = await http.GetAsync("/api/vietqr?bin=970415&account=0011001932418&amount=120000&purpose=" + Uri.EscapeDataString("ủng hộ lũ lụt"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",
            root.GetProperty("payload").GetString());
        Assert.Equal("970415", root.GetProperty("bank").GetProperty("bin").GetString());
        Assert.Equal("VietinBank", root.GetProperty("bank").GetProperty("shortName").GetString());
        Assert.Equal("Ngân hàng TMCP Công thương Việt Nam", root.GetProperty("bank").GetProperty("name").GetString());
        Assert.False(root.GetProperty("static").GetBoolean());
        Assert.Contains("Công thương", await response.Content.ReadAsStringAsync()); // UTF-8, not \u escapes
    }

    [Fact]
    public async Task Omitted_amount_gives_a_static_code_and_card_service_is_honoured()
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync("/api/vietqr?bin=970416&account=257678859"));
        // github.com/xuannghia/vietnam-qr-pay README.md ("VietQR Tĩnh")
        Assert.Equal("00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F", json.RootElement.GetProperty("payload").GetString());
        Assert.True(json.RootElement.GetProperty("static").GetBoolean());

        using var card = JsonDocument.Parse(await http.GetStringAsync("/api/vietqr?bin=970436&account=9704366800123456&service=card&amount=50000&bill=HD12"));
        var payload = card.RootElement.GetProperty("payload").GetString()!;
        Assert.Contains("0208QRIBFTTC", payload);
        Assert.Contains("62080104HD12", payload);
        Assert.Equal(VietQrService.Card, VietQrPayload.Parse(payload).Value!.Service);
    }

    [Theory]
    [InlineData("bin=97043&account=0011001234567", "bin", "6 chữ số")]
    [InlineData("account=0011001234567", "bin", "Thiếu mã BIN")]
    [InlineData("bin=970499&account=0011001234567", "bin", "Không có ngân hàng")]
    [InlineData("bin=970436", "account", "Thiếu số tài khoản")]
    [InlineData("bin=970436&account=00110012345678901234", "account", "19")]
    [InlineData("bin=970436&account=0011001234567&amount=50.000", "amount", "chữ số")]
    [InlineData("bin=970436&account=0011001234567&amount=-1", "amount", "chữ số")]
    [InlineData("bin=970436&account=0011001234567&amount=0", "amount", "lớn hơn 0")]
    [InlineData("bin=970436&account=0011001234567&amount=10000000000000", "amount", "13 chữ số")] // 14 digits: more than the format holds
    [InlineData("bin=970436&account=0011001234567&service=wallet", "service", "account")]
    [InlineData("bin=970436&account=0011001234567&amount=1000&purpose=12345678901234567890123456", "purpose", "25")]
    public async Task Invalid_input_is_a_problem_naming_the_field_and_the_rule(string query, string field, string rule)
    {
        var response = await http.GetAsync("/api/vietqr?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var messages = json.RootElement.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains(rule));
        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());

        // The image endpoints answer the same problem.
        var png = await http.GetAsync("/api/vietqr.png?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, png.StatusCode);
        Assert.Equal("application/problem+json", png.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Png_and_svg_are_images_of_exactly_the_json_payload()
    {
        var queries = new[]
        {
            "bin=970436&account=0011001234567",
            "bin=970415&account=0011001932418&amount=120000&purpose=" + Uri.EscapeDataString("ủng hộ lũ lụt"),
            "bin=970422&account=0023457923442&amount=40123&purpose=test+text+string&bill=B1&reference=R2&size=300",
            "bin=970405&account=1&amount=499999999&size=2048",
            "bin=970418&account=21510001234567&service=card&size=128",
        };
        foreach (var query in queries)
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync("/api/vietqr?" + query));
            var payload = json.RootElement.GetProperty("payload").GetString()!;

            var png = await http.GetAsync("/api/vietqr.png?" + query);
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
            var bytes = await png.Content.ReadAsByteArrayAsync();
            Assert.Equal(payload, await QrTools.DecodePngAsync(bytes));
            using var bitmap = SKBitmap.Decode(bytes);
            var requested = query.Contains("size=") ? int.Parse(query[(query.IndexOf("size=") + 5)..]) : 512;
            Assert.InRange(bitmap.Width, requested * 2 / 3, requested);

            var svg = await http.GetAsync("/api/vietqr.svg?" + query);
            Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
            Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
            var svgText = await svg.Content.ReadAsStringAsync();
            Assert.Equal(VietQrImage.Svg(payload, Math.Max(1, requested / VietQrImage.ModulesPerSide(payload))), svgText);
        }
    }

    [Theory]
    [InlineData("64")]
    [InlineData("4096")]
    [InlineData("big")]
    public async Task Image_size_is_bounded(string size)
    {
        var response = await http.GetAsync("/api/vietqr.png?bin=970436&account=0011001234567&size=" + size);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("128", json.RootElement.GetProperty("errors").GetProperty("size")[0].GetString());
    }

    [Fact]
    public async Task Parse_decodes_a_published_code_and_names_the_bank()
    {
        // github.com/xuannghia/vietnam-qr-pay README.md ("Decode mã QR")
        var response = await http.PostAsync("/api/vietqr/parse", new StringContent(
            "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8\n",
            Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("970416", root.GetProperty("bin").GetString());
        Assert.Equal("ACB", root.GetProperty("bank").GetProperty("shortName").GetString());
        Assert.Equal("257678859", root.GetProperty("account").GetString());
        Assert.Equal("account", root.GetProperty("service").GetString());
        Assert.Equal(1000, root.GetProperty("amount").GetInt64());
        Assert.Equal("Chuyen tien", root.GetProperty("purpose").GetString());
        Assert.False(root.GetProperty("static").GetBoolean());
        Assert.Equal("BBB8", root.GetProperty("crc").GetString());
    }

    [Fact]
    public async Task Parse_of_a_static_code_with_lowercase_crc_and_unknown_bank()
    {
        var body = VietQrPayload.Build(new VietQrRequest("123456", "999")) is var p ? p[..^4] + p[^4..].ToLowerInvariant() : "";
        using var json = JsonDocument.Parse(await (await http.PostAsync("/api/vietqr/parse", new StringContent(body))).Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("static").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("bank").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("amount").ValueKind);
    }

    [Theory]
    [InlineData("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15D", "63", "Sai mã kiểm tra CRC")]
    [InlineData("", "payload", "trống")]
    [InlineData("hello", "payload", "cấu trúc")]
    public async Task Parse_of_a_bad_code_says_why(string body, string field, string reason)
    {
        var response = await http.PostAsync("/api/vietqr/parse", new StringContent(body, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(reason, json.RootElement.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Contains(reason, json.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Parse_rejects_an_oversized_body()
    {
        var response = await http.PostAsync("/api/vietqr/parse", new ByteArrayContent(new byte[5000]) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("quá dài", json.RootElement.GetProperty("detail").GetString());
    }
}

public sealed class VietQrApiRateLimitTests
{
    [Fact]
    public async Task Public_api_is_limited_per_client_and_the_sign_in_limit_still_holds()
    {
        await using var app = await Cho40App.StartAsync(withDemoData: true, settings: new Dictionary<string, string>
        {
            ["Cho40:PublicApiRequestsPerMinute"] = "4",
            ["Cho40:SignInAttemptsPerMinute"] = "2",
        });
        var http = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await http.GetAsync("/api/vietqr?bin=970436&account=0011001234567")).StatusCode);
        statuses.Add((await http.GetAsync("/api/vietqr.png?bin=970436&account=0011001234567")).StatusCode);
        var limited = await http.PostAsync("/api/vietqr/parse", new StringContent("x"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
        Assert.True(limited.Headers.RetryAfter is not null);

        // Pages are not under the API policy; sign-in attempts keep their own global limit.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        using var client = app.NewClient();
        var signIns = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            signIns.Add((await client.SubmitFormAsync("/Account/SignIn", "main form",
                new Dictionary<string, string> { ["Input.Phone"] = "0900000006", ["Input.Password"] = "sai" })).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], signIns);
    }
}
