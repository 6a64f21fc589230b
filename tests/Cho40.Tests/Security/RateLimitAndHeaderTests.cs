using System.Net;
using Cho40.Tests.Infrastructure;

namespace Cho40.Tests.Security;

/// <summary>A Kestrel app with small limits: 5 sign-in attempts and 8 public-API requests per client address a minute.</summary>
public sealed class SmallLimitsAppFixture : KestrelAppFixture
{
    protected override Dictionary<string, string> Settings => new()
    {
        ["Cho40:SignInAttemptsPerMinute"] = "5", ["Cho40:PublicApiRequestsPerMinute"] = "8",
    };
}

/// <summary>
/// Rate limits answer 429 per client address (connections from two loopback addresses, e.g. 127.1.0.2 and 127.1.0.3, are
/// two clients to Kestrel; no X-Forwarded-For is involved), in Vietnamese, with Retry-After; and every kind of response
/// carries the security headers. The tests share one app: each uses client addresses no other test uses (the limits'
/// budgets are per address), and guesses the password of a number nobody has (no demo account gets locked).
/// </summary>
public sealed class RateLimitAndHeaderTests(SmallLimitsAppFixture fixture) : IClassFixture<SmallLimitsAppFixture>
{
    private static int lastAddress;

    /// <summary>A loopback address (127.1.x.y) no other test of the class connects from.</summary>
    private static string NewAddress()
    {
        var n = Interlocked.Increment(ref lastAddress);
        return $"127.1.{n / 250}.{n % 250 + 2}";
    }

