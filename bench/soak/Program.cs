// Sustained-load ("soak") driver for bench/soak/run (./cho40 soak):
//   prepare              — on DATABASE_URL: a generated catalogue beside the demo data (plenty of stock), bank accounts
//                          on the demo stalls that have none (so static-sign transfers can pay them)
//   drive URL OUTDIR     — the mixed workload at a fixed rate against URL (nginx in front of the web processes) for
//                          SOAK_MINUTES (default 10) at SOAK_RATE scenarios/s (default 12, about 30 requests/s); samples
//                          the RSS of SOAK_PIDS ("web1=123,web2=456,…") every 10 s; writes what the site acknowledged to
//                          OUTDIR/acks.tsv; prints the figures; then runs the accounting check
//   check OUTDIR         — the accounting check alone (acks.tsv + stock-before.tsv against the database)
// Exit code 0 only with zero errors, a clean accounting check and memory that does not keep growing.
using Cho40.Bench.Soak;
using Cho40.Db;

var databaseUrl = Environment.GetEnvironmentVariable("DATABASE_URL");
if (databaseUrl is null)
{
    Console.Error.WriteLine("DATABASE_URL is not set (run ./cho40 soak)");
    return 2;
}
var connectionString = Database.ConnectionStringFrom(databaseUrl);

switch (args)
{
    case ["prepare"]:
        await Catalogue.PrepareAsync(connectionString, Settings.Int("SOAK_PRODUCTS", 3000));
        return 0;
    case ["drive", var url, var outDir]:
    {
        Directory.CreateDirectory(outDir);
        var settings = new Settings(url.TrimEnd('/'), outDir, Settings.Double("SOAK_MINUTES", 10), Settings.Double("SOAK_RATE", 12),
            Environment.GetEnvironmentVariable("SOAK_SEPAY_SECRET") ?? throw new InvalidOperationException("SOAK_SEPAY_SECRET is not set"),
            Settings.ParseProcesses(Environment.GetEnvironmentVariable("SOAK_PIDS") ?? ""));
        var targets = await Catalogue.ConnectAccountsAsync(connectionString, await Catalogue.LoadTargetsAsync(connectionString), settings.SepaySecret);
        await Catalogue.WriteStockSnapshotAsync(connectionString, Path.Combine(outDir, "stock-before.tsv"));
        var load = new Load(settings, targets);
        var memory = new MemorySampler(settings.Processes, TimeSpan.FromSeconds(10));
        var result = await load.RunAsync(memory);
        result.Print(settings);
        var memoryOk = memory.Print(settings.Minutes);
        var accountingOk = await Accounting.CheckAsync(connectionString, outDir);
        var ok = result.Errors == 0 && accountingOk && memoryOk;
        Console.WriteLine();
        Console.WriteLine(ok
            ? $"SOAK OK: {result.Requests:N0} requests, 0 errors, accounting check passed, " +
              (settings.Minutes >= 5 ? "memory flat" : "memory not judged (runs under 5 minutes are warm-up)")
            : $"SOAK FAILED: {result.Errors} errors, accounting {(accountingOk ? "passed" : "FAILED")}, memory {(memoryOk ? "flat" : "GROWING")}");
        return ok ? 0 : 1;
    }
    case ["check", var outDir]:
        return await Accounting.CheckAsync(connectionString, outDir) ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: prepare | drive URL OUTDIR | check OUTDIR   (DATABASE_URL must be set)");
        return 2;
}

namespace Cho40.Bench.Soak
{
    public sealed record Settings(string Url, string OutDir, double Minutes, double Rate, string SepaySecret,
        IReadOnlyList<(string Name, int Pid)> Processes)
    {
        public static int Int(string name, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;

        public static double Double(string name, double fallback) =>
            double.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;

        public static IReadOnlyList<(string Name, int Pid)> ParseProcesses(string list) =>
            list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('='))
                .Select(p => (p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
    }
}
