using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bogus;
using Cho40.Db;
using Cho40.Db.Domain;
using Dapper;
using Npgsql;
using NpgsqlTypes;

// Shop benchmark. `generate`: realistic data at scale through binary COPY into the database named by
// DATABASE_URL. `measure URL`: wrk at 64 connections on each shop page and on the minimal page.
var mode = args.FirstOrDefault() ?? "";
if (mode == "generate")
{
    var url = Environment.GetEnvironmentVariable("DATABASE_URL") ?? throw new InvalidOperationException("DATABASE_URL is not set");
    await Generator.RunAsync(Cho40.Db.Database.ConnectionStringFrom(url));
}
else if (mode == "measure" && args.Length == 2)
{
    var url = Environment.GetEnvironmentVariable("DATABASE_URL") ?? throw new InvalidOperationException("DATABASE_URL is not set");
    await Measurement.RunAsync(args[1].TrimEnd('/'), Cho40.Db.Database.ConnectionStringFrom(url));
}
else
{
    Console.Error.WriteLine("usage: Cho40.Bench.Shop generate | measure http://127.0.0.1:PORT   (DATABASE_URL must be set)");
    return 2;
}
return 0;

internal static class Generator
{
    public const int Sellers = 2_000;
    public const int Products = 100_000;
    public const int Orders = 1_000_000;
    private const string Alphabet = Cho40.Db.Orders.CodeAlphabet;

    // Product families: category slug, name stem, units and a price range (VND). Thái Nguyên is tea country.
    private static readonly (string Category, string Stem, string[] Units, int Min, int Max)[] Families =
    [
        ("che-xanh", "Chè búp", ["gói 200 g", "túi 500 g", "túi 1 kg"], 80_000, 300_000),
        ("che-xanh", "Chè xanh", ["gói 200 g", "túi 500 g", "túi 1 kg"], 60_000, 250_000),
        ("che-cao-cap", "Chè nõn tôm", ["hộp 100 g", "hộp 200 g"], 200_000, 600_000),
        ("che-cao-cap", "Chè đinh", ["hộp 100 g"], 350_000, 900_000),
        ("che-cao-cap", "Trà móc câu", ["gói 100 g", "hộp 500 g"], 70_000, 400_000),
        ("tra-uop-che-bien", "Trà ướp sen", ["hộp 200 g"], 250_000, 500_000),
        ("tra-uop-che-bien", "Trà túi lọc", ["hộp 25 túi × 2 g"], 40_000, 90_000),
        ("tra-uop-che-bien", "Hồng trà", ["túi 200 g", "túi 250 g"], 100_000, 300_000),
        ("gao", "Gạo Bao Thai", ["túi 5 kg", "bao 10 kg"], 90_000, 250_000),
        ("gao", "Gạo nếp cái hoa vàng", ["túi 2 kg", "túi 5 kg"], 70_000, 220_000),
        ("gao", "Gạo lứt đỏ", ["túi 2 kg"], 60_000, 120_000),
        ("rau-cu", "Rau cải ngọt", ["bó 500 g", "kg"], 15_000, 40_000),
        ("rau-cu", "Khoai lang mật", ["kg", "thùng 5 kg"], 25_000, 150_000),
        ("rau-cu", "Măng tre tươi", ["kg"], 20_000, 60_000),
        ("trai-cay", "Na dai", ["kg", "hộp 3 kg"], 45_000, 200_000),
        ("trai-cay", "Bưởi", ["quả", "thùng 10 quả"], 30_000, 350_000),
        ("trai-cay", "Ổi lê", ["kg"], 25_000, 60_000),
        ("trai-cay", "Quýt", ["kg", "thùng 5 kg"], 35_000, 200_000),
        ("dac-san-ocop", "Tinh bột nghệ", ["hũ 200 g", "hũ 500 g"], 120_000, 400_000),
        ("dac-san-ocop", "Thịt trâu gác bếp", ["túi 500 g"], 350_000, 600_000),
        ("dac-san-ocop", "Bánh chưng", ["chiếc", "cặp"], 50_000, 150_000),
        ("mat-ong", "Mật ong rừng", ["chai 500 ml", "chai 1 lít"], 200_000, 600_000),
        ("mat-ong", "Mật ong hoa nhãn", ["chai 500 ml"], 150_000, 300_000),
        ("nam", "Nấm hương rừng", ["túi 200 g", "túi 500 g"], 120_000, 400_000),
        ("nam", "Mộc nhĩ", ["túi 200 g", "túi 500 g"], 50_000, 180_000),
        ("nam", "Nấm linh chi", ["hộp 250 g"], 300_000, 900_000),
        ("mien-bun", "Miến dong", ["túi 500 g", "túi 1 kg", "túi 2 kg"], 45_000, 160_000),
        ("mien-bun", "Bún khô", ["túi 500 g"], 25_000, 60_000),
        ("gia-vi", "Gừng trâu", ["kg"], 40_000, 90_000),
        ("gia-vi", "Hạt mắc khén", ["hũ 100 g"], 60_000, 150_000),
        ("qua-tang", "Hộp quà chè", ["hộp 2 × 200 g"], 300_000, 800_000),
        ("qua-tang", "Giỏ quà Tết", ["giỏ"], 500_000, 2_000_000),
    ];

