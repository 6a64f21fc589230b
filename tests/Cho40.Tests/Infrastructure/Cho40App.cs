using Microsoft.AspNetCore.Hosting;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cho40.Tests.Infrastructure;

/// <summary>The real web app, in-process, on its own real PostgreSQL database.</summary>
public sealed class Cho40App(string connectionString, TestClock? clock = null, IDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    /// <summary>The keys tests give bank connections (TestConnections), per provider.</summary>
    public static readonly IReadOnlyDictionary<string, string> WebhookSecrets = new Dictionary<string, string>
    {
        ["sepay"] = "test-sepay-secret", ["payos"] = "test-payos-checksum-key", ["casso"] = "test-casso-secure-token",
    };

    /// <summary>
    /// What every test app runs with so that Production starts (ProductionSafety): its own public address and host
    /// names, and a collection account that is not the demo's. Override through settings.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ProductionSettings = new Dictionary<string, string>
    {
        ["Cho40:PublicBaseUrl"] = "http://localhost",
        ["AllowedHosts"] = "localhost;127.0.0.1",
        ["Cho40:Collection:Bin"] = "970436",
        ["Cho40:Collection:AccountNumber"] = CollectionAccountNumber,
        ["Cho40:Collection:AccountName"] = "CONG TY CHO 4.0 (TEST)",
    };

    /// <summary>The platform's collection account in test apps (not the demo's, which Production refuses).</summary>
    public const string CollectionAccountNumber = "0071000888999";

    public string ConnectionString { get; } = connectionString;
    public TestClock Clock { get; } = clock ?? new TestClock();

    /// <summary>This app's thumbnail cache directory (Cho40:MediaPath), deleted with the app.</summary>
    public string MediaPath { get; } = Path.Combine(Path.GetTempPath(), "cho40-test-media", Guid.NewGuid().ToString("N"));

    public static async Task<Cho40App> StartAsync(bool withDemoData = true, IDictionary<string, string>? settings = null)
    {
        var app = new Cho40App(await TestDatabase.CreateAsync(withDemoData), settings: settings);
        _ = app.Server; // start now, so start-up failures surface here
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("DATABASE_URL", ConnectionString);
        builder.UseSetting("Cho40:SeedDemoData", "false");
        builder.UseSetting("Cho40:RunJobsInProcess", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks", "None");
        foreach (var (key, value) in ProductionSettings) builder.UseSetting(key, value);
        // Every client of the in-memory server has the same (no) address, so the per-address limits would be one budget
        // shared by all the tests of a class — 10 sign-ins a minute, by the wall clock: a test would get 429 or not by how
        // many sign-ins the tests before it made. The limits are tested by apps that set them (settings below win).
        builder.UseSetting("Cho40:SignInAttemptsPerMinute", "100000");
        builder.UseSetting("Cho40:PublicApiRequestsPerMinute", "0");
        // Thumbnails of this app's own, not the source tree's web/App_Data (a second run would find the first run's
        // thumbnails there and never resize an image).
        builder.UseSetting("Cho40:MediaPath", MediaPath);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>
    /// Hangfire keeps ONE process-wide log provider, set from the logger factory of whichever app configured it last
    /// (at start-up); with many test apps in one process it may belong to an app already disposed, and enqueuing a job
    /// then fails (ObjectDisposedException). Tests replace it, after each start-up, with one that outlives every app.
    /// </summary>
    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(SilentHangfireLog.Instance);
        return host;
    }

    /// <summary>
    /// A browser-like client: keeps cookies (in <paramref name="cookies"/> when given, so that two app
    /// instances can share one "browser"), does not follow redirects (tests look at them).
    /// </summary>
    public PageClient NewClient(CookieContainer? cookies = null) =>
        new(CreateDefaultClient(new CookieContainerHandler(cookies ?? new CookieContainer())));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await TestDatabase.DropAsync(ConnectionString);
        if (Directory.Exists(MediaPath)) Directory.Delete(MediaPath, recursive: true);
    }
}

/// <summary>A Hangfire log provider that outlives every test app (and says nothing).</summary>
internal sealed class SilentHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly SilentHangfireLog Instance = new();

    public Hangfire.Logging.ILog GetLogger(string name) => this;

    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}
