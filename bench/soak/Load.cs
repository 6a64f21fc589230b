using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Cho40.Bench.Soak;

/// <summary>
/// The mixed workload, open loop at a fixed rate: every 1/rate seconds one scenario starts, whatever the ones before are
/// doing (so a slow site meets the same arrivals, as it would in a market). Scenario mix: browse (home → category →
/// product) 45 %, search 20 % (half with Vietnamese diacritics, half without, a typo), trace scans 15 % (batch page, pack
/// page, GS1 Digital Link; 1 in 20 a mistyped code that must answer 404), checkout 10 % (a cookie basket of 1–3 products,
/// COD or VietQR transfer, the form's idempotency key, 1 in 10 submitted twice), stall transfer 10 % (a signed SePay
/// notification to a stall's own account). Every transfer order is paid 1–6 s later by a signed notification naming its
/// code with the amount its page shows; one delivery in ten is delivered again 2–15 s later (a provider retry).
/// </summary>
public sealed partial class Load(Settings settings, Targets targets)
{
    private readonly ConcurrentDictionary<string, EndpointStats> stats = new();
    private readonly ConcurrentDictionary<string, int> instances = new();
    private readonly ConcurrentQueue<string> errorSamples = new();
    private readonly ConcurrentBag<Task> background = [];
    private readonly long transactionBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    private long transactionCounter;
    private int errors;
    private StreamWriter acks = null!;
    private readonly Lock ackLock = new();

