using System.Diagnostics;
using System.Net;
using System.Text;
using Cho40.Tests.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Payments;
using Dapper;
using Npgsql;
using Xunit.Abstractions;

namespace Cho40.Tests.Operations;

/// <summary>
/// Production's shape on one machine: nginx (the repository's template) in front of two web processes on one PostgreSQL.
/// What a phone, a stall screen and a bank provider see through the load balancer while processes and the database fail.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class LoadBalancerTests(ITestOutputHelper output)
{
    private readonly Dictionary<string, string> paths = new();

    private HttpRequestMessage Notification(string baseUrl, string transactionId, string account, long amount)
    {
        var now = DateTimeOffset.UtcNow;
        var (body, headers) = Stalls.StallTestData.Simulate("sepay", new SimulatedTransfer(transactionId, account, amount, "mua hang " + transactionId, now),
            Cho40App.WebhookSecrets["sepay"], now);
        var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + paths[account])
            { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    [Fact]
    public async Task Through_nginx_a_stall_screen_gets_payments_a_killed_web_process_is_not_noticed_and_an_outage_answers_503_to_retry()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var database = cluster.ConnectionString("cho40");
        var queries = database + ";Pooling=false"; // the test's own connections: none pooled across the restart
        var environment = new Dictionary<string, string> { ["Cho40__RunJobsInProcess"] = "false" };
        await using var web1 = await WebProcess.StartAsync(database,
            new Dictionary<string, string>(environment) { ["Cho40__SeedDemoData"] = "true", ["Cho40__InstanceName"] = "web1" });
        await using var web2 = await WebProcess.StartAsync(database, new Dictionary<string, string>(environment) { ["Cho40__InstanceName"] = "web2" });
        await using var nginx = await NginxProcess.StartAsync(web1, web2);
        foreach (var account in new[] { "1023456789", "9704000000001" })
            paths[account] = (await TestConnections.ForDatabaseAsync(database, "sepay", account)).WebhookPath;
        using var http = new HttpClient { BaseAddress = new Uri(nginx.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };

        // Requests are spread over both processes.
        var served = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var home = await http.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            served.Add(home.Headers.GetValues("X-Cho40-Instance").Single());
        }
        Assert.Equal(new[] { "web1", "web2" }, served.Distinct().Order());

        // A stall screen's event stream through nginx: a payment delivered through nginx (to whichever process) is on
        // the screen within 2 s, unbuffered.
        long stallId;
        await using (var connection = new NpgsqlConnection(queries))
            stallId = await connection.ExecuteScalarAsync<long>("SELECT stall_id FROM stall_bank_accounts WHERE account_number = '1023456789'");
        using var stallholder = new PageClient(new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
            { BaseAddress = new Uri(nginx.BaseUrl), Timeout = Timeout.InfiniteTimeSpan });
        await stallholder.SignInAsync("0900000004");
        using (var stream = await stallholder.Http.GetAsync($"/Stall/{stallId}/Events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            Assert.Equal(": connected", await reader.ReadLineAsync());
            var sent = Stopwatch.StartNew();
            using (var delivered = await http.SendAsync(Notification(nginx.BaseUrl, "LB-1", "1023456789", 123_000)))
                Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
            // Target: on the screen within 2 s; a loaded machine is allowed 5× that.
            var target = TimeSpan.FromSeconds(2);
            using var within = new CancellationTokenSource(TimeLimit.Allowed(target, 5));
            string? line, eventName = null;
            do
            {
                line = await reader.ReadLineAsync(within.Token);
                if (line?.StartsWith("event: ", StringComparison.Ordinal) == true) eventName = line["event: ".Length..];
            }
            while (line is not null && !(line.StartsWith("data:", StringComparison.Ordinal) && eventName == "payment"));
            TimeLimit.Check(output, "notification through nginx → payment on the stall screen", sent.Elapsed, target, 5);
            Assert.Contains("123000", line);
        }

        // web1 SIGKILLed: people browsing through nginx do not notice (it moves on to web2 when a connection fails).
        web1.Kill();
        var afterKill = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var page = await http.GetAsync("/san-pham/che-tan-cuong-dac-biet-200g");
            afterKill.Add(page.StatusCode);
        }
        Assert.All(afterKill, s => Assert.Equal(HttpStatusCode.OK, s));

        // PostgreSQL stopped: through nginx the provider is told to retry (503 + Retry-After, problem+json from the app,
        // not a 502 of nginx's own), and so is a person on a page; once it is back, the retried delivery is stored once.
        await cluster.StopServerAsync();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var refused = await http.SendAsync(Notification(nginx.BaseUrl, "LB-2", "9704000000001", 50_000));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(refused.Headers.RetryAfter);
            using var page = await http.GetAsync("/san-pham/che-tan-cuong-dac-biet-200g");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.NotNull(page.Headers.RetryAfter);
        }
        await cluster.StartServerAsync();
        var recovery = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var retried = await http.SendAsync(Notification(nginx.BaseUrl, "LB-2", "9704000000001", 50_000));
            status = retried.StatusCode;
            if (status != HttpStatusCode.OK) await Task.Delay(100);
        } while (status != HttpStatusCode.OK && recovery.Elapsed < TimeLimit.Allowed(TimeSpan.FromSeconds(5), 5));
        var recovered = recovery.Elapsed;
        Assert.Equal(HttpStatusCode.OK, status);
        // Target: the provider's retry is stored within 5 s of PostgreSQL's start; a loaded machine is allowed 5× that.
        TimeLimit.Check(output, "the provider's retry through nginx stored after PostgreSQL started", recovered, TimeSpan.FromSeconds(5), 5);
        using (var again = await http.SendAsync(Notification(nginx.BaseUrl, "LB-2", "9704000000001", 50_000)))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using (var connection = new NpgsqlConnection(queries))
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM provider_transactions WHERE provider = 'sepay' AND provider_txn_id = 'LB-2'"));
    }
}
