using System.Net;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Operations;

/// <summary>
/// Behind nginx the app sees every client as the proxy's address. X-Forwarded-For / -Proto are believed only from a
/// trusted proxy (Cho40:TrustedProxies, default loopback). Real web processes on real sockets: the tests' connections
/// come from 127.0.0.1, which is trusted by default and made untrusted by configuring another proxy address.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ForwardedHeadersTests
{
    private const string Pack = "/t/TCDB25AQ/K7M4Q2XPAB";
    private const string DigitalLink = "/01/08936042000017/10/TC2025-A";

    private static Task<WebProcess> StartAsync(string database, string? trustedProxies)
    {
        var environment = new Dictionary<string, string> { ["Cho40__PublicApiRequestsPerMinute"] = "3" };
        if (trustedProxies is not null) environment["Cho40__TrustedProxies"] = trustedProxies;
        return WebProcess.StartAsync(database, environment);
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string? forwardedFor, string? proto = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedFor is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        if (proto is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", proto);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> LinksetAsync(HttpClient http, string proto)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, DigitalLink);
        request.Headers.TryAddWithoutValidation("Accept", "application/linkset+json");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", proto);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<List<string>> ScanNetworksAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        return (await connection.QueryAsync<string>("""
            SELECT s.network FROM trace_unit_scans s JOIN trace_units u ON u.id = s.unit_id
            WHERE u.serial = 'K7M4Q2XPAB' ORDER BY s.scanned_at
            """)).AsList();
    }

    [Fact]
    public async Task From_a_trusted_proxy_each_forwarded_client_gets_its_own_rate_limit_budget_network_and_scheme()
    {
        var database = await TestDatabase.CreateAsync(withDemoData: true);
        try
        {
            await using (var web = await StartAsync(database, trustedProxies: null))
            {
                using var http = new HttpClient { BaseAddress = new Uri(web.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
                var before = await ScanNetworksAsync(database);

                for (var i = 0; i < 3; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", "203.0.113.10"));
                Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", "203.0.113.10"));
                // Another shopper behind the same proxy has a budget of its own, and so has the proxy itself.
                Assert.NotEqual(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", "203.0.113.20"));
                Assert.NotEqual(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", forwardedFor: null));
                // A client that writes its own X-Forwarded-For gets it prefixed to the address nginx appends: only the
                // last entry (what the proxy saw) counts, so the exhausted client cannot escape by claiming another address.
                Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", "198.51.100.7, 203.0.113.10"));

                // The trace page's "scanned from N networks" rule sees the shopper's network, not the proxy's.
                Assert.Equal(HttpStatusCode.OK, await GetAsync(http, Pack, "203.0.113.77"));
                Assert.Equal(HttpStatusCode.OK, await GetAsync(http, Pack, "198.51.100.9"));
                var added = (await ScanNetworksAsync(database)).Skip(before.Count).ToList();
                Assert.Equal(["203.0.113.0/24", "198.51.100.0/24"], added);

                // Links the app writes (here a Digital Link linkset) start with Cho40:PublicBaseUrl (WebProcess sets it to its
                // own address), whatever the request's Host or forwarded scheme says (issue 12: ids must not follow the request).
                Assert.Contains($"\"anchor\":\"{web.BaseUrl}{DigitalLink}\"", await LinksetAsync(http, "https"));
            }
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public async Task From_an_untrusted_source_forwarded_headers_are_ignored()
    {
        var database = await TestDatabase.CreateAsync(withDemoData: true);
        try
        {
            // Only a proxy at 10.20.30.40 is trusted: the test's loopback connections are then ordinary clients.
            await using (var web = await StartAsync(database, trustedProxies: "10.20.30.40, 192.168.7.0/24"))
            {
                using var http = new HttpClient { BaseAddress = new Uri(web.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
                var before = await ScanNetworksAsync(database);

                for (var i = 0; i < 3; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", $"203.0.113.{10 + i}"));
                // Claiming yet another address does not buy a new budget: all four came from 127.0.0.1.
                Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(http, "/api/vietqr", "203.0.113.99"));

                Assert.Equal(HttpStatusCode.OK, await GetAsync(http, Pack, "203.0.113.77"));
                Assert.Equal(["127.0.0.0/24"], (await ScanNetworksAsync(database)).Skip(before.Count).ToList());
                Assert.Contains("\"http://127.0.0.1:", await LinksetAsync(http, "https"));
            }
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public void Trusted_proxies_are_addresses_and_CIDR_networks_and_anything_else_stops_the_start()
    {
        var (addresses, networks) = Cho40.Web.Infrastructure.ForwardedHeadersSetup.Parse("127.0.0.0/8, ::1; 10.0.0.5 192.168.1.0/24");
        Assert.Equal([IPAddress.IPv6Loopback, IPAddress.Parse("10.0.0.5")], addresses);
        Assert.Equal(["127.0.0.0/8", "192.168.1.0/24"], networks.Select(n => n.ToString()));
        Assert.Throws<InvalidOperationException>(() => Cho40.Web.Infrastructure.ForwardedHeadersSetup.Parse("10.0.0.5, nginx.local"));
    }
}