    private readonly HttpClient shared = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = 64,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(10),
    }) { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromSeconds(30) };

    public async Task<LoadResult> RunAsync(MemorySampler memory)
    {
        acks = new StreamWriter(Path.Combine(settings.OutDir, "acks.tsv"), append: false) { AutoFlush = true };
        var started = DateTimeOffset.UtcNow;
        Ack($"start\t{started:O}");
        memory.Start();
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(settings.Minutes);
        var scenarios = new List<Task>();
        var nextProgress = TimeSpan.FromMinutes(1);
        Console.WriteLine($"soak: {settings.Minutes} min at {settings.Rate} scenarios/s against {settings.Url}");
        for (long k = 0; ; k++)
        {
            var due = TimeSpan.FromSeconds(k / settings.Rate);
            if (due >= duration) break;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var scenario = PickScenario();
            scenarios.Add(Task.Run(async () =>
            {
                try { await scenario(); }
                catch (Exception e) { Error("scenario", e.ToString()); } // a driver bug must show, not pass unnoticed
            }));
            if (clock.Elapsed >= nextProgress)
            {
                Console.WriteLine($"  {clock.Elapsed.TotalMinutes:F0} min: {stats.Values.Sum(s => s.Count):N0} requests, {errors} errors");
                nextProgress += TimeSpan.FromMinutes(1);
            }
            if (scenarios.Count > 256) scenarios.RemoveAll(t => t.IsCompleted);
        }
        await Task.WhenAll(scenarios);
        // Delayed payments and repeated deliveries still under way.
        while (background.Any(t => !t.IsCompleted)) await Task.WhenAll(background.ToArray());
        var elapsed = clock.Elapsed;
        memory.Stop();
        Ack($"end\t{DateTimeOffset.UtcNow:O}");
        await acks.DisposeAsync();
        return new LoadResult(stats, instances, errorSamples.ToList(), errors, elapsed, memory);
    }

    private Func<Task> PickScenario()
    {
        var roll = Random.Shared.NextDouble();
        return roll switch
        {
            < 0.45 => BrowseAsync,
            < 0.65 => SearchAsync,
            < 0.80 => TraceAsync,
            < 0.90 => CheckoutAsync,
            _ => StallTransferAsync,
        };
    }

    private static T Pick<T>(IReadOnlyList<T> items) => items[Random.Shared.Next(items.Count)];

    // ---- scenarios -------------------------------------------------------------------------------------------------

    private async Task BrowseAsync()
    {
        await GetAsync("home", "/");
        await GetAsync("category", "/danh-muc/" + Pick(targets.CategorySlugs));
        await GetAsync("product", "/san-pham/" + Pick(targets.ProductSlugs));
    }

    private async Task SearchAsync()
    {
        var q = Pick(Catalogue.Searches);
        var label = q.Any(c => c > 127) ? "search (diacritics)" : "search (ascii)";
        await GetAsync(label, "/search?q=" + Uri.EscapeDataString(q));
    }

    private async Task TraceAsync()
    {
        var path = Pick(targets.TracePaths);
        if (Random.Shared.Next(20) == 0)
        {
            // A code typed with one wrong character: the check character rejects it, 404 (expected).
            var code = path.StartsWith("/t/", StringComparison.Ordinal) ? path[3..11] : "TCDB25AQ";
            var last = code[^1] == 'X' ? 'Y' : 'X';
            await SendAsync(shared, "trace (mistyped, 404)", new HttpRequestMessage(HttpMethod.Get, "/t/" + code[..^1] + last), [404]);
            return;
        }
        var label = path.StartsWith("/01/", StringComparison.Ordinal)
            ? path.Contains("/21/", StringComparison.Ordinal) ? "digital link (pack)" : "digital link (batch)"
            : path.Count(c => c == '/') == 3 ? "trace (pack)" : "trace (batch)";
        await GetAsync(label, path);
    }

    private async Task CheckoutAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer(), ConnectTimeout = TimeSpan.FromSeconds(10),
        }) { BaseAddress = new Uri(settings.Url), Timeout = TimeSpan.FromSeconds(30) };

        var lines = new Dictionary<string, int>();
        var lineCount = Random.Shared.Next(1, 4);
        while (lines.Count < lineCount) lines[Pick(targets.BuyableSlugs)] = Random.Shared.Next(1, 4);
        foreach (var (slug, quantity) in lines)
        {
            var page = await SendAsync(client, "product", Get("/san-pham/" + slug), [200]);
            if (page is null) return;
            var action = FormAction().Match(page.Body);
            if (!action.Success) { Error("product", $"no add-to-cart form on /san-pham/{slug}"); return; }
            // The basket button has no antiforgery token (the browser's Fetch Metadata protects it); post as the browser does.
            var post = Post(WebUtility.HtmlDecode(action.Groups[1].Value), new() { ["quantity"] = quantity.ToString(CultureInfo.InvariantCulture) });
            post.Headers.Add("Sec-Fetch-Site", "same-origin");
            var added = await SendAsync(client, "add to cart", post, [302]);
            if (added is null) return;
        }
        if (await SendAsync(client, "cart", Get("/gio-hang"), [200]) is null) return;
        var form = await SendAsync(client, "checkout form", Get("/thanh-toan"), [200]);
        if (form is null) return;
        var formToken = AntiforgeryToken(form.Body);
        var key = IdempotencyKey().Match(form.Body);
        if (formToken is null || !key.Success) { Error("checkout form", "no antiforgery token or idempotency key in /thanh-toan"); return; }
        var method = Random.Shared.Next(2) == 0 ? "cod" : "transfer";
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = formToken,
            ["Input.IdempotencyKey"] = key.Groups[1].Value,
            ["Input.Name"] = "Nguyễn Thị Khách " + Random.Shared.Next(1000),
            ["Input.Phone"] = "09" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture),
            ["Input.ProvinceCode"] = "19",
            ["Input.CommuneCode"] = "05503",
            ["Input.AddressLine"] = "Xóm Hồng Thái " + Random.Shared.Next(1, 9),
            ["Input.Note"] = "Giao giờ hành chính",
            ["Input.PaymentMethod"] = method,
        };
        var placed = await SendAsync(client, "checkout POST", Post("/thanh-toan", fields), [302]);
        if (placed?.Location is not { } location) { if (placed is not null) Error("checkout POST", "no Location"); return; }
        if (!location.StartsWith("/don-hang/", StringComparison.Ordinal)) { Error("checkout POST", "redirected to " + location); return; }
        if (Random.Shared.Next(10) == 0)
        {
            // A double submit (or a retry after a lost answer): the same checkout comes back, nothing new is placed.
            var again = await SendAsync(client, "checkout resubmit", Post("/thanh-toan", fields), [302]);
            if (again is not null && again.Location != location) Error("checkout resubmit", $"second submit went to {again.Location}, first to {location}");
        }

        var orderTokens = new List<string>();
        var landing = await SendAsync(client, "order page", Get(location), [200]);
        if (landing is null) return;
        if (location.StartsWith("/don-hang/nhom/", StringComparison.Ordinal))
            orderTokens.AddRange(OrderLink().Matches(landing.Body).Select(m => m.Groups[1].Value).Distinct());
        else orderTokens.Add(location["/don-hang/".Length..]);

        var orders = new List<(string Code, long Amount)>();
        foreach (var token in orderTokens)
        {
            var page = location.StartsWith("/don-hang/nhom/", StringComparison.Ordinal)
                ? await SendAsync(client, "order page", Get("/don-hang/" + token), [200])
                : landing;
            if (page is null) return;
            var code = OrderCode().Match(page.Body);
            if (!code.Success) { Error("order page", "no order code on the order page"); return; }
            long amount = 0;
            if (method == "transfer")
            {
                var shown = TransferAmount().Match(page.Body);
                if (!shown.Success) { Error("order page", $"transfer order {code.Groups[1].Value} shows no amount to pay"); return; }
                amount = long.Parse(shown.Groups[1].Value.Replace(".", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            }
            orders.Add((code.Groups[1].Value, amount));
        }
        if (orders.Count == 0) { Error("order page", "a checkout with no orders"); return; }
        Ack($"checkout\t{key.Groups[1].Value}\t{location}\t{method}\t{string.Join(',', orders.Select(o => o.Code))}\t" +
            string.Join(',', lines.Select(l => $"{l.Key}:{l.Value}")));

        if (method == "transfer")
        {
            foreach (var (code, amount) in orders)
            {
                Later(TimeSpan.FromMilliseconds(Random.Shared.Next(1000, 6000)), () => DeliverAsync("order", code, targets.CollectionAccount, amount,
                    $"MBVCB.{Random.Shared.Next(100000, 999999)}.Cho40 {code}.CT tu 09{Random.Shared.Next(10_000_000, 99_999_999)}"));
            }
        }
    }

    private Task StallTransferAsync()
    {
        var account = Pick(targets.StallAccounts);
        var amount = Random.Shared.Next(1, 100) * 5_000L;
        return DeliverAsync("stall", account, account, amount, $"NGUYEN VAN AN chuyen tien mua rau {Random.Shared.Next(1000)}");
    }

    /// <summary>One SePay notification, signed as SePay would; one in ten is delivered again a little later.</summary>
    private async Task DeliverAsync(string kind, string target, string account, long amount, string content)
    {
        var id = transactionBase + Interlocked.Increment(ref transactionCounter);
        var when = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var body = $$"""{"id":{{id}},"gateway":"MBBank","transactionDate":"{{when}}","accountNumber":"{{account}}","subAccount":null,"code":null,"content":"{{content}}","transferType":"in","transferAmount":{{amount}},"accumulated":0,"referenceCode":"FT{{id}}","description":""}""";
        if (!await PostNotificationAsync("webhook (" + kind + ")", account, body, duplicate: false)) return;
        Ack($"delivery\t{id}\t{kind}\t{target}\t{amount}\t0");
        if (Random.Shared.Next(10) == 0)
        {
            Later(TimeSpan.FromMilliseconds(Random.Shared.Next(2000, 15000)), async () =>
            {
                if (await PostNotificationAsync("webhook (duplicate)", account, body, duplicate: true)) Ack($"delivery\t{id}\t{kind}\t{target}\t{amount}\t1");
            });
        }
    }

    private void Later(TimeSpan delay, Func<Task> work) => background.Add(Task.Run(async () =>
    {
        await Task.Delay(delay);
        try { await work(); }
        catch (Exception e) { Error("scenario", e.ToString()); }
    }));

    private async Task<bool> PostNotificationAsync(string label, string account, string body, bool duplicate)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.SepaySecret),
            Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, settings.Url + targets.WebhookPaths[account])
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-SePay-Timestamp", timestamp);
        request.Headers.Add("X-SePay-Signature", signature);
        var reply = await SendAsync(shared, label, request, [200]);
        if (reply is null) return false;
        var expected = duplicate ? "\"newTransfers\":0,\"duplicates\":1" : "\"newTransfers\":1,\"duplicates\":0";
        if (!reply.Body.Contains(expected, StringComparison.Ordinal))
        {
            Error(label, $"answer {reply.Body} (expected {expected})");
            return false;
        }
        return true;
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------------

    public sealed record Reply(int Status, string Body, string? Location);

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Post(string path, Dictionary<string, string> fields) =>
        new(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };

    private Task<Reply?> GetAsync(string label, string path) =>
        SendAsync(shared, label, new HttpRequestMessage(HttpMethod.Get, settings.Url + path), [200]);

    private async Task<Reply?> SendAsync(HttpClient client, string label, HttpRequestMessage request, int[] expected)
    {
        var endpoint = stats.GetOrAdd(label, _ => new EndpointStats());
        var watch = Stopwatch.StartNew();
        try
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                var body = await response.Content.ReadAsStringAsync();
                watch.Stop();
                endpoint.Record(watch.Elapsed.TotalMilliseconds);
                if (response.Headers.TryGetValues("X-Cho40-Instance", out var names)) instances.AddOrUpdate(names.First(), 1, (_, n) => n + 1);
                var status = (int)response.StatusCode;
                if (!expected.Contains(status))
                {
                    Error(label, $"{request.Method} {request.RequestUri} answered {status} (expected {string.Join('/', expected)}): " +
                                 body[..Math.Min(body.Length, 200)].ReplaceLineEndings(" "));
                    return null;
                }
                return new Reply(status, body, response.Headers.Location?.OriginalString);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            endpoint.Record(watch.Elapsed.TotalMilliseconds);
            Error(label, $"{request.Method} {request.RequestUri}: {(e is TaskCanceledException ? "timeout after 30 s" : e.Message)}");
            return null;
        }
    }

    private void Error(string label, string message)
    {
        Interlocked.Increment(ref errors);
        stats.GetOrAdd(label, _ => new EndpointStats()).Error();
        if (errorSamples.Count < 50) errorSamples.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss} {label}: {message}");
    }

    private void Ack(string line)
    {
        lock (ackLock) acks.WriteLine(line);
    }

    private static string? AntiforgeryToken(string html)
    {
        var match = AntiforgeryInput().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    [GeneratedRegex("""<input[^>]*name="__RequestVerificationToken"[^>]*value="([^"]+)""")]
    private static partial Regex AntiforgeryInput();

    [GeneratedRegex("""<form[^>]*action="([^"]*handler=AddToCart[^"]*)""")]
    private static partial Regex FormAction();

    [GeneratedRegex("""name="Input.IdempotencyKey"[^>]*value="([0-9a-fA-F-]{36})""")]
    private static partial Regex IdempotencyKey();

    [GeneratedRegex("""href="/don-hang/([A-Za-z0-9_-]{16,})""")]
    private static partial Regex OrderLink();

    [GeneratedRegex("""<h1>[^<]*(DH-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6})</h1>""")]
    private static partial Regex OrderCode();

    // The VietQR instructions' amount (<strong id="transfer-amount">, since the order page's large-type redesign), or a
    // payOS link's (<dd><strong>…</strong></dd>).
    // Razor writes the non-breaking space before ₫ as &#xA0;.
    [GeneratedRegex("""(?:id="transfer-amount">|<dd><strong>)([0-9.]+)(?:\s|&#xA0;)*₫</strong>""")]
    private static partial Regex TransferAmount();
}

