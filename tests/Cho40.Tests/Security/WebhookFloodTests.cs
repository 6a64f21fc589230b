using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Cho40.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cho40.Tests.Security;

/// <summary>
/// The webhook flood of issue 12 against a real web process: ten parallel unsigned 28 MB bodies to
/// a bank-notification address (<c>/api/bank-notifications/sepay/{token}</c>), once with a Content-Length and once chunked (no length, so the server has to
/// read to know). Every one is refused (413) and the process's resident memory, read from <c>/proc/PID/status</c>, grows
/// by far less than one body per request — it used to read each body whole into a string before checking the signature
/// (RSS 512 → 2,087 MB, all answered 401).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class WebhookFloodTests(ITestOutputHelper output)
{
    private const int BodyBytes = 28 * 1024 * 1024;
    private const long AllowedGrowthBytes = 100L * 1024 * 1024;

    /// <summary>VmRSS and VmHWM (peak) of a process, in bytes.</summary>
    private static (long Rss, long Peak) Memory(int processId)
    {
        long Field(string[] lines, string name) => long.Parse(lines.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        var status = File.ReadAllLines($"/proc/{processId}/status");
        return (Field(status, "VmRSS"), Field(status, "VmHWM"));
    }

    /// <summary>An endless-looking body of known size sent without a Content-Length (chunked).</summary>
    private sealed class ChunkedBody(int size) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            for (var sent = 0; sent < size; sent += chunk.Length) await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - sent)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Sends; a server that answers before the body is all sent may close the connection under the sender — still an answer.</summary>
    private static async Task<string> SendAsync(HttpClient http, string url, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await http.PostAsync(url, content);
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e)
        {
            return "closed: " + e.Message;
        }
    }

    [Fact]
    public async Task Ten_parallel_unsigned_28_MB_bodies_are_refused_and_never_read_into_memory()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            await using var web = await WebProcess.StartAsync(database, new Dictionary<string, string>
            {
                // Every body here is read up to the cap: the failure limit (429 before reading) is tested on its own.
                ["Cho40__WebhookFailuresPerMinute"] = "1000",
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            // The collection account's SePay connection: a real address, so that its bodies are read (up to the cap).
            var url = web.BaseUrl + (await Cho40.Tests.Payments.TestConnections.ForDatabaseAsync(database, "sepay", "5550001")).WebhookPath;
            for (var i = 0; i < 3; i++) await SendAsync(http, url, new StringContent("{}")); // warm up: JIT, pools
            await Task.Delay(1000);

            // The peak is reset to the current size where the kernel allows it (clear_refs 5), and sampled as well.
            try { await File.WriteAllTextAsync($"/proc/{web.ProcessId}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            var (before, _) = Memory(web.ProcessId);
            var sampledPeak = before;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    sampledPeak = Math.Max(sampledPeak, Memory(web.ProcessId).Rss);
                    await Task.Delay(10);
                }
            });

            var body = new byte[BodyBytes];
            Array.Fill(body, (byte)'a');
            var withLength = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SendAsync(http, url, new ByteArrayContent(body))));
            var chunked = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SendAsync(http, url, new ChunkedBody(BodyBytes))));
            await stop.CancelAsync();
            await sampler;
            var (after, peak) = Memory(web.ProcessId);
            peak = Math.Max(peak, sampledPeak);

            const double MB = 1024 * 1024;
            output.WriteLine($"with Content-Length: {string.Join(", ", withLength.GroupBy(s => s).Select(g => $"{g.Count()}× {g.Key}"))}");
            output.WriteLine($"chunked: {string.Join(", ", chunked.GroupBy(s => s).Select(g => $"{g.Count()}× {g.Key}"))}");
            output.WriteLine($"RSS before {before / MB:F0} MB, peak {peak / MB:F0} MB, after {after / MB:F0} MB (growth to peak {(peak - before) / MB:F0} MB)");

            Assert.True(peak - before < AllowedGrowthBytes, $"RSS grew by {(peak - before) / MB:F0} MB (from {before / MB:F0} MB to a peak of {peak / MB:F0} MB)");
            // Refused as too large; a sender still writing when the server answered may see the connection closed instead.
            Assert.All(withLength.Concat(chunked), s => Assert.True(s == "413" || s.StartsWith("closed", StringComparison.Ordinal), s));
            Assert.Contains("413", withLength);
            Assert.Contains("413", chunked);
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }
}
