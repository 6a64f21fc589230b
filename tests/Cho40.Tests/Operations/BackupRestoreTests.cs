using System.Diagnostics;
using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Operations;

/// <summary>
/// The backup and restore of the README, done for real: deploy/backup.sh (pg_dump -Fc, rotation) on a database with
/// demo data and fresh activity, deploy/restore.sh (pg_restore) into a new database, then every table's rows, the
/// sequences and the ledger compared, and the web app started on the restored database as a real process: it answers,
/// keeps the sign-ins made before the backup (the key ring is in the dump) and takes new orders.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class BackupRestoreTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "backup.sh"))) return dir.FullName;
        throw new InvalidOperationException("deploy/backup.sh not found above " + AppContext.BaseDirectory);
    }

    private static string Uri(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static async Task<string> RunAsync(string script, IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(script)} exited with {process.ExitCode}: {await error}{await output}");
        return await output;
    }

    /// <summary>Exact row counts of every table in the public and hangfire schemas, and every sequence's position.</summary>
    private static async Task<SortedDictionary<string, long>> FingerprintAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        var tables = await c.QueryAsync<(string Schema, string Name)>("""
            SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'hangfire') ORDER BY 1, 2
            """);
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (schema, name) in tables)
            result[$"{schema}.{name}"] = await c.ExecuteScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".\"{name}\"");
        foreach (var (schema, name, last) in await c.QueryAsync<(string, string, long?)>(
                     "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE schemaname IN ('public', 'hangfire')"))
            result[$"sequence {schema}.{name}"] = last ?? 0;
        return result;
    }

    private static async Task<List<(string Code, long Balance)>> BalancesAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        return (await c.QueryAsync<(string, long)>("""
            SELECT a.code, coalesce(sum(e.amount_vnd), 0)::bigint FROM ledger_accounts a
            LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.code ORDER BY a.code
            """)).AsList();
    }

    [Fact]
    public async Task The_backup_script_dump_restores_into_a_new_database_with_every_row_and_the_app_runs_on_it()
    {
        var root = RepositoryRoot();
        var backupDir = Directory.CreateTempSubdirectory("cho40-backup-").FullName;
        string? restored = null;
        // The site keeps running while the backup is taken (pg_dump reads one snapshot). Disposing it drops `source`.
        await using var app = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true));
        _ = app.Server;
        var source = app.ConnectionString;
        // Activity on top of the demo data: a checkout, a signed-in seller (the key ring gets its key), a ledger posting.
        var cookies = new CookieContainer();
        using var shopper = app.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, "che-tan-cuong-dac-biet-200g", 2);
        var placed = await ShopHelpers.CheckoutAsync(shopper, "transfer");
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var orderPath = placed.Headers.Location!.OriginalString;
        using var seller = app.NewClient(cookies);
        await seller.SignInAsync("0900000003");
        Assert.Equal(HttpStatusCode.OK, (await seller.GetPageAsync("/Seller/Orders")).Response.StatusCode);
        await using (var db = NpgsqlDataSource.Create(source))
        {
            await new Ledger(db).PostAsync("test:backup", "Tiền mặt nộp vào tài khoản", [
                new LedgerLine(Ledger.PlatformBank, 1_250_000), new LedgerLine(Ledger.CarrierReceivable("GHN"), -1_250_000)],
                DateTimeOffset.UtcNow);
        }

        try
        {
            // Older dumps, to see the rotation keep the newest KEEP by the time in their names.
            foreach (var old in new[] { "cho40-20250101-020000.dump", "cho40-20250102-020000.dump", "cho40-20250103-020000.dump" })
                await File.WriteAllTextAsync(Path.Combine(backupDir, old), "old");
            var output = await RunAsync(Path.Combine(root, "deploy", "backup.sh"),
                new Dictionary<string, string> { ["DATABASE_URL"] = Uri(source), ["BACKUP_DIR"] = backupDir, ["KEEP"] = "2" });
            var dumps = Directory.GetFiles(backupDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(2, dumps.Count);
            Assert.Equal("cho40-20250103-020000.dump", dumps[0]);
            var dump = Path.Combine(backupDir, dumps[1]!);
            Assert.Matches(@"^cho40-\d{8}-\d{6}\.dump$", dumps[1]);
            Assert.Contains(dump, output);

            restored = TestDatabase.ConnectionStringFor($"r_{Guid.NewGuid():N}"[..30]);
            await RunAsync(Path.Combine(root, "deploy", "restore.sh"), new Dictionary<string, string>(), dump, Uri(restored));

            var before = await FingerprintAsync(source);
            var after = await FingerprintAsync(restored);
            Assert.True(before.Count > 30, "the fingerprint covers the schema");
            Assert.True(before["public.orders"] > 0 && before["public.data_protection_keys"] > 0 && before["public.ledger_entries"] > 0);
            Assert.Equal(before, after);
            var balances = await BalancesAsync(restored);
            Assert.Equal(await BalancesAsync(source), balances);
            Assert.Contains((Ledger.PlatformBank, 1_250_000L), balances);
            Assert.Equal(0, balances.Sum(b => b.Balance));

            // A second restore into the same (now full) database is refused rather than mixed in.
            await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() =>
                RunAsync(Path.Combine(root, "deploy", "restore.sh"), new Dictionary<string, string>(), dump, Uri(restored)));

            // The app on the restored database: healthy, pages, the order, the seller still signed in, new orders.
            await using var web = await WebProcess.StartAsync(restored);
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
                { BaseAddress = new System.Uri(web.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(orderPath)).StatusCode);
            // The sign-in cookie was issued by the in-process app for its own address; send it to the restored site.
            var auth = cookies.GetAllCookies().Single(c => c.Name == "cho40.auth");
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/Seller/Orders"))
            {
                request.Headers.Add("Cookie", $"{auth.Name}={auth.Value}");
                Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
            }
            using var newShopper = new PageClient(new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
                { BaseAddress = new System.Uri(web.BaseUrl) });
            await ShopHelpers.AddToCartAsync(newShopper, "che-tan-cuong-dac-biet-200g", 1);
            Assert.Equal(HttpStatusCode.Redirect, (await ShopHelpers.CheckoutAsync(newShopper, "cod")).StatusCode);
            await using var c = new NpgsqlConnection(restored);
            Assert.Equal(before["public.orders"] + 1, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM orders"));
        }
        finally
        {
            Directory.Delete(backupDir, recursive: true);
            if (restored is not null) await TestDatabase.DropAsync(restored);
        }
    }
}