    private static readonly string[] Places =
    [
        "Tân Cương", "La Bằng", "Trại Cài", "Định Hóa", "Võ Nhai", "La Hiên", "Ba Bể", "Na Rì", "Đồng Hỷ", "Phú Lương",
        "Đại Từ", "Hoàng Nông", "Phúc Xuân", "Quân Chu", "Sông Cầu", "Phổ Yên", "Chợ Đồn", "Bạch Thông", "Quảng Bạch",
        "Tam Đảo", "Núi Cốc", "Hùng Sơn", "Minh Lập", "Khe Cốc", "Vô Tranh", "Yên Đổ", "Tức Tranh", "Cao Bồ", "Mộc Châu",
        "Bắc Sơn", "Lục Ngạn", "Hải Hậu", "Điện Biên", "Cao Phong", "Hàm Yên", "Shan tuyết", "Trung du", "Hà Giang",
    ];

    private static readonly string[] Qualifiers =
    [
        "loại 1", "đặc biệt", "thượng hạng", "vụ xuân", "vụ thu", "hữu cơ", "hằng ngày", "OCOP", "nguyên chất", "truyền thống",
        "sạch", "", "", "",
    ];

    private static readonly string[] Sentences =
    [
        "Sản phẩm được thu hái và chế biến thủ công tại hợp tác xã.",
        "Vùng trồng đạt tiêu chuẩn VietGAP, không dùng thuốc trừ sâu hóa học.",
        "Đóng gói hút chân không, bảo quản nơi khô ráo, tránh ánh nắng trực tiếp.",
        "Giao hàng toàn quốc, đóng thùng cẩn thận, có tem truy xuất nguồn gốc.",
        "Hương vị đậm đà, hậu ngọt, phù hợp làm quà biếu người thân và đối tác.",
        "Mỗi lô đều được kiểm tra chất lượng trước khi xuất bán.",
        "Sản phẩm của đồng bào dân tộc vùng cao, canh tác theo cách truyền thống.",
        "**Cách dùng:** pha với nước khoảng 85 °C, hãm 1–2 phút rồi rót ra chén.",
        "Có lông tuyết trắng, cánh nhỏ đều, nước xanh vàng sánh.",
        "Hạn sử dụng 12 tháng kể từ ngày sản xuất.",
    ];

