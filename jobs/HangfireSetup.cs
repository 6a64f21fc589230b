using Hangfire;
using Hangfire.PostgreSql;
using Cho40.Db;
using Cho40.Jobs.Reports;
using Cho40.Jobs.Settlement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cho40.Jobs;

/// <summary>Hangfire on PostgreSQL storage, shared by the web process and standalone job processes.</summary>
public static class HangfireSetup
{
    /// <summary>Queues in priority order: money first, then reports, then housekeeping.</summary>
    public static readonly string[] Queues = ["payments", "settlement", "reports", "default"];

    public static IServiceCollection AddCho40Jobs(this IServiceCollection services, string connectionString, bool runServer)
    {
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                    InvisibilityTimeout = TimeSpan.FromMinutes(30),
                }));

        // The data-layer classes and job classes the jobs need (the web registers the same singletons: TryAdd).
        services.TryAddSingleton<CodReconciliation>();
        services.TryAddSingleton<Ledger>();
        services.TryAddSingleton<Db.Settlement>();
        services.AddTransient<ReconcileCodStatementJob>();
        services.AddTransient<SettleCycleJob>();
        // Daily sales reports: the job, and the nightly schedule registered by every process at start-up (harmless twice).
        services.TryAddSingleton<Db.Reports>();
        services.TryAddSingleton(new ReportOptions());
        services.AddTransient<DailyReportsJob>();
        services.AddSingleton<ReportSchedule>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportSchedule>());

        if (runServer)
        {
            services.AddHangfireServer(options =>
            {
                options.Queues = Queues;
                options.WorkerCount = Math.Max(2, Environment.ProcessorCount * 2);
                options.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            });
        }
        return services;
    }
}
