using System.Diagnostics;
using System.Net;
using Cho40.Tests.Catalog;
using Cho40.Tests.Infrastructure;
using Xunit.Abstractions;
using static Cho40.Tests.Security.UploadAttackFiles;

namespace Cho40.Tests.Security;

/// <summary>
/// The costliest spreadsheet an import accepts, on a real web process whose limits are raised so that reading it takes
/// long: the deadline ends it, a client that leaves ends it, a shutdown signal ends it — nothing keeps burning CPU for
/// nobody. Progress is observed from outside, as CPU time of the process (/proc/PID/stat), and by the per-user import
/// slot becoming free again.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ImportCancellationTests(ITestOutputHelper output)
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>About 25 million cells beyond the listing's columns: far more reading than the defaults allow.</summary>
    private static readonly Lazy<byte[]> Heavy = new(() => HeavyListingXlsx(25_000_000));

    private static async Task<(WebProcess Web, string Database, string Temp)> StartAsync(int timeoutSeconds)
    {
        var database = await TestDatabase.CreateAsync(withDemoData: true);
        var temp = Directory.CreateTempSubdirectory("cho40-tmpdir-").FullName;
        var web = await WebProcess.StartAsync(database, UploadProcessFixture.Environment(temp,
            ("Cho40__Imports__TimeoutSeconds", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Cho40__Imports__MaxUncompressedMegabytes", "4096"),
            // The gate logs each abandoned import: the test waits for that line.
            ("Logging__LogLevel__Cho40.Web.Infrastructure.ImportGate", "Information")));
        return (web, database, temp);
    }

    private static async Task StopAsync((WebProcess Web, string Database, string Temp) process)
    {
        await process.Web.DisposeAsync();
        await TestDatabase.DropAsync(process.Database);
        Directory.Delete(process.Temp, recursive: true);
    }

    private static async Task<HttpResponseMessage> ImportAsync(PageClient seller, byte[] bytes, CancellationToken cancellationToken = default)
    {
        var (_, page) = await seller.GetPageAsync("/Seller/Catalog/Import");
        var token = page.QuerySelector("main form.form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(XlsxType);
        form.Add(file, "file", "nang.xlsx");
        var response = await seller.Http.PostAsync("/Seller/Catalog/Import", form, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }

    /// <summary>
    /// Waits until the process has spent a CPU-second on the request (however busy the machine is), and returns the rate
    /// at which it was spending CPU then (CPU-seconds per second over the last second).
    /// </summary>
    private static async Task<double> WaitUntilBusyAsync(WebProcess web, Task request)
    {
        var start = ProcessFigures.CpuTime(web.ProcessId);
        var samples = new List<(TimeSpan At, TimeSpan Cpu)>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120) && !request.IsCompleted)
        {
            await Task.Delay(250);
            var cpu = ProcessFigures.CpuTime(web.ProcessId);
            samples.Add((clock.Elapsed, cpu));
            if (cpu - start < TimeSpan.FromSeconds(1)) continue;
            var earlier = samples.LastOrDefault(s => s.At <= clock.Elapsed - TimeSpan.FromSeconds(1));
            if (earlier == default) continue;
            return (cpu - earlier.Cpu).TotalSeconds / (clock.Elapsed - earlier.At).TotalSeconds;
        }
        throw new InvalidOperationException(request.IsCompleted ? $"the import finished before the test could interrupt it: {request.Status}" : "the import never started");
    }

    [Fact]
    public async Task Reading_stops_at_the_deadline_with_a_Vietnamese_message()
    {
        var process = await StartAsync(timeoutSeconds: 3);
        try
        {
            using var seller = await UploadProcessFixture.SignedInAsync(process.Web, CatalogTestKit.LaBangPhone);
            var heavy = Heavy.Value;
            var before = ProcessFigures.CpuTime(process.Web.ProcessId);
            var watch = Stopwatch.StartNew();
            var response = await ImportAsync(seller, heavy);
            var cpu = ProcessFigures.CpuTime(process.Web.ProcessId) - before;
            output.WriteLine($"heavy file ({Heavy.Value.Length:N0} bytes) with a 3 s deadline: answered {(int)response.StatusCode} after " +
                             $"{watch.Elapsed.TotalSeconds:F1} s, {cpu.TotalSeconds:F1} s CPU");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("Đọc tệp mất quá 3 giây", (await PageClient.ParseAsync(response)).QuerySelector(".error-table")!.TextContent);
            Assert.True(cpu < TimeSpan.FromSeconds(30), $"{cpu} of CPU");
        }
        finally
        {
            await StopAsync(process);
        }
    }

    [Fact]
    public async Task A_long_import_stops_when_the_client_leaves_and_when_the_server_shuts_down()
    {
        var process = await StartAsync(timeoutSeconds: 600);
        try
        {
            var web = process.Web;
            using var seller = await UploadProcessFixture.SignedInAsync(web, CatalogTestKit.LaBangPhone);

            // The client leaves mid-import.
            using var leave = new CancellationTokenSource();
            var request = ImportAsync(seller, Heavy.Value, leave.Token);
            var busy = await WaitUntilBusyAsync(web, request);
            await leave.CancelAsync();
            var left = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
            var stopped = await web.WaitForOutputAsync("stopped after", TimeSpan.FromSeconds(30));
            var stoppedAfter = left.Elapsed;
            // CPU over 3 s from a second later (after the cancelled read's clean-up), sampled every half second.
            await Task.Delay(1000);
            var timeline = new List<double>();
            var previous = ProcessFigures.CpuTime(web.ProcessId);
            for (var i = 0; i < 6; i++)
            {
                await Task.Delay(500);
                var now = ProcessFigures.CpuTime(web.ProcessId);
                timeline.Add((now - previous).TotalSeconds * 2);
                previous = now;
            }
            var idle = timeline.Average();

            // The seller's one import slot is free again: the abandoned import has ended (it would hold the slot otherwise).
            var small = XfdListingXlsx("Sau" + Guid.NewGuid().ToString("N")[..6], 1, claimXfd: false);
            var next = await ImportAsync(seller, small);
            output.WriteLine($"client left: import stopped {stopped} {stoppedAfter.TotalSeconds:F2} s later; CPU use {busy:F2} s/s while reading, " +
                             $"then {string.Join(" ", timeline.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} s/s " +
                             $"every 0.5 s; next import {(int)next.StatusCode}");

            // A shutdown signal (SIGTERM) mid-import: the import ends and the process exits well before the host's 30 s grace.
            var again = ImportAsync(seller, Heavy.Value);
            await WaitUntilBusyAsync(web, again);
            var signalled = Stopwatch.StartNew();
            web.Terminate();
            var exited = await web.WaitForExitAsync(TimeSpan.FromSeconds(60));
            int answer;
            try
            {
                answer = (int)(await again).StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                answer = 0;
            }
            output.WriteLine($"SIGTERM mid-import: exited {exited} after {signalled.Elapsed.TotalSeconds:F1} s; the import's client got " +
                             (answer == 0 ? "no answer (connection closed)" : answer.ToString(System.Globalization.CultureInfo.InvariantCulture)));

            Assert.True(stopped && stoppedAfter < TimeSpan.FromSeconds(10), $"the import stopped {stopped} after {stoppedAfter}:\n{web.RecentOutput}");
            // Measured against the rate while reading, so that a machine busy with other work does not hide a running import
            // (a running import reads on one core: about 1 CPU-s/s on a quiet machine). On a starved machine the reading
            // rate itself falls to the background's (0.15 s/s seen at load 30), so the floor is above that background;
            // the freed import slot below is the other witness that the import ended.
            Assert.True(idle < Math.Max(0.5 * busy, 0.35), $"the process still used {idle:F2} CPU-s/s after the client left ({busy:F2} while reading)");
            Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
            Assert.True(exited && signalled.Elapsed < TimeSpan.FromSeconds(15), $"exited {exited} after {signalled.Elapsed}");
            // Answered "restarting, try again" (503) when the answer could still be sent, or the connection closed.
            Assert.True(answer is 0 or 503, $"answered {answer}");
        }
        finally
        {
            await StopAsync(process);
        }
    }
}
