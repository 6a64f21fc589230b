using System.Diagnostics;
using System.Globalization;
using Bogus;
using Cho40.Bench.Common;
using Cho40.Db;
using Cho40.Db.Domain;
using Dapper;
using Npgsql;
using NpgsqlTypes;

// Shop benchmark. `generate`: realistic data at scale through binary COPY into the database named by
// DATABASE_URL. `measure CACHE_OFF_URL CACHE_ON_URL`: each shop page next to the minimal page in interleaved wrk rounds
// (64 connections), search over thousands of distinct queries with the result cache off and on; bytes on the wire.
var mode = args.FirstOrDefault() ?? "";
if (mode == "generate")
{
    var url = Environment.GetEnvironmentVariable("DATABASE_URL") ?? throw new InvalidOperationException("DATABASE_URL is not set");
    await Generator.RunAsync(Cho40.Db.Database.ConnectionStringFrom(url));
}
else if (mode == "measure" && args.Length == 3)
{
    var url = Environment.GetEnvironmentVariable("DATABASE_URL") ?? throw new InvalidOperationException("DATABASE_URL is not set");
    await Measurement.RunAsync(args[1].TrimEnd('/'), args[2].TrimEnd('/'), Cho40.Db.Database.ConnectionStringFrom(url));
}
else
{
    Console.Error.WriteLine("usage: Cho40.Bench.Shop generate | measure CACHE_OFF_URL CACHE_ON_URL   (DATABASE_URL must be set)");
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

internal static class Measurement
{
    // Realistic words people type that no generated product has: searches that find nothing cost too.
    private static readonly string[] Absent = ["sầu riêng", "cà phê", "hạt điều", "tiêu đen", "rượu ngô", "cam sành", "vải thiều", "xoài cát", "mắm tôm", "bánh đa"];

    public static async Task RunAsync(string cacheOffUrl, string cacheOnUrl, string connectionString)
    {
        string[] categories, products, names;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            categories = (await connection.QueryAsync<string>("SELECT slug FROM categories ORDER BY id")).ToArray();
            products = (await connection.QueryAsync<string>("""
                SELECT p.slug FROM products p JOIN sellers s ON s.id = p.seller_id
                WHERE p.status = 'published' AND s.status = 'approved' ORDER BY md5(p.slug) LIMIT 2000
                """)).ToArray();
            names = (await connection.QueryAsync<string>("SELECT name FROM products WHERE status = 'published' ORDER BY md5(slug) LIMIT 20000")).ToArray();
        }
        var queries = Queries(names, 5000);
        Console.WriteLine();
        Console.WriteLine($"machine: {Interleaved.Machine()}; wrk 2 threads, {Interleaved.Connections} connections, {Interleaved.Rounds} interleaved rounds of {Interleaved.RoundDuration} per page and its baseline");
        Console.WriteLine($"search: {queries.Length:N0} distinct queries (1–3 words of product names, half without diacritics, typos, partial words, words no product has), e.g. "
            + string.Join(", ", queries.Take(8).Select(q => $"\"{q}\"")));
        Console.WriteLine("baseline: /bench/minimal (Dapper reads 12 rows, Razor writes them in the site layout), on the same site process");
        Console.WriteLine(Interleaved.Header);
        string[] minimal = ["/bench/minimal"];
        var search = queries.Select(q => "/search?q=" + Uri.EscapeDataString(q)).ToArray();
        var results = new List<Comparison>();
        foreach (var (name, url, paths) in new (string, string, string[])[]
        {
            ("home", cacheOffUrl, ["/"]),
            ("category (13 rotating)", cacheOffUrl, categories.Select(c => "/danh-muc/" + c).ToArray()),
            ("product (2,000 rotating)", cacheOffUrl, products.Select(p => "/san-pham/" + p).ToArray()),
            ("search, result cache off", cacheOffUrl, search),
            ("search, result cache on", cacheOnUrl, search),
        })
        {
            var c = await Interleaved.CompareAsync(name, url, paths, url, minimal);
            results.Add(c);
            Console.WriteLine(Interleaved.Line(c));
        }

        Console.WriteLine();
        Console.WriteLine($"{"page",-34} {"raw",10} {"on the wire",12}   (first visit: HTML + CSS + JS, no images; compressed as a browser asks)");
        var targets = new List<(string, bool, string)>();
        foreach (var (name, path) in new[] { ("home", "/"), ("category", "/danh-muc/" + categories[0]), ("search", search[0]), ("product", "/san-pham/" + products[0]) })
        {
            var wire = await Wire.FirstVisitAsync(cacheOffUrl, path);
            var onWire = wire.Html + wire.Assets + wire.Headers;
            Console.WriteLine($"{name,-34} {wire.Raw,10:N0} {onWire,12:N0}");
            targets.Add(($"{name} page under 60 KB (HTML + CSS + JS)", wire.Raw < 60 * 1024, $"{wire.Raw:N0} B raw, {onWire:N0} B on the wire"));
        }

        Comparison Of(string prefix) => results.First(r => r.Name.StartsWith(prefix, StringComparison.Ordinal));
        targets.Add(("home ≥ 0.5× minimal", Of("home").Ratio >= 0.5, $"{Of("home").Ratio:F2}×"));
        targets.Add(("category ≥ 0.7× minimal", Of("category").Ratio >= 0.7, $"{Of("category").Ratio:F2}×"));
        targets.Add(("product ≥ 0.7× minimal", Of("product").Ratio >= 0.7, $"{Of("product").Ratio:F2}×"));
        targets.Add(("search, cache off, ≥ 0.5× minimal", Of("search, result cache off").Ratio >= 0.5, $"{Of("search, result cache off").Ratio:F2}×"));
        targets.Add(("search, cache off, p99 < 100 ms", Of("search, result cache off").P99 < TimeSpan.FromMilliseconds(100), Interleaved.Ms(Of("search, result cache off").P99)));
        targets.Add(("search, cache on, ≥ 0.5× minimal", Of("search, result cache on").Ratio >= 0.5, $"{Of("search, result cache on").Ratio:F2}×"));
        Console.WriteLine();
        foreach (var (target, met, figure) in targets) Console.WriteLine($"target {(met ? "met" : "NOT MET")}: {target} — {figure}");
    }

    /// <summary>
    /// Distinct, realistic search texts from product names: one to three consecutive words, half without diacritics,
    /// some with a typo or the last word cut short (typing in progress), some in capitals, a few of words no product has.
    /// </summary>
    public static string[] Queries(string[] names, int count)
    {
        var random = new Random(15);
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; set.Count < count && attempt < count * 20; attempt++)
        {
            string q;
            if (random.NextDouble() < 0.03)
            {
                q = Absent[random.Next(Absent.Length)] + (random.NextDouble() < 0.5 ? " " + names[random.Next(names.Length)].Split(' ')[0] : "");
            }
            else
            {
                var words = names[random.Next(names.Length)].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var take = Math.Min(words.Length, random.Next(1, 4));
                var start = random.Next(0, words.Length - take + 1);
                q = string.Join(' ', words.Skip(start).Take(take));
            }
            var roll = random.NextDouble();
            if (roll < 0.5) q = Slug.ToAscii(q).ToLowerInvariant();
            var variant = random.NextDouble();
            if (variant < 0.12) q = Typo(q, random);
            else if (variant < 0.24) q = CutLastWord(q, random);
            else if (variant < 0.28) q = q.ToUpperInvariant();
            if (q.Trim().Length >= 2) set.Add(q.Trim());
        }
        return set.ToArray();
    }

    private static string Typo(string q, Random random)
    {
        var chars = q.ToCharArray();
        var letters = Enumerable.Range(0, chars.Length).Where(i => char.IsLetter(chars[i])).ToList();
        if (letters.Count < 4) return q;
        var at = letters[random.Next(letters.Count)];
        return random.Next(3) switch
        {
            0 => q.Remove(at, 1),                                                   // a letter left out
            1 => q[..at] + "aeiouy"[random.Next(6)] + q[(at + 1)..],                // a wrong letter
            _ => at + 1 < q.Length ? q[..at] + q[at + 1] + q[at] + q[(at + 2)..] : q, // two letters swapped
        };
    }

    private static string CutLastWord(string q, Random random)
    {
        var space = q.LastIndexOf(' ');
        var last = q[(space + 1)..];
        return last.Length <= 2 ? q : q[..(space + 1)] + last[..random.Next(2, last.Length)];
    }
}
