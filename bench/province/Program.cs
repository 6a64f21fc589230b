using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Db.Domain;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using NpgsqlTypes;

namespace Cho40.Bench.Province;

/// <summary>
/// `generate`: one province with 70 markets × 100 stalls (35 communes) and one year of stored daily reports — 2.6 million
/// stall-day rows and 25,550 market-day rows —, 3,000 sellers with a year of seller reports, 30,000 products, 9,000 trace
/// batches and a year of trace page counts; the big tables by binary COPY. Then the nightly province aggregates are rebuilt
/// and timed. `measure URL`: a province viewer signs in; the dashboard (week, month, sorted), a market drill-down and the
/// open data are timed one request at a time (after a warm-up) and under wrk; prints whether the &lt; 300 ms target is met.
/// </summary>
public static partial class Program
{
    public const string ViewerPhone = "0970000001", ViewerPassword = "bench-province";
    private const int Markets = 70, StallsPerMarket = 100, Sellers = 3000, ProductsPerSeller = 10;
    private static readonly DateOnly FirstDay = new(2031, 1, 1), LastDay = new(2031, 12, 31);
    private static readonly string Duration = Environment.GetEnvironmentVariable("BENCH_DURATION") ?? "10s";

    public static async Task<int> Main(string[] args) => args switch
    {
        ["generate"] => await GenerateAsync(),
        ["measure", var url] => await MeasureAsync(url),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: generate | measure URL (run through ./cho40 bench province)");
        return 2;
    }