    private static async Task<HttpResponseMessage> SignInAttemptAsync(PageClient client) =>
        await client.SubmitFormAsync("/Account/SignIn", "main form",
            new Dictionary<string, string> { ["Input.Phone"] = Unique.Phone(), ["Input.Password"] = "doan-mo-mat-khau" });

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_client_address_with_a_Vietnamese_429()
    {
        using var attacker = fixture.NewClient(fromAddress: NewAddress());
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 7; i++) statuses.Add((last = await SignInAttemptAsync(attacker)).StatusCode);
        Assert.Equal(5, statuses.Count(s => s != HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Equal("text/html", last.Content.Headers.ContentType?.MediaType);
        var page = await PageClient.ParseAsync(last);
        Assert.Contains("Bạn đã thử quá nhiều lần", page.QuerySelector("main")!.TextContent);
        AssertSecurityHeaders(last, "429 sign-in");

        // Another address is not affected; reading the sign-in page is never limited.
        using var neighbour = fixture.NewClient(fromAddress: NewAddress());
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SignInAttemptAsync(neighbour)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await attacker.Http.GetAsync("/Account/SignIn")).StatusCode);
    }

    [Theory]
    [InlineData("/Account/SignUp")]
    [InlineData("/Stall/Activate")]
    public async Task Sign_ups_and_activation_codes_are_limited_per_client_address_too(string form)
    {
        using var bot = fixture.NewClient(fromAddress: NewAddress());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            var (_, page) = await bot.GetPageAsync(form);
            statuses.Add((await bot.SubmitAsync(page, "main form", new Dictionary<string, string>
            {
                ["Input.Phone"] = Unique.Phone(), ["Input.DisplayName"] = "Bot",
                ["Input.Password"] = "mat-khau-bot-1", ["Input.ConfirmPassword"] = "mat-khau-bot-1", ["Input.Code"] = "000000",
            })).StatusCode);
        }
        Assert.Equal(5, statuses.Count(s => s != HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task The_public_api_is_limited_per_client_address_with_problem_json()
    {
        using var greedy = fixture.NewClient(fromAddress: NewAddress());
        HttpResponseMessage last = null!;
        var ok = 0;
        for (var i = 0; i < 10; i++)
        {
            last = await greedy.Http.GetAsync("/api/vietqr?bin=970436&account=0011001234567");
            if (last.StatusCode == HttpStatusCode.OK) ok++;
        }
        Assert.Equal(8, ok);
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Contains("quá nhiều yêu cầu", await last.Content.ReadAsStringAsync());
        Assert.NotNull(last.Headers.RetryAfter);
        AssertSecurityHeaders(last, "429 api");
        // The PNG endpoint shares the policy's partition for this address.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await greedy.Http.GetAsync("/api/vietqr.png?bin=970436&account=0011001234567")).StatusCode);

        using var other = fixture.NewClient(fromAddress: NewAddress());
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync("/api/vietqr?bin=970436&account=0011001234567")).StatusCode);
    }

    internal static void AssertSecurityHeaders(HttpResponseMessage response, string what, bool page = true)
    {
        string Header(string name) => response.Headers.TryGetValues(name, out var v) ? string.Join(",", v)
            : response.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c) : "";
        Assert.True(Header("X-Content-Type-Options") == "nosniff", $"{what}: nosniff");
        Assert.True(Header("Referrer-Policy").Length > 0, $"{what}: Referrer-Policy");
        var csp = Header("Content-Security-Policy");
        Assert.True(csp.Length > 0, $"{what}: no CSP");
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d);
        var scripts = directives.GetValueOrDefault("script-src") ?? directives.GetValueOrDefault("default-src") ?? "";
        Assert.True(scripts.Length > 0, $"{what}: no script-src/default-src");
        Assert.DoesNotContain("'unsafe-inline'", scripts);
        Assert.DoesNotContain("'unsafe-eval'", scripts);
        Assert.True(directives.TryGetValue("frame-ancestors", out var frames) && (frames.Contains("'none'") || frames.Contains("'self'")), $"{what}: frame-ancestors");
        Assert.True(directives.ContainsKey("object-src") || directives.ContainsKey("default-src"), $"{what}: object-src");
    }

    [Fact]
    public async Task Pages_apis_static_files_errors_and_problem_json_all_carry_the_security_headers()
    {
        using var client = fixture.NewClient(fromAddress: NewAddress());
        var cases = new (string Url, HttpStatusCode Status)[]
        {
            ("/", HttpStatusCode.OK),
            ("/t/TCDB25AQ", HttpStatusCode.OK),
            ("/api/vietqr?bin=970436&account=0011001234567", HttpStatusCode.OK),
            ("/api/vietqr.png?bin=970436&account=0011001234567", HttpStatusCode.OK),
            ("/api/vietqr?bin=12", HttpStatusCode.BadRequest),                         // problem+json
            ("/api/trace/batches/1/epcis", HttpStatusCode.Unauthorized),               // problem+json
            ("/css/site.css", HttpStatusCode.OK),
            ("/khong-co-trang-nay", HttpStatusCode.NotFound),
            ("/Error?code=500", HttpStatusCode.OK),
            ("/healthz", HttpStatusCode.OK),
            ("/hangfire", HttpStatusCode.Forbidden),
        };
        foreach (var (url, status) in cases)
        {
            var response = await client.Http.GetAsync(url);
            Assert.True(status == response.StatusCode, $"{url}: {(int)response.StatusCode}");
            AssertSecurityHeaders(response, url);
        }
        var js = (await client.GetPageAsync("/")).Page.QuerySelector("script[src]")?.GetAttribute("src");
        if (js is not null) AssertSecurityHeaders(await client.Http.GetAsync(js), js);

        // Pages carry no inline script for the CSP to forbid (it would break, silently, in browsers).
        foreach (var url in new[] { "/", "/Account/SignIn", "/t/TCDB25AQ", "/search?q=che" })
        {
            var (_, page) = await client.GetPageAsync(url);
            Assert.DoesNotContain(page.QuerySelectorAll("script"), s => !s.HasAttribute("src") && s.TextContent.Trim().Length > 0);
            Assert.DoesNotContain(page.All, e => e.HasAttribute("style") || e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
        }

        // A POST to a missing route and an antiforgery failure: status pages keep the headers.
        var forged = await client.Http.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Phone"] = "1" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        AssertSecurityHeaders(forged, "400 antiforgery");
    }
}
