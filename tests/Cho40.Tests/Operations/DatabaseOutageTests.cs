using System.Diagnostics;
using System.Net;
using Cho40.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cho40.Tests.Operations;

/// <summary>PostgreSQL stopped and restarted under a running web process (real processes, a cluster of the test's own).</summary>
[Trait("Speed", "Slow")]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    /// <summary>Target: serving again within 5 s of PostgreSQL's return (the pool's broken connections are dropped, not waited on).</summary>
    private static readonly TimeSpan RecoveryTarget = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Healthz_reports_an_outage_and_the_site_recovers_by_itself_when_PostgreSQL_returns()
    {
        await using var cluster = await LocalCluster.StartAsync();
        await using var web = await WebProcess.StartAsync(cluster.ConnectionString("cho40"));
        using var http = new HttpClient { BaseAddress = new Uri(web.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);

        await cluster.StopServerAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz")).StatusCode);
        // Pages that need the database fail cleanly and say "try again" (503 + Retry-After, the Vietnamese error page),
        // not a hang and not a 500. A product page always reads the database; the home page may still be served from
        // the shop's 30-second listing cache.
        using (var product = await http.GetAsync("/san-pham/che-tan-cuong-dac-biet-200g"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, product.StatusCode);
            Assert.NotNull(product.Headers.RetryAfter);
            Assert.Contains("Tạm thời gián đoạn", await product.Content.ReadAsStringAsync());
        }

        await cluster.StartServerAsync();
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await http.GetAsync("/healthz")).StatusCode;
            if (status != HttpStatusCode.OK) await Task.Delay(100);
        } while (status != HttpStatusCode.OK && clock.Elapsed < TimeLimit.Allowed(RecoveryTarget, 5));
        var recovered = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        TimeLimit.Check(output, "/healthz 200 again after PostgreSQL started", recovered, RecoveryTarget, 5);
    }
}