    private static async Task<int> GenerateAsync()
    {
        var connectionString = Database.ConnectionStringFrom(Environment.GetEnvironmentVariable("DATABASE_URL")
            ?? throw new InvalidOperationException("DATABASE_URL is not set"));
        await Migrator.EnsureDatabaseExistsAsync(connectionString);
        await Migrator.MigrateAsync(connectionString, _ => { });
        // Loading millions of rows on a shared machine: no 30-second timeouts (COPY's completion included).
        await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 3600 }.ConnectionString);
        await new AdminUnits(db).LoadIfEmptyAsync();
        await using var c = await db.OpenConnectionAsync();
        if (await c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM daily_report_days)"))
        {
            Console.Error.WriteLine("this database already has reports (they cannot be deleted): run on a fresh database (./cho40 bench province)");
            return 2;
        }
        var total = Stopwatch.StartNew();
        var random = new Random(1818);
        var province = await c.ExecuteScalarAsync<string>("SELECT code FROM provinces WHERE name = 'Thái Nguyên'")!;
        var opened = new DateTimeOffset(2030, 12, 1, 0, 0, 0, TimeSpan.Zero);

        // Places, people and things (SQL on the server: a few hundred thousand rows at most).
        var hash = new PasswordHasher<object>().HashPassword(new object(), ViewerPassword);
        await c.ExecuteAsync("""
            INSERT INTO users (phone, display_name, password_hash) VALUES (@ViewerPhone, 'Cán bộ tỉnh (bench)', @hash);
            INSERT INTO user_roles (user_id, role) SELECT id, 'province_viewer' FROM users WHERE phone = @ViewerPhone;
            INSERT INTO province_viewers (user_id, province_code) SELECT id, @province FROM users WHERE phone = @ViewerPhone;
            CREATE TEMP TABLE bench_communes AS
                SELECT code, row_number() OVER (ORDER BY code) AS n FROM communes WHERE province_code = @province ORDER BY code LIMIT @communes;
            INSERT INTO markets (slug, name, province_code, commune_code, created_at)
            SELECT 'bench-cho-' || i, 'Chợ thử ' || i, @province, (SELECT code FROM bench_communes WHERE n = (i + 1) / 2), @opened
            FROM generate_series(1, @Markets) i;
            -- A fifth of the stalls open during the year; 70 % get a QR sign, spread over the year.
            INSERT INTO stalls (market_id, stall_number, name, goods, created_at)
            SELECT m.id, 'S' || s, 'Sạp ' || s, 'Rau', CASE WHEN (m.id * 31 + s) % 5 = 0 THEN @opened + ((m.id * 7 + s * 13) % 330) * interval '1 day' ELSE @opened END
            FROM markets m, generate_series(1, @StallsPerMarket) s WHERE m.slug LIKE 'bench-cho-%';
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder, linked_at)
            SELECT id, '970436', '66' || lpad(id::text, 10, '0'), 'CHU SAP', created_at + ((id * 17) % 200) * interval '1 day'
            FROM stalls WHERE id % 10 < 7;
            INSERT INTO sellers (slug, name, kind, province_code, commune_code, status, created_at)
            SELECT 'bench-nb-' || i, 'HTX thử ' || i, 'cooperative', @province, (SELECT code FROM bench_communes WHERE n = 1 + i % @communes),
                   'approved', @opened + (i % 300) * interval '1 day'
            FROM generate_series(1, @Sellers) i;
            INSERT INTO categories (slug, name, name_en) VALUES ('bench-che', 'Chè thử', 'Test tea') ON CONFLICT (slug) DO NOTHING;
            INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status, created_at)
            SELECT s.id, (SELECT id FROM categories WHERE slug = 'bench-che'), s.slug || '-sp-' || p, 'Chè thử ' || p, 'gói', 100000, 10,
                   CASE WHEN p = 10 THEN 'draft' ELSE 'published' END, s.created_at + p * interval '3 days'
            FROM sellers s, generate_series(1, @ProductsPerSeller) p WHERE s.slug LIKE 'bench-nb-%';
            INSERT INTO daily_report_days (report_day, window_start, window_end, computed_at, previous_cutoff, scope_count, late_count, duration_ms)
            SELECT d::date, (d::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'), ((d + interval '1 day')::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'),
                   ((d + interval '1 day 13 minutes')::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'),
                   CASE WHEN d > @first THEN ((d + interval '13 minutes')::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') END, 0, 0, 0
            FROM generate_series(@first::date, @last::date, interval '1 day') d;
            """, new { ViewerPhone, hash, province, opened, Markets, StallsPerMarket, Sellers, ProductsPerSeller, communes = Markets / 2,
            first = FirstDay, last = LastDay }, commandTimeout: 600);

        var stalls = (await c.QueryAsync<(long Id, DateTimeOffset CreatedAt)>("SELECT id, created_at FROM stalls")).ToList();
        var sellerIds = (await c.QueryAsync<long>("SELECT id FROM sellers")).ToList();
        var products = (await c.QueryAsync<long>("SELECT id FROM products WHERE status = 'published' ORDER BY id")).ToList();
        var stallRows = 0L;
        // Stall reports: each stall on ~85 % of the days it exists, cash and QR counts and amounts.
        await using (var import = await c.BeginBinaryImportAsync("""
            COPY daily_reports (scope_kind, scope_id, report_day, computed_at, cash_count, cash_vnd, qr_count, qr_vnd, cashless_share_bp)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            import.Timeout = TimeSpan.FromHours(1);
            for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
            {
                var (start, end) = VietnamTime.DayBounds(day);
                var computedAt = end.AddMinutes(13);
                foreach (var (id, createdAt) in stalls)
                {
                    if (createdAt >= end) continue;
                    var active = random.Next(100) < 85;
                    var cashCount = active ? random.Next(0, 15) : 0;
                    var qrCount = active ? random.Next(0, 20) : 0;
                    var cash = cashCount * (long)random.Next(20, 200) * 1000;
                    var qr = qrCount * (long)random.Next(20, 200) * 1000;
                    await import.StartRowAsync();
                    await import.WriteAsync("stall");
                    await import.WriteAsync(id);
                    await import.WriteAsync(day, NpgsqlDbType.Date);
                    await import.WriteAsync(computedAt, NpgsqlDbType.TimestampTz);
                    await import.WriteAsync(cashCount);
                    await import.WriteAsync(cash);
                    await import.WriteAsync(qrCount);
                    await import.WriteAsync(qr);
                    if (cash + qr > 0) await import.WriteAsync((int)Math.Round(qr * 10000.0 / (cash + qr)));
                    else await import.WriteNullAsync();
                    stallRows++;
                }
            }
            await import.CompleteAsync();
        }
        // Seller reports: orders on about a fifth of the days.
        var sellerRows = 0L;
        await using (var import = await c.BeginBinaryImportAsync("""
            COPY daily_reports (scope_kind, scope_id, report_day, computed_at, qr_count, qr_vnd, cod_count, cod_vnd) FROM STDIN (FORMAT BINARY)
            """))
        {
            import.Timeout = TimeSpan.FromHours(1);
            for (var day = FirstDay; day <= LastDay; day = day.AddDays(1))
            {
                var computedAt = VietnamTime.DayBounds(day).End.AddMinutes(13);
                foreach (var id in sellerIds)
                {
                    var busy = random.Next(100) < 20;
                    var qr = busy ? random.Next(0, 3) : 0;
                    var cod = busy ? random.Next(0, 4) : 0;
                    await import.StartRowAsync();
                    await import.WriteAsync("seller");
                    await import.WriteAsync(id);
                    await import.WriteAsync(day, NpgsqlDbType.Date);
                    await import.WriteAsync(computedAt, NpgsqlDbType.TimestampTz);
                    await import.WriteAsync(qr);
                    await import.WriteAsync(qr * 250_000L);
                    await import.WriteAsync(cod);
                    await import.WriteAsync(cod * 180_000L);
                    sellerRows++;
                }
            }
            await import.CompleteAsync();
        }
        // Market reports: the sum of their stalls (as the nightly computation stores them).
        await c.ExecuteAsync("""
            INSERT INTO daily_reports (scope_kind, scope_id, report_day, computed_at, cash_count, cash_vnd, qr_count, qr_vnd)
            SELECT 'market', s.market_id, r.report_day, min(r.computed_at), sum(r.cash_count), sum(r.cash_vnd), sum(r.qr_count), sum(r.qr_vnd)
            FROM daily_reports r JOIN stalls s ON s.id = r.scope_id WHERE r.scope_kind = 'stall' GROUP BY s.market_id, r.report_day
            """, commandTimeout: 1200);
        // Trace batches on 30 % of the products, and the days their pages were viewed.
        const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var batchProducts = products.Where((_, i) => i % 10 < 3).ToList();
        await using (var import = await c.BeginBinaryImportAsync(
            "COPY trace_batches (product_id, lot_code, code, quantity, unit, produced_on, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            import.Timeout = TimeSpan.FromHours(1);
            var n = 0L;
            foreach (var product in batchProducts)
            {
                var code = new char[8];
                var v = n++ * 2_654_435_761L % (1L << 40);
                for (var k = 0; k < 8; k++) { code[k] = Alphabet[(int)(v % 32)]; v /= 32; }
                await import.StartRowAsync();
                await import.WriteAsync(product);
                await import.WriteAsync("LOT" + product.ToString(CultureInfo.InvariantCulture));
                await import.WriteAsync(new string(code));
                await import.WriteAsync(10m, NpgsqlDbType.Numeric);
                await import.WriteAsync("kg");
                await import.WriteAsync(FirstDay, NpgsqlDbType.Date);
                await import.WriteAsync(opened.AddDays(random.Next(0, 360)), NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        var batches = (await c.QueryAsync<long>("SELECT id FROM trace_batches")).ToList();
        var scanRows = 0L;
        await using (var import = await c.BeginBinaryImportAsync("COPY trace_batch_scans (batch_id, day, scans) FROM STDIN (FORMAT BINARY)"))
        {
            import.Timeout = TimeSpan.FromHours(1);
            foreach (var batch in batches)
                foreach (var offset in Enumerable.Range(0, 365).Where(_ => random.Next(100) < 12))
                {
                    await import.StartRowAsync();
                    await import.WriteAsync(batch);
                    await import.WriteAsync(FirstDay.AddDays(offset), NpgsqlDbType.Date);
                    await import.WriteAsync((long)random.Next(1, 25));
                    scanRows++;
                }
            await import.CompleteAsync();
        }
        await c.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 1800);
        Console.WriteLine($"generated in {total.Elapsed.TotalSeconds:F0} s: {Markets} markets × {StallsPerMarket} stalls, {stallRows:N0} stall-day reports, "
                          + $"{sellerRows:N0} seller-day reports ({Sellers:N0} sellers), {products.Count:N0} products online, {batches.Count:N0} trace batches, "
                          + $"{scanRows:N0} trace scan days; {FirstDay:yyyy-MM-dd}…{LastDay:yyyy-MM-dd}; {Environment.ProcessorCount} cores");

        var watch = Stopwatch.StartNew();
        var result = await new ProvinceAggregates(db).RefreshAsync(DateTimeOffset.UtcNow);
        Console.WriteLine($"province aggregates rebuilt (the nightly job): {result.Rows:N0} rows in {watch.ElapsedMilliseconds:N0} ms");
        return 0;
    }

    private static async Task<int> MeasureAsync(string baseUrl)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        var signInPage = await http.GetStringAsync("/Account/SignIn");
        var token = TokenPattern().Match(signInPage).Groups[1].Value;
        var signedIn = await http.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Phone"] = ViewerPhone, ["Input.Password"] = ViewerPassword, ["__RequestVerificationToken"] = token,
        }));
        if (signedIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in failed: {(int)signedIn.StatusCode}");
        var cookieHeader = cookies.GetCookieHeader(new Uri(baseUrl));

        var connectionString = Database.ConnectionStringFrom(Environment.GetEnvironmentVariable("DATABASE_URL")!);
        await using var db = new NpgsqlConnection(connectionString);
        var (market, weekKey) = await db.QuerySingleAsync<(long, string)>("""
            SELECT (SELECT id FROM markets WHERE slug = 'bench-cho-37'),
                   (SELECT to_char(max(period_start), 'YYYY-MM-DD') FROM province_stats WHERE period_kind = 'week' AND period_start < '2031-07-01')
            """);
        var pages = new (string Name, string Path, string Marker, bool Dashboard)[]
        {
            ("dashboard, last week", "/Province", "markets-table", true),
            ("dashboard, month", "/Province?kind=month", "markets-table", true),
            ("dashboard, a June week, sorted", $"/Province?kind=week&p={weekKey}&sort=qr_share&dir=desc&csort=orders&cdir=desc", "markets-table", true),
            ("market drill-down", $"/Province/Market/{market}?kind=week", "market-series", true),
            ("open data CSV (weeks)", "/du-lieu-mo/cho40-tuan.csv", "period_kind", false),
        };

        Console.WriteLine();
        Console.WriteLine($"one request at a time (after 5 warm-up requests), 50 each; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"{"page",-34} {"p50",10} {"p95",10} {"max",10} {"bytes",10}");
        var failures = new List<string>();
        foreach (var (name, path, marker, dashboard) in pages)
        {
            for (var i = 0; i < 5; i++) await GetAsync(http, path, marker);
            var times = new List<double>();
            long bytes = 0;
            for (var i = 0; i < 50; i++)
            {
                var watch = Stopwatch.StartNew();
                bytes = await GetAsync(http, path, marker);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            double P(double q) => times[(int)Math.Ceiling(q * times.Count) - 1];
            Console.WriteLine($"{name,-34} {P(0.50),8:F1} ms {P(0.95),7:F1} ms {times[^1],7:F1} ms {bytes,10:N0}");
            if (dashboard && P(0.95) >= 300) failures.Add($"{name}: p95 {P(0.95):F0} ms (target < 300 ms)");
        }

        Console.WriteLine();
        Console.WriteLine($"wrk: 2 threads, 8 connections, {Duration} per page (after a 3 s warm-up)");
        Console.WriteLine($"{"page",-34} {"req/s",10} {"p50",10} {"p99",10}");
        foreach (var (name, path, _, _) in pages.Where(p => p.Dashboard).Take(2))
        {
            string[] common = ["-t2", "-c8", "-H", "Cookie: " + cookieHeader, "--latency", baseUrl + path];
            await RunWrkAsync(["-d3s", .. common]);
            var output = await RunWrkAsync(["-d" + Duration, .. common]);
            var errors = ErrorLine().Match(output);
            Console.WriteLine($"{name,-34} {double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),10:F0} "
                              + $"{Percentile(output, "50%"),7:F1} ms {Percentile(output, "99%"),7:F1} ms{(errors.Success ? "   " + errors.Value.Trim() : "")}");
            if (errors.Success) failures.Add($"{name}: {errors.Value.Trim()}");
        }
        Console.WriteLine();
        Console.WriteLine(failures.Count == 0
            ? "target met: every dashboard page answers in < 300 ms (p95, one request at a time)"
            : "target NOT met:\n  " + string.Join("\n  ", failures));
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<long> GetAsync(HttpClient http, string path, string marker)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || !body.Contains(marker, StringComparison.Ordinal))
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode} without {marker}");
        return body.Length;
    }

    private static async Task<string> RunWrkAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("wrk failed: " + await process.StandardError.ReadToEndAsync());
        return output;
    }

    private static double Percentile(string output, string which)
    {
        var m = Regex.Match(output, @"^\s*" + Regex.Escape(which) + @"\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "ms" => value, _ => value * 1000 };
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)""")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(Non-2xx or 3xx responses: \d+|Socket errors:[^\n]+)")]
    private static partial Regex ErrorLine();
}
