using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments.Notifications;
using Cho40.Jobs.Payments.Providers;
using Microsoft.AspNetCore.Http;

namespace Cho40.Tests.Security;

/// <summary>The app on a real socket with a small refused-webhook budget (4 per client address per minute).</summary>
public sealed class WebhookLimitsAppFixture : KestrelAppFixture
{
    protected override Dictionary<string, string> Settings => new() { ["Cho40:WebhookFailuresPerMinute"] = "4" };
}

/// <summary>
/// Bank-notification bodies are capped at 64 KB (413 problem+json, whether the length is declared or the body is
/// chunked), and a client address refused too often in a minute is answered 429 with Retry-After before its body is read,
/// while other clients are still heard. Each test speaks from its own loopback address (127.0.0.x is a client of its own).
/// </summary>
public sealed class WebhookLimitTests(WebhookLimitsAppFixture fixture) : IClassFixture<WebhookLimitsAppFixture>
{
    /// <summary>The address of the collection account's SePay connection (the test account below belongs to nobody).</summary>
    private string SePayPath => Stalls.StallTestData.PathOf(fixture.App, "sepay", "5550009998887");

    private static HttpRequestMessage Post(string path, HttpContent content, IReadOnlyDictionary<string, string>? headers = null)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private (string Body, IReadOnlyDictionary<string, string> Headers) Signed(string content, long amount = 25_000)
    {
        var now = fixture.App.Clock.GetUtcNow();
        return Stalls.StallTestData.Simulate("sepay", new SimulatedTransfer(Stalls.StallTestData.NewTransactionId(), "5550009998887", amount, content, now),
            Cho40App.WebhookSecrets["sepay"], now);
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
    }

    /// <summary>A body of <paramref name="size"/> bytes sent chunked: the server cannot know its length without reading it.</summary>
    private sealed class ChunkedBody(int size) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string('a', 8192));
            for (var sent = 0; sent < size; sent += chunk.Length) await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - sent)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_body_over_64_KB_is_413_problem_json_declared_or_chunked_and_a_signed_delivery_just_under_the_cap_is_accepted()
    {
        using var client = fixture.NewClient(fromAddress: "127.0.0.21");

        var declared = await client.Http.SendAsync(Post(SePayPath, new ByteArrayContent(new byte[WebhookGate.MaxBodyBytes + 1])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("64 KB", await ProblemDetailAsync(declared));

        using var chunkedClient = fixture.NewClient(fromAddress: "127.0.0.21");
        var chunked = await chunkedClient.Http.SendAsync(Post(SePayPath, new ChunkedBody(1024 * 1024)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Contains("64 KB", await ProblemDetailAsync(chunked));

        // A genuine delivery with a very long transfer text, its body a little under the cap: accepted and stored.
        // (SePay repeats the text in "description".)
        var (body, headers) = Signed("C40 " + new string('x', (WebhookGate.MaxBodyBytes - 1_000) / 2));
        Assert.InRange(Encoding.UTF8.GetByteCount(body), WebhookGate.MaxBodyBytes - 2_000, WebhookGate.MaxBodyBytes);
        using var provider = fixture.NewClient(fromAddress: "127.0.0.21");
        var accepted = await provider.Http.SendAsync(Post(SePayPath, new StringContent(body), headers));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task After_four_refused_deliveries_a_client_gets_429_with_Retry_After_and_other_clients_are_still_heard()
    {
        using var attacker = fixture.NewClient(fromAddress: "127.0.0.22");
        var (body, headers) = Signed("tien hang");
        var refused = new List<HttpStatusCode>
        {
            (await attacker.Http.SendAsync(Post(SePayPath, new StringContent(body)))).StatusCode,                  // unsigned
            (await attacker.Http.SendAsync(Post(SePayPath, new StringContent(body.Replace("25000", "2500000", StringComparison.Ordinal)), headers))).StatusCode,
            (await attacker.Http.SendAsync(Post("/api/bank-notifications/momo/AAAAAAAAAAAAAAAAAAAAAA", new StringContent(body)))).StatusCode, // no such service
            (await attacker.Http.SendAsync(Post("/api/bank-notifications/sepay/AAAAAAAAAAAAAAAAAAAAAA", new StringContent(body), headers))).StatusCode, // guessed address
        };
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound, HttpStatusCode.NotFound], refused);

        // The fifth is refused before anything is read — even a large body, even a genuine one from that address.
        var blocked = await attacker.Http.SendAsync(Post(SePayPath, new ByteArrayContent(new byte[3 * 1024 * 1024])));
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        Assert.Contains("quá nhiều thông báo", await ProblemDetailAsync(blocked));
        using var sameAddress = fixture.NewClient(fromAddress: "127.0.0.22");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await sameAddress.Http.SendAsync(Post(SePayPath, new StringContent(body), headers))).StatusCode);

        // Another client address is heard, and its genuine delivery is stored.
        using var provider = fixture.NewClient(fromAddress: "127.0.0.23");
        Assert.Equal(HttpStatusCode.OK, (await provider.Http.SendAsync(Post(SePayPath, new StringContent(body), headers))).StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void Clients_are_counted_by_IPv4_address_and_by_IPv6_64_network(string address, string key)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        Assert.Equal(key, RateLimits.ClientKey(context));
    }
}
