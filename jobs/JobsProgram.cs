using Cho40.Db;
using Cho40.Jobs.Payments;
using Npgsql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cho40.Jobs;

/// <summary>
/// A job process on its own (scaled out: <c>dotnet Cho40.Jobs.dll</c> with <c>DATABASE_URL</c>).
/// By default the web process runs the same Hangfire server in-process instead.
/// </summary>
public static class JobsProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var connectionString = Database.ConnectionStringFrom(builder.Configuration["DATABASE_URL"]
            ?? throw new InvalidOperationException("DATABASE_URL is not set"));

        if (args is ["settle", var cycleKey, ..])
        {
            Environment.ExitCode = await SettleOnceAsync(connectionString, cycleKey, builder.Configuration);
            return;
        }

        await Migrator.EnsureDatabaseExistsAsync(connectionString);
        await Migrator.MigrateAsync(connectionString, Console.WriteLine);

        builder.Services.AddNpgsqlDataSource(Database.ForApplication(connectionString));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Cho40:Settlement").Get<SettlementOptions>() ?? new SettlementOptions());
        builder.Services.AddSingleton(builder.Configuration.GetSection("Cho40:Reports").Get<Reports.ReportOptions>() ?? new Reports.ReportOptions());
        builder.Services.AddCho40Jobs(connectionString, runServer: true, builder.Configuration.GetSection("Cho40:Jobs").Get<JobsOptions>());
        // Bank notifications: the safety net's reads and payOS links run here too (secrets open with the shared key ring).
        builder.Services.AddCho40Payments(builder.Configuration);
        await builder.Build().RunAsync();
    }

    /// <summary>
    /// One-shot mode: <c>dotnet Cho40.Jobs.dll settle 2026-11-02..2026-11-08</c> settles a cycle in this process and exits
    /// (0 = completed or already completed). The same code the Hangfire job runs; used by operators and the kill-midway test.
    /// </summary>
    private static async Task<int> SettleOnceAsync(string connectionString, string cycleKey, IConfiguration configuration)
    {
        if (!SettlementCycle.TryParse(cycleKey, out var cycle))
        {
            await Console.Error.WriteLineAsync($"not a settlement cycle: {cycleKey} (use YYYY-MM-DD..YYYY-MM-DD or YYYY-Www)");
            return 2;
        }
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var options = configuration.GetSection("Cho40:Settlement").Get<SettlementOptions>() ?? new SettlementOptions();
        var result = await new Db.Settlement(dataSource, options).RunAsync(cycle, DateTimeOffset.UtcNow);
        Console.WriteLine($"{result.Status} run={result.RunId} sellers={result.Sellers} items={result.Items} payouts={result.PayoutTotalVnd}");
        return 0;
    }
}
