using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Cho40.Db;
using Cho40.Jobs.Reports;
using Cho40.Jobs.Cod;
using Cho40.Jobs.Province;
using Cho40.Jobs.Settlement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cho40.Jobs;

/// <summary>Settings <c>Cho40:Jobs:*</c> of the Hangfire server.</summary>
public sealed class JobsOptions
{
    /// <summary>
    /// How long a job fetched by a worker stays invisible to the others. It slides (a heartbeat renews it while the worker
    /// lives), so a long job is never taken twice, and a job whose process was killed is taken up again by another
    /// process about this long after the kill. Every job is idempotent, so a rare second run changes nothing.
    /// </summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>How often each server looks for due delayed and recurring jobs (Hangfire's default is 15 s).</summary>
    public int SchedulePollingSeconds { get; set; } = 15;
}

/// <summary>Hangfire on PostgreSQL storage, shared by the web process and standalone job processes.</summary>
public static class HangfireSetup
{
    /// <summary>Queues in priority order: money first, then reports, then housekeeping.</summary>
    public static readonly string[] Queues = ["payments", "settlement", "reports", "default"];

    public static IServiceCollection AddCho40Jobs(this IServiceCollection services, string connectionString, bool runServer,
        JobsOptions? options = null)
    {
        options ??= new JobsOptions();
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
            InvisibilityTimeout = TimeSpan.FromSeconds(options.InvisibilityTimeoutSeconds),
            UseSlidingInvisibilityTimeout = true,
            // A lock row left by a killed process or a PostgreSQL restart holds every scheduler up until it counts
            // as expired (default 10 min). Ours guard only the short scheduler passes, so 30 s is plenty.
            DistributedLockTimeout = TimeSpan.FromSeconds(30),
        };
        // This app's own storage (and, below, job activator): Hangfire's defaults are process-wide (JobStorage.Current,
        // JobActivator.Current), set by whichever app configured Hangfire last — with several apps in one process (the
        // tests) another app's database and scopes, possibly disposed. Registered before AddHangfire, which only adds one
        // when none is there; built on first use, as before (start-up retries while the database is down).
        services.AddSingleton<JobStorage>(_ =>
            new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(provider.GetRequiredService<JobStorage>()));

        // The data-layer classes and job classes the jobs need (the web registers the same singletons: TryAdd).
        services.TryAddSingleton<CodReconciliation>();
        services.TryAddSingleton<Ledger>();
        services.TryAddSingleton<Db.Settlement>();
        services.AddTransient<ReconcileCodStatementJob>();
        services.AddTransient<SettleCycleJob>();
        // Daily sales reports: the job, and the nightly schedule registered by every process at start-up (harmless twice).
        services.TryAddSingleton<ReportComputation>();
        services.TryAddSingleton<ReportQueries>();
        services.TryAddSingleton<ReportBackfills>();
        services.TryAddSingleton(new ReportOptions());
        services.AddTransient<DailyReportsJob>();
        services.AddSingleton<ReportSchedule>();
        services.AddHostedService(sp => sp.GetRequiredService<ReportSchedule>());
        // Unpaid transfer orders give their goods back when their reservation ends.
        services.TryAddSingleton<Db.Orders>();
        services.AddTransient<Shop.ExpireUnpaidTransfersJob>();
        services.AddHostedService<Shop.ExpireUnpaidTransfersSchedule>();
        // Province aggregates: rebuilt nightly after the reports (and after each backfill).
        services.TryAddSingleton<ProvinceAggregates>();
        services.AddTransient<ProvinceAggregatesJob>();
        services.AddHostedService<ProvinceSchedule>();

        if (runServer)
        {
            services.AddHangfireServer((provider, server) =>
            {
                // This app's own scopes (see the storage above): with another app's, disposed, every job failed in
                // BeginScope (ObjectDisposedException) and waited for its retry (seen in the report backfill test).
                server.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>());
                server.Queues = Queues;
                server.WorkerCount = Math.Max(2, Environment.ProcessorCount * 2);
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                server.SchedulePollingInterval = TimeSpan.FromSeconds(options.SchedulePollingSeconds);
            });
        }
        return services;
    }
}