public sealed class EndpointStats
{
    private readonly List<double> latencies = [];
    private int errors;

    public int Count { get { lock (latencies) return latencies.Count; } }
    public int Errors => errors;

    public void Record(double ms) { lock (latencies) latencies.Add(ms); }
    public void Error() => Interlocked.Increment(ref errors);

    public double Percentile(double p)
    {
        lock (latencies)
        {
            if (latencies.Count == 0) return 0;
            var sorted = latencies.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }

    public double Max() { lock (latencies) return latencies.Count == 0 ? 0 : latencies.Max(); }
}

public sealed record LoadResult(ConcurrentDictionary<string, EndpointStats> Stats, ConcurrentDictionary<string, int> Instances,
    IReadOnlyList<string> ErrorSamples, int Errors, TimeSpan Elapsed, MemorySampler Memory)
{
    public int Requests => Stats.Values.Sum(s => s.Count);

    public void Print(Settings settings)
    {
        Console.WriteLine();
        Console.WriteLine($"requests by type ({Elapsed.TotalMinutes:F1} min, {Requests:N0} requests, {Requests / Elapsed.TotalSeconds:F1} req/s):");
        Console.WriteLine($"  {"endpoint",-24} {"count",8} {"errors",7} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
        foreach (var (label, s) in Stats.OrderBy(s => s.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {label,-24} {s.Count,8:N0} {s.Errors,7} {s.Percentile(0.5),8:F1} {s.Percentile(0.99),8:F1} {s.Max(),8:F1}");
        Console.WriteLine($"  {"all",-24} {Requests,8:N0} {Errors,7}");
        Console.WriteLine("served by: " + string.Join(", ", Instances.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key} {i.Value:N0}")));
        Console.WriteLine($"errors: {Errors}");
        foreach (var sample in ErrorSamples.Take(20)) Console.WriteLine("  " + sample);
    }
}
