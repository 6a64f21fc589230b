using System.Globalization;
using Dapper;
using Npgsql;

namespace Cho40.Bench.Soak;

/// <summary>What the workload visits and buys, read from the database once before the run.</summary>
public sealed record Targets(
    IReadOnlyList<string> CategorySlugs,
    IReadOnlyList<string> ProductSlugs,
    IReadOnlyList<string> BuyableSlugs,
    IReadOnlyList<string> TracePaths,
    IReadOnlyList<string> StallAccounts,
    string CollectionAccount)
{
    /// <summary>Each account's bank-connection webhook path (its stall's, or the platform's for the collection account).</summary>
    public IReadOnlyDictionary<string, string> WebhookPaths { get; init; } = new Dictionary<string, string>();
}

public static class Catalogue
{
    private static readonly string[] Kinds =
        ["Chè búp", "Trà xanh", "Gạo nếp", "Mật ong", "Măng khô", "Miến dong", "Nấm hương", "Bánh chưng", "Chè móc câu", "Thịt trâu gác bếp"];
    private static readonly string[] Places =
        ["Tân Cương", "La Bằng", "Đại Từ", "Phú Lương", "Định Hóa", "Võ Nhai", "Bắc Kạn", "Ba Bể", "Đồng Hỷ", "Phổ Yên"];
    private static readonly string[] Grades = ["đặc biệt", "loại 1", "hữu cơ", "sạch", "truyền thống"];

    /// <summary>
    /// Search texts, with and without diacritics, upper case, a typo, a word only in descriptions — what shoppers type.
    /// </summary>
    public static readonly string[] Searches =
    [
        "chè tân cương", "che tan cuong", "CHÈ TÂN CƯƠNG", "tan cuong", "mật ong", "mat ong", "gạo nếp", "gao nep",
        "nấm hương bắc kạn", "nam huong bac kan", "miến dong", "mien dong", "trà xanh la bằng", "tra xanh la bang",
        "măng khô", "mang kho", "bánh chưng", "banh chung", "che moc cau", "chè móc câu đặc biệt", "thit trau gac bep",
        "che tan cuongg", "huu co", "đồi chè", "ocop", "",
    ];