    public static async Task RunAsync(string connectionString)
    {
        // Index maintenance at the end of a million-row COPY can outlast the default 30 s timeout on a busy machine.
        connectionString = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString;
        var total = Stopwatch.StartNew();
        await Migrator.EnsureDatabaseExistsAsync(connectionString);
        await Migrator.MigrateAsync(connectionString);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await new AdminUnits(db).LoadIfEmptyAsync();
        await using var connection = await db.OpenConnectionAsync();
        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM products") >= Products)
        {
            Console.WriteLine("data already generated");
            return;
        }
        Randomizer.Seed = new Random(20251122);
        var faker = new Faker("vi");
        var random = new Random(42);

        var provinces = (await connection.QueryAsync<string>("SELECT code FROM provinces ORDER BY code")).ToArray();
        var communes = (await connection.QueryAsync<(string Code, string Province)>("SELECT code, province_code FROM communes ORDER BY code"))
            .GroupBy(c => c.Province).ToDictionary(g => g.Key, g => g.Select(c => c.Code).ToArray());
        const string thaiNguyen = "19";

        // Categories as in the demo data.
        await connection.ExecuteAsync("""
            INSERT INTO categories (slug, name, name_en, sort_order) VALUES
                ('che-tra', 'Chè & Trà', 'Tea', 10), ('gao', 'Gạo', 'Rice', 20), ('rau-cu', 'Rau củ', 'Vegetables', 30),
                ('trai-cay', 'Trái cây', 'Fruit', 40), ('dac-san-ocop', 'Đặc sản OCOP', 'OCOP specialities', 50),
                ('mat-ong', 'Mật ong', 'Honey', 60), ('nam', 'Nấm', 'Mushrooms', 70), ('mien-bun', 'Miến & bún', 'Noodles', 80),
                ('gia-vi', 'Gia vị', 'Spices', 90), ('qua-tang', 'Quà tặng', 'Gifts', 100);
            INSERT INTO categories (slug, name, name_en, parent_id, sort_order)
            SELECT v.slug, v.name, v.name_en, (SELECT id FROM categories WHERE slug = 'che-tra'), v.sort
            FROM (VALUES ('che-xanh', 'Chè xanh búp', 'Green tea', 11), ('che-cao-cap', 'Chè cao cấp', 'Premium tea', 12),
                         ('tra-uop-che-bien', 'Trà ướp hương & túi lọc', 'Scented & bagged tea', 13)) AS v (slug, name, name_en, sort);
            """);
        var categoryIds = (await connection.QueryAsync<(string Slug, int Id)>("SELECT slug, id FROM categories")).ToDictionary(c => c.Slug, c => c.Id);

        // Sellers: cooperatives and households, most in Thái Nguyên, 95 % approved.
        var step = Stopwatch.StartNew();
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY sellers (slug, name, kind, province_code, commune_code, address_line, phone, description, status, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Sellers; i++)
            {
                var kind = i % 5 == 0 ? "household" : i % 17 == 0 ? "enterprise" : "cooperative";
                var place = Places[random.Next(Places.Length)];
                var name = kind switch
                {
                    "household" => $"Hộ {faker.Name.FullName()} {place}",
                    "enterprise" => $"Công ty đặc sản {place} {faker.Name.LastName()}",
                    _ => $"HTX {Families[random.Next(Families.Length)].Stem} {place} {i + 1}",
                };
                var province = random.NextDouble() < 0.6 ? thaiNguyen : provinces[random.Next(provinces.Length)];
                await import.StartRowAsync();
                await import.WriteAsync($"{Slug.From(name, 60)}-{i + 1}");
                await import.WriteAsync(name.Length > 200 ? name[..200] : name);
                await import.WriteAsync(kind);
                await import.WriteAsync(province);
                await import.WriteAsync(communes[province][random.Next(communes[province].Length)]);
                await import.WriteAsync($"Thôn {random.Next(1, 20)}, {place}");
                await import.WriteAsync("09" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture));
                await import.WriteAsync(string.Join(" ", Enumerable.Range(0, 3).Select(_ => Sentences[random.Next(Sentences.Length)])));
                await import.WriteAsync(i % 20 == 19 ? "pending" : "approved");
                await import.WriteAsync(DateTime.UtcNow.AddDays(-random.Next(1, 700)), NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        var sellerIds = (await connection.QueryAsync<long>("SELECT id FROM sellers ORDER BY id")).ToArray();
        Console.WriteLine($"sellers: {Sellers:N0} in {step.Elapsed.TotalSeconds:F1} s");

        // Products: family × place × qualifier; 90 % published.
        step.Restart();
        await using (var import = await connection.BeginBinaryImportAsync("""
            COPY products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars, certifications,
                           origin_province_code, origin_commune_code, status, created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < Products; i++)
            {
                // Tea families are the most common (Thái Nguyên).
                var family = random.NextDouble() < 0.4 ? Families[random.Next(8)] : Families[random.Next(Families.Length)];
                var place = Places[random.Next(Places.Length)];
                var qualifier = Qualifiers[random.Next(Qualifiers.Length)];
                var unit = family.Units[random.Next(family.Units.Length)];
                var name = $"{family.Stem} {place} {qualifier}".Trim();
                var stars = random.NextDouble() < 0.2 ? (short?)random.Next(3, 6) : null;
                var province = place is "Mộc Châu" or "Bắc Sơn" or "Lục Ngạn" or "Hải Hậu" or "Điện Biên" or "Cao Phong" or "Hàm Yên" or "Hà Giang" or "Cao Bồ"
                    ? provinces[random.Next(provinces.Length)] : thaiNguyen;
                var created = DateTime.UtcNow.AddMinutes(-(Products - i) * 7);
                await import.StartRowAsync();
                await import.WriteAsync(sellerIds[random.Next(sellerIds.Length)]);
                await import.WriteAsync(categoryIds[family.Category]);
                await import.WriteAsync($"{Slug.From(name, 60)}-{i + 1}");
                await import.WriteAsync(name);
                await import.WriteAsync(string.Join(" ", Enumerable.Range(0, random.Next(2, 5)).Select(_ => Sentences[random.Next(Sentences.Length)])));
                await import.WriteAsync(unit);
                await import.WriteAsync((long)(random.Next(family.Min, family.Max) / 1000 * 1000));
                await import.WriteAsync(random.NextDouble() < 0.05 ? 0 : random.Next(1, 500));
                if (stars is short s) await import.WriteAsync(s, NpgsqlDbType.Smallint); else await import.WriteNullAsync();
                await import.WriteAsync(stars is null ? (random.NextDouble() < 0.3 ? ["VietGAP"] : Array.Empty<string>())
                    : new[] { "VietGAP", $"OCOP {stars} sao" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await import.WriteAsync(province);
                await import.WriteAsync(communes[province][random.Next(communes[province].Length)]);
                await import.WriteAsync(random.NextDouble() < 0.9 ? "published" : random.NextDouble() < 0.5 ? "draft" : "unpublished");
                await import.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(created, NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        var products = (await connection.QueryAsync<(long Id, string Name, string Unit, long Price, long Seller)>(
            "SELECT id, name, unit, price_vnd, seller_id FROM products ORDER BY id")).ToArray();
        Console.WriteLine($"products: {Products:N0} in {step.Elapsed.TotalSeconds:F1} s");

        // Orders: one checkout each, one or two units of one product, spread over two years.
        step.Restart();
        var statuses = new[] { "delivered", "delivered", "delivered", "delivered", "shipped", "confirmed", "placed", "cancelled", "returned" };
        var names = Enumerable.Range(0, 500).Select(_ => faker.Name.FullName()).ToArray();
        var firstGroup = await connection.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) + 1 FROM checkout_groups");
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY checkout_groups (idempotency_key, access_token, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Orders; i++)
            {
                await import.StartRowAsync();
                await import.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                await import.WriteAsync("g" + Guid.NewGuid().ToString("N"));
                await import.WriteAsync(OrderTime(i), NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        var orderLines = new (int Product, int Quantity)[Orders];
        var firstOrder = await connection.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) + 1 FROM orders");
        await using (var import = await connection.BeginBinaryImportAsync("""
            COPY orders (code, access_token, checkout_group_id, seller_id, customer_name, customer_phone, province_code, commune_code,
                         address_line, note, payment_method, status, subtotal_vnd, shipping_fee_vnd, total_vnd, payment_status,
                         created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < Orders; i++)
            {
                var product = random.Next(products.Length);
                var quantity = random.Next(1, 3);
                orderLines[i] = (product, quantity);
                var p = products[product];
                var province = random.NextDouble() < 0.5 ? thaiNguyen : provinces[random.Next(provinces.Length)];
                var subtotal = p.Price * quantity;
                var transfer = random.NextDouble() < 0.35;
                var status = statuses[random.Next(statuses.Length)];
                var time = OrderTime(i);
                await import.StartRowAsync();
                await import.WriteAsync(Code(i));
                await import.WriteAsync("o" + Guid.NewGuid().ToString("N"));
                await import.WriteAsync(firstGroup + i);
                await import.WriteAsync(p.Seller);
                await import.WriteAsync(names[random.Next(names.Length)]);
                await import.WriteAsync("09" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture));
                await import.WriteAsync(province);
                await import.WriteAsync(communes[province][random.Next(communes[province].Length)]);
                await import.WriteAsync($"Số {random.Next(1, 200)}, thôn {random.Next(1, 20)}");
                await import.WriteAsync("");
                await import.WriteAsync(transfer ? "transfer" : "cod");
                await import.WriteAsync(status);
                await import.WriteAsync(subtotal);
                await import.WriteAsync(30_000L);
                await import.WriteAsync(subtotal + 30_000);
                await import.WriteAsync(transfer && status != "placed" ? "paid" : "unpaid");
                await import.WriteAsync(time, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(time, NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        await using (var import = await connection.BeginBinaryImportAsync("""
            COPY order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < Orders; i++)
            {
                var (product, quantity) = orderLines[i];
                var p = products[product];
                await import.StartRowAsync();
                await import.WriteAsync(firstOrder + i);
                await import.WriteAsync(p.Id);
                await import.WriteAsync(p.Name);
                await import.WriteAsync(p.Unit);
                await import.WriteAsync(p.Price);
                await import.WriteAsync(quantity);
                await import.WriteAsync(p.Price * quantity);
            }
            await import.CompleteAsync();
        }
        Console.WriteLine($"orders: {Orders:N0} (with checkout groups and items) in {step.Elapsed.TotalSeconds:F1} s");

        step.Restart();
        await connection.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 600);
        Console.WriteLine($"vacuum analyze in {step.Elapsed.TotalSeconds:F1} s; generation took {total.Elapsed.TotalSeconds:F0} s");
    }

    private static DateTime OrderTime(int i) => DateTime.UtcNow.AddSeconds(-(Orders - i) * 60L);

    /// <summary>A unique order code per index: DH- and six characters of the unambiguous alphabet (31^6 codes), scrambled.</summary>
    private static string Code(int i)
    {
        var n = (long)((ulong)i * 387_420_489UL % 887_503_681UL); // a multiplier coprime to 31^6 spreads consecutive codes
        var chars = new char[6];
        for (var k = 5; k >= 0; k--)
        {
            chars[k] = Alphabet[(int)(n % Alphabet.Length)];
            n /= Alphabet.Length;
        }
        return "DH-" + new string(chars);
    }
}

internal static partial class Measurement
{
    private static readonly string Duration = Environment.GetEnvironmentVariable("BENCH_DURATION") ?? "10s";

    private static readonly string[] Queries =
    [
        "che tan cuong", "chè tân cương", "CHÈ THÁI", "tra moc cau", "trà móc câu la bằng", "mat ong rung", "mật ong", "gao bao thai",
        "gạo nếp", "mien dong", "miến dong na rì", "nam huong", "nấm linh chi", "che non tom", "chè đinh", "tan cuong", "la bang",
        "dinh hoa", "na dai vo nhai", "bưởi", "buoi dong hy", "khoai lang", "quà tết", "hop qua che", "tinh bot nghe", "gung",
        "thit trau gac bep", "tra o long", "hồng trà", "shan tuyet", "che huu co", "ocop", "trai cai", "ba be", "moc nhi",
    ];

    public static async Task RunAsync(string baseUrl, string connectionString)
    {
        string[] categories, products;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            categories = (await connection.QueryAsync<string>("SELECT slug FROM categories ORDER BY id")).ToArray();
            products = (await connection.QueryAsync<string>("""
                SELECT p.slug FROM products p JOIN sellers s ON s.id = p.seller_id
                WHERE p.status = 'published' AND s.status = 'approved' ORDER BY md5(p.slug) LIMIT 2000
                """)).ToArray();
        }
        var pages = new (string Name, string[] Paths)[]
        {
            ("minimal (12 rows)", ["/bench/minimal"]),
            ("home", ["/"]),
            ("category", categories.Select(c => "/danh-muc/" + c).ToArray()),
            ("search", Queries.Select(q => "/search?q=" + Uri.EscapeDataString(q)).ToArray()),
            ("product", products.Select(p => "/san-pham/" + p).ToArray()),
        };

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Console.WriteLine();
        Console.WriteLine($"wrk: 2 threads, 64 connections, {Duration} per page (after a 3 s warm-up), {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"page",-20} {"req/s",10} {"p50",10} {"p99",10} {"ratio",8} {"weight",10}   (weight: HTML + CSS + JS of the first URL, no images)");
        double minimal = 0;
        var failures = new List<string>();
        foreach (var (name, paths) in pages)
        {
            var script = Path.Combine(Path.GetTempPath(), $"cho40-bench-{Guid.NewGuid():N}.lua");
            await File.WriteAllTextAsync(script, LuaFor(paths));
            await RunWrkAsync(["-t2", "-c64", "-d3s", "-s", script, baseUrl]);
            var output = await RunWrkAsync(["-t2", "-c64", "-d" + Duration, "--latency", "-s", script, baseUrl]);
            File.Delete(script);
            var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var p50 = Percentile(output, "50%");
            var p99 = Percentile(output, "99%");
            var errors = ErrorLine().Match(output);
            if (name.StartsWith("minimal", StringComparison.Ordinal)) minimal = rps;
            var weight = await WeightAsync(http, paths[0]);
            var ratio = rps / minimal;
            Console.WriteLine($"{name,-20} {rps,10:F0} {Ms(p50),10} {Ms(p99),10} {ratio,8:F2} {weight,10:N0}{(errors.Success ? "   " + errors.Value.Trim() : "")}");
            if (name is "home" or "category" or "search" && ratio < 0.5) failures.Add($"{name}: {ratio:F2}× the minimal page (target ≥ 0.5×)");
            if (name == "search" && p99 > TimeSpan.FromMilliseconds(100)) failures.Add($"search p99 {Ms(p99)} (target < 100 ms)");
            if (weight >= 60 * 1024) failures.Add($"{name}: {weight:N0} bytes (target < 60 KB)");
        }
        Console.WriteLine(failures.Count == 0 ? "targets: all met" : "targets missed:\n  " + string.Join("\n  ", failures));
    }

    private static string LuaFor(string[] paths)
    {
        var lua = new StringBuilder("local paths = {\n");
        foreach (var path in paths) lua.Append("  \"").Append(path.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\",\n");
        lua.Append("""
            }
            local i = 0
            function setup(thread) end
            function init(args) i = math.random(#paths) end
            function request()
              i = (i % #paths) + 1
              return wrk.format("GET", paths[i])
            end
            """);
        return lua.ToString();
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

    private static TimeSpan Percentile(string output, string which)
    {
        var m = Regex.Match(output, @"^\s*" + Regex.Escape(which) + @"\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => TimeSpan.FromMicroseconds(value), "ms" => TimeSpan.FromMilliseconds(value), _ => TimeSpan.FromSeconds(value) };
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms";

    private static async Task<long> WeightAsync(HttpClient http, string path)
    {
        var html = await http.GetStringAsync(path);
        long bytes = Encoding.UTF8.GetByteCount(html);
        foreach (Match m in Assets().Matches(html))
        {
            var url = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            bytes += (await http.GetByteArrayAsync(System.Net.WebUtility.HtmlDecode(url))).Length;
        }
        return bytes;
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(Non-2xx or 3xx responses: \d+|Socket errors:[^\n]+)")]
    private static partial Regex ErrorLine();

    [GeneratedRegex("""(?:<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)")""")]
    private static partial Regex Assets();
}
