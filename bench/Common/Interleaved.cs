using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cho40.Bench.Common;

/// <summary>One wrk run: requests per second and latency percentiles.</summary>
public sealed record WrkResult(double RequestsPerSecond, TimeSpan P50, TimeSpan P99, string Errors);

/// <summary>One page measured next to its baseline in alternating short rounds: medians and spreads of the rounds.</summary>
public sealed record Comparison(string Name, IReadOnlyList<WrkResult> Page, IReadOnlyList<WrkResult> Baseline)
{
    public IReadOnlyList<double> Ratios => Page.Zip(Baseline, (p, b) => p.RequestsPerSecond / b.RequestsPerSecond).ToList();
    public double Ratio => Interleaved.Median(Ratios);
    public double PageRps => Interleaved.Median(Page.Select(r => r.RequestsPerSecond).ToList());
    public double BaselineRps => Interleaved.Median(Baseline.Select(r => r.RequestsPerSecond).ToList());
    public TimeSpan P50 => TimeSpan.FromTicks((long)Interleaved.Median(Page.Select(r => (double)r.P50.Ticks).ToList()));
    public TimeSpan P99 => TimeSpan.FromTicks((long)Interleaved.Median(Page.Select(r => (double)r.P99.Ticks).ToList()));
    public TimeSpan BaselineP99 => TimeSpan.FromTicks((long)Interleaved.Median(Baseline.Select(r => (double)r.P99.Ticks).ToList()));
    public string Errors => string.Join("; ", Page.Concat(Baseline).Select(r => r.Errors).Where(e => e.Length > 0).Distinct());
}

/// <summary>
/// Measures a page against its baseline in interleaved rounds — page, baseline, page, baseline … — each a short wrk run,
/// so that the load other work puts on a shared machine falls on both alike; reports the median of the rounds and the
/// spread (lowest–highest ratio).
/// </summary>
public static partial class Interleaved
{
    public static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_ROUNDS"), out var r) ? r : 5;
    public static readonly string RoundDuration = Environment.GetEnvironmentVariable("BENCH_ROUND") ?? "4s";
    public static readonly int Connections = int.TryParse(Environment.GetEnvironmentVariable("BENCH_CONNECTIONS"), out var c) ? c : 64;

    public static async Task<Comparison> CompareAsync(string name, string baseUrl, string[] paths, string baselineUrl, string[] baselinePaths)
    {
        var pageScript = await ScriptAsync(paths);
        var baselineScript = await ScriptAsync(baselinePaths);
        try
        {
            // Warm-up of both (JIT, connection pools, plans), not counted.
            await RunAsync(baseUrl, pageScript, "2s");
            await RunAsync(baselineUrl, baselineScript, "2s");
            var page = new List<WrkResult>();
            var baseline = new List<WrkResult>();
            for (var i = 0; i < Rounds; i++)
            {
                // Alternate which goes first so neither always follows the other.
                if (i % 2 == 0)
                {
                    page.Add(await RunAsync(baseUrl, pageScript, RoundDuration));
                    baseline.Add(await RunAsync(baselineUrl, baselineScript, RoundDuration));
                }
                else
                {
                    baseline.Add(await RunAsync(baselineUrl, baselineScript, RoundDuration));
                    page.Add(await RunAsync(baseUrl, pageScript, RoundDuration));
                }
            }
            return new Comparison(name, page, baseline);
        }
        finally
        {
            File.Delete(pageScript);
            File.Delete(baselineScript);
        }
    }

    public static string Header =>
        $"{"page",-34} {"req/s",8} {"p50",9} {"p99",9} {"base/s",8} {"base p99",9} {"ratio",6} {"spread",12}";

    public static string Line(Comparison c) =>
        $"{c.Name,-34} {c.PageRps,8:F0} {Ms(c.P50),9} {Ms(c.P99),9} {c.BaselineRps,8:F0} {Ms(c.BaselineP99),9} {c.Ratio,6:F2} {$"{c.Ratios.Min():F2}–{c.Ratios.Max():F2}",12}"
        + (c.Errors.Length > 0 ? "   " + c.Errors : "");

    public static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms";

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0) return double.NaN;
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The machine as the figures should be read: cores and load average now.</summary>
    public static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
        return $"{Environment.ProcessorCount} cores, load average {load}";
    }

    private static async Task<string> ScriptAsync(string[] paths)
    {
        var lua = new StringBuilder("local paths = {\n");
        foreach (var path in paths) lua.Append("  \"").Append(path.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\",\n");
        lua.Append("""
            }
            local i = 0
            function init(args) i = math.random(#paths) end
            function request()
              i = (i % #paths) + 1
              return wrk.format("GET", paths[i])
            end
            """);
        var file = Path.Combine(Path.GetTempPath(), $"cho40-bench-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(file, lua.ToString());
        return file;
    }

    public static async Task<WrkResult> RunAsync(string baseUrl, string script, string duration)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-t2", $"-c{Connections}", "-d" + duration, "--latency", "-s", script, baseUrl }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("wrk failed: " + await process.StandardError.ReadToEndAsync());
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = ErrorLine().Match(output);
        return new WrkResult(rps, Percentile(output, "50%"), Percentile(output, "99%"), errors.Success ? errors.Value.Trim() : "");
    }

    private static TimeSpan Percentile(string output, string which)
    {
        var m = Regex.Match(output, @"^\s*" + Regex.Escape(which) + @"\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!m.Success) return TimeSpan.Zero;
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => TimeSpan.FromMicroseconds(value), "ms" => TimeSpan.FromMilliseconds(value), _ => TimeSpan.FromSeconds(value) };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(Non-2xx or 3xx responses: \d+|Socket errors:[^\n]+)")]
    private static partial Regex ErrorLine();
}

/// <summary>Bytes on the wire for a first visit: a page and its stylesheets and scripts, compressed as a browser asks.</summary>
public static partial class Wire
{
    public static async Task<(long Html, long Assets, long Headers, long Raw)> FirstVisitAsync(string baseUrl, string path)
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
        long raw = 0;
        var (htmlBytes, htmlHeaders, html) = await GetAsync(http, path);
        raw += Encoding.UTF8.GetByteCount(html);
        long assets = 0, headers = htmlHeaders;
        foreach (Match m in AssetLinks().Matches(html))
        {
            var url = System.Net.WebUtility.HtmlDecode(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
            var (bytes, head, text) = await GetAsync(http, url);
            assets += bytes;
            headers += head;
            raw += Encoding.UTF8.GetByteCount(text);
        }
        return (htmlBytes, assets, headers, raw);
    }

    private static async Task<(long Body, long Headers, string Text)> GetAsync(HttpClient http, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,*/*");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        // Headers as sent: status line, each header line, the blank line.
        var headers = 17L + response.Headers.Concat(response.Content.Headers)
            .Sum(h => h.Key.Length + 2 + string.Join(", ", h.Value).Length + 2) + 2;
        var encoding = response.Content.Headers.ContentEncoding.FirstOrDefault();
        var text = encoding switch
        {
            "br" => Decode(new System.IO.Compression.BrotliStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)),
            "gzip" => Decode(new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)),
            _ => Encoding.UTF8.GetString(body),
        };
        return (body.Length, headers, text);
    }

    private static string Decode(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("""(?:<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)")""")]
    private static partial Regex AssetLinks();
}
