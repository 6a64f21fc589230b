using System.Diagnostics;
using Cho40.Bench.Common;

// Trace benchmark (bench/trace/run starts the sites): the public trace page next to the minimal page in interleaved
// rounds — without any cache in front, from the output cache (and a third site, when given, to compare) — and its bytes
// on the wire for a first visit. Prints each target as met / not met.
//   args: NOCACHE_URL CACHE_URL [OTHER_URL]
var targets = new List<(string Target, bool Met, string Figure)>();
if (args.Length >= 2)
{
    var (noCache, cache) = (args[0].TrimEnd('/'), args[1].TrimEnd('/'));
    string[] trace = ["/t/TCDB25AQ", "/01/08936042000017/10/TC2025-A", "/t/TCMC25BQ"];
    string[] minimal = ["/bench/minimal-trace"];
    Console.WriteLine($"machine: {Interleaved.Machine()}; wrk 2 threads, {Interleaved.Connections} connections, {Interleaved.Rounds} interleaved rounds of {Interleaved.RoundDuration}");

    // Where the time goes, one request at a time: the page against a bare health check and the minimal page.
    Console.WriteLine("one connection (ms per request, median of 3 × 2 s):");
    foreach (var (name, url, paths) in new[] { ("healthz", noCache, new[] { "/healthz" }), ("minimal page", noCache, minimal),
                 ("trace page, no cache", noCache, trace), ("trace page, output cache", cache, trace) })
    {
        var script = Path.Combine(Path.GetTempPath(), $"cho40-one-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, "local p = {" + string.Join(",", paths.Select(p => $"\"{p}\"")) +
            "}\nlocal i = 0\nfunction request() i = (i % #p) + 1 return wrk.format(\"GET\", p[i]) end\n");
        var runs = new List<double>();
        var saved = Environment.GetEnvironmentVariable("BENCH_CONNECTIONS");
        for (var i = 0; i < 3; i++)
        {
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true };
            foreach (var a in new[] { "-t1", "-c1", "-d2s", "-s", script, url }) start.ArgumentList.Add(a);
            using var wrk = Process.Start(start)!;
            var output = await wrk.StandardOutput.ReadToEndAsync();
            await wrk.WaitForExitAsync();
            var rps = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture);
            runs.Add(1000 / rps);
        }
        File.Delete(script);
        Console.WriteLine($"  {name,-28} {Interleaved.Median(runs),6:F2} ms");
    }

    Console.WriteLine(Interleaved.Header);
    var plain = await Interleaved.CompareAsync("trace page, no cache", noCache, trace, noCache, minimal);
    Console.WriteLine(Interleaved.Line(plain));
    var cached = await Interleaved.CompareAsync("trace page, output cache", cache, trace, cache, minimal);
    Console.WriteLine(Interleaved.Line(cached));
    if (args.Length >= 3)
    {
        var multiplexed = await Interleaved.CompareAsync("trace page, third site", args[2].TrimEnd('/'), trace, args[2].TrimEnd('/'), minimal);
        Console.WriteLine(Interleaved.Line(multiplexed));
    }
    targets.Add(("trace page without cache ≥ 0.7× minimal", plain.Ratio >= 0.7, $"{plain.Ratio:F2}×"));
    targets.Add(("trace page without cache p99 < 50 ms", plain.P99 < TimeSpan.FromMilliseconds(50), Interleaved.Ms(plain.P99)));
    targets.Add(("trace page from the output cache ≥ 3× minimal", cached.Ratio >= 3, $"{cached.Ratio:F2}×"));

    var wire = await Wire.FirstVisitAsync(noCache, "/t/TCDB25AQ");
    var total = wire.Html + wire.Assets + wire.Headers;
    Console.WriteLine($"trace page first visit on the wire: {total:N0} B (HTML {wire.Html:N0} + CSS/JS {wire.Assets:N0} compressed, headers {wire.Headers:N0}); {wire.Raw:N0} B uncompressed");
    targets.Add(("trace page first visit ≤ 8 KB on the wire", total <= 8 * 1024, $"{total:N0} B"));
}

// The 1,000-label PDF has its own benchmark: bench/labels (`./cho40 bench labels`).
foreach (var (target, met, figure) in targets) Console.WriteLine($"target {(met ? "met" : "NOT MET")}: {target} — {figure}");