    public static async Task PrepareAsync(string connectionString, int products)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var connection = await db.OpenConnectionAsync();
        var existing = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM products WHERE slug LIKE 'soak-%'");
        if (existing == 0)
        {
            var sellers = (await connection.QueryAsync<long>("SELECT id FROM sellers WHERE status = 'approved' ORDER BY id")).AsList();
            var categories = (await connection.QueryAsync<int>("""
                SELECT c.id FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY c.id
                """)).AsList();
            if (sellers.Count == 0 || categories.Count == 0) throw new InvalidOperationException("no approved sellers or categories: load the demo data first");
            var random = new Random(40);
            var rows = Enumerable.Range(1, products).Select(i =>
            {
                var name = $"{Kinds[random.Next(Kinds.Length)]} {Places[random.Next(Places.Length)]} {Grades[random.Next(Grades.Length)]} lô {i}";
                return new
                {
                    Seller = sellers[i % sellers.Count],
                    Category = categories[random.Next(categories.Count)],
                    Slug = "soak-" + i.ToString(CultureInfo.InvariantCulture),
                    Name = name,
                    Description = $"{name}: sản phẩm của hợp tác xã vùng {Places[random.Next(Places.Length)]}, đồi chè và ruộng bậc thang Thái Nguyên.",
                    Price = random.Next(4, 200) * 5_000L,
                };
            }).ToList();
            await connection.ExecuteAsync("""
                INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, origin_province_code, status)
                SELECT s, c, sl, n, d, 'gói', p, 1000000, '19', 'published'
                FROM unnest(@sellers, @categories, @slugs, @names, @descriptions, @prices) AS t(s, c, sl, n, d, p)
                """, new
            {
                sellers = rows.Select(r => r.Seller).ToArray(),
                categories = rows.Select(r => r.Category).ToArray(),
                slugs = rows.Select(r => r.Slug).ToArray(),
                names = rows.Select(r => r.Name).ToArray(),
                descriptions = rows.Select(r => r.Description).ToArray(),
                prices = rows.Select(r => r.Price).ToArray(),
            });
            await connection.ExecuteAsync("ANALYZE products");
        }
        // Every demo stall without a bank account gets one of its own, so a static-sign transfer names exactly one stall.
        var accounts = await connection.ExecuteAsync("""
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder)
            SELECT s.id, '970422', '1977' || lpad(s.id::text, 8, '0'), 'SOAK STALL ' || s.id FROM stalls s
            WHERE NOT EXISTS (SELECT 1 FROM stall_bank_accounts a WHERE a.stall_id = s.id)
            """);
        var total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM products WHERE status = 'published'");
        Console.WriteLine($"prepared: {total:N0} published products ({products:N0} generated with stock 1,000,000), {accounts} stall bank accounts added");
    }

    /// <summary>
    /// Connects every account the workload pays (each stall's, the collection account) to SePay with HMAC and
    /// <paramref name="secret"/>, as a stallholder would in "Kết nối ngân hàng": a delivery must go to the address of the
    /// connection watching the account credited, or it books nothing.
    /// </summary>
    public static async Task<Targets> ConnectAccountsAsync(string connectionString, Targets targets, string secret)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var owners = (await connection.QueryAsync<(string Account, long StallId)>(
            "SELECT account_number, stall_id FROM stall_bank_accounts WHERE account_number = ANY(@accounts)",
            new { accounts = targets.StallAccounts.ToArray() })).ToList();
        var paths = new Dictionary<string, string>
        {
            [targets.CollectionAccount] = await Cho40.Bench.BenchConnections.SePayHmacAsync(connectionString, null, secret),
        };
        foreach (var (account, stallId) in owners) paths[account] = await Cho40.Bench.BenchConnections.SePayHmacAsync(connectionString, stallId, secret);
        Console.WriteLine($"connected {paths.Count} accounts to SePay (HMAC), one connection each");
        return targets with { WebhookPaths = paths };
    }

    public static async Task<Targets> LoadTargetsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var categories = (await connection.QueryAsync<string>("""
            SELECT DISTINCT c.slug FROM categories c JOIN products p ON p.category_id = c.id AND p.status = 'published' ORDER BY 1
            """)).AsList();
        var products = (await connection.QueryAsync<string>("""
            SELECT p.slug FROM products p JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            WHERE p.status = 'published' ORDER BY random() LIMIT 2000
            """)).AsList();
        var buyable = (await connection.QueryAsync<string>("""
            SELECT p.slug FROM products p JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            WHERE p.status = 'published' AND p.slug LIKE 'soak-%' AND p.stock > 100000 ORDER BY p.id
            """)).AsList();
        var trace = new List<string>();
        foreach (var b in await connection.QueryAsync<(string Code, string Lot, string? Gtin)>("""
                     SELECT b.code, b.lot_code, p.gtin FROM trace_batches b JOIN products p ON p.id = b.product_id
                     """))
        {
            trace.Add("/t/" + b.Code);
            if (b.Gtin is not null) trace.Add($"/01/{b.Gtin}/10/{Uri.EscapeDataString(b.Lot)}");
        }
        foreach (var u in await connection.QueryAsync<(string Batch, string Serial, string Lot, string? Gtin)>("""
                     SELECT b.code, u.serial, b.lot_code, p.gtin FROM trace_units u JOIN trace_batches b ON b.id = u.batch_id
                     JOIN products p ON p.id = b.product_id
                     """))
        {
            trace.Add($"/t/{u.Batch}/{u.Serial}");
            if (u.Gtin is not null) trace.Add($"/01/{u.Gtin}/10/{Uri.EscapeDataString(u.Lot)}/21/{u.Serial}");
        }
        var collection = Environment.GetEnvironmentVariable("Cho40__Collection__AccountNumber") ?? "1020040040";
        var stalls = (await connection.QueryAsync<string>("""
            SELECT account_number FROM stall_bank_accounts GROUP BY account_number HAVING count(*) = 1 AND account_number <> @collection
            ORDER BY 1
            """, new { collection })).AsList();
        if (categories.Count == 0 || buyable.Count == 0 || trace.Count == 0 || stalls.Count == 0)
            throw new InvalidOperationException("nothing to visit: run `prepare` on a database with the demo data");
        return new Targets(categories, products, buyable, trace, stalls, collection);
    }

    public static async Task WriteStockSnapshotAsync(string connectionString, string file)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var rows = await connection.QueryAsync<(long Id, int Stock)>("SELECT id, stock FROM products ORDER BY id");
        await File.WriteAllLinesAsync(file, rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Id}\t{r.Stock}")));
    }
}
