using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Threading.RateLimiting;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs;
using Cho40.Jobs.Reports;
using Cho40.Web;
using Cho40.Web.Catalog;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments;
using Cho40.Web.Payments.Notifications;
using Cho40.Web.Pages;
using Cho40.Web.Pages.Markets;
using Cho40.Web.Pages.Stall;
using Cho40.Web.Pages.Shop;
using Cho40.Web.Payments.VietQr;
using Cho40.Web.Payments.Connections;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Cho40.Web.Pages.Trace;
using Hangfire;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Npgsql;

var builder = WebApplication.CreateBuilder(args);

var connectionString = Database.ConnectionStringFrom(builder.Configuration["DATABASE_URL"]
    ?? throw new InvalidOperationException("DATABASE_URL is not set (./cho40 up sets it for the local cluster)"));
var options = builder.Configuration.GetSection("Cho40").Get<Cho40Options>() ?? new Cho40Options();
builder.Services.AddSingleton(options);
// A real deployment refuses demo data, the demo collection account, a missing public address and open host names,
// naming every setting to change (the Demo environment of ./cho40 up allows them).
ProductionSafety.ThrowIfUnsafe(builder.Environment, builder.Configuration, options,
    builder.Configuration.GetSection("Cho40:Collection").Get<CollectionAccount>() ?? new CollectionAccount());

// Prepared statements (Database.ForApplication): part of "speed where people wait", see the block below.
builder.Services.AddNpgsqlDataSource(Database.ForApplication(connectionString));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<Accounts>();
builder.Services.AddSingleton<Passwords>();
builder.Services.AddSingleton<SessionStamps>();
builder.Services.AddSingleton<SignInDevices>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Cho40:SignInThrottle").Get<SignInThrottleOptions>() ?? new SignInThrottleOptions());
builder.Services.AddSingleton<SignInThrottle>();
builder.Services.AddHostedService<SignInThrottleSweeper>();
builder.Services.AddSingleton<AdminUnits>();
builder.Services.AddSingleton<CodStatements>();
builder.Services.AddSingleton<Ledger>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Cho40:Settlement").Get<SettlementOptions>() ?? new SettlementOptions());
builder.Services.AddSingleton<Sellers>();
builder.Services.AddSingleton<SellerMemberships>();
builder.Services.AddSingleton<CatalogProducts>();
builder.Services.AddSingleton<CatalogPhotos>();
builder.Services.AddSingleton<CatalogFiles>();
// Spreadsheet imports (listing files, COD statements): how many at once, and overrides of what one may cost.
builder.Services.AddSingleton(builder.Configuration.GetSection("Cho40:Imports").Get<ImportOptions>() ?? new ImportOptions());
builder.Services.AddSingleton<ImportGate>();
builder.Services.AddSingleton<ThumbnailCache>();
builder.Services.AddSingleton(new Banks());
builder.Services.AddSingleton<Stalls>();
builder.Services.AddSingleton<ActivationCodes>();
builder.Services.AddSingleton<Payments>();
builder.Services.AddSingleton<StallEvents>();
builder.Services.AddHostedService<StallEventListener>();
builder.Services.AddSingleton<WebhookGate>();
builder.Services.AddSingleton<ICarrierSecretProtector, Cho40.Web.Cod.DataProtectionCarrierSecrets>();
builder.Services.AddSingleton<Shipments>();
builder.Services.AddCho40Shop(builder.Configuration);
// Bank notifications (Cho40.Jobs.Payments, shared with job processes): the services' formats, connections and their
// encrypted secrets, the intake and matching (money goes only where it was sent), the safety net, payOS links.
builder.Services.AddCho40Payments(builder.Configuration);
builder.Services.AddSingleton<BankConnectionSetup>();
builder.Services.AddSingleton<PayOsCheckout>();
// Markets (public pages, manager details, posters) and the province dashboard with its open data.
builder.Services.AddCho40Markets();
builder.Services.AddSingleton<ProvinceQueries>();
builder.Services.AddSingleton<ProvinceAggregates>();
builder.Services.AddSingleton<OpenDataFiles>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Cho40:Reports").Get<ReportOptions>() ?? new ReportOptions());
builder.Services.AddCho40Jobs(connectionString, runServer: options.RunJobsInProcess, builder.Configuration.GetSection("Cho40:Jobs").Get<JobsOptions>());

// Vietnamese letters as UTF-8, not &#x…; entities (pages would be several times heavier).
builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));

builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
builder.Services.Configure<RequestLocalizationOptions>(o =>
{
    CultureInfo[] cultures = [new("vi-VN"), new("en")];
    o.DefaultRequestCulture = new RequestCulture("vi-VN");
    o.SupportedCultures = cultures;
    o.SupportedUICultures = cultures;
    // Vietnamese first: the language is what the person chose (?culture= or the cookie), never the browser's guess.
    o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider()];
});

builder.Services.AddRazorPages(o =>
    {
        o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
        o.Conventions.AuthorizeFolder("/Seller");
        o.Conventions.AuthorizeFolder("/Stall");
        o.Conventions.AllowAnonymousToPage("/Stall/Activate");
        o.Conventions.AuthorizeFolder("/Market", Policies.MarketManager);
        o.Conventions.AuthorizeFolder("/Province", Policies.ProvinceViewer);
        o.Conventions.AllowAnonymousToPage("/Province/OpenData");
        o.Conventions.AuthorizeFolder("/Seller/Catalog", Policies.SellerMember);
        o.Conventions.AuthorizePage("/Account/SignOut");
    })
    .AddViewLocalization()
    .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));
// After AddRazorPages: its own options setup would otherwise replace the trace page's extra routes.
builder.Services.AddCho40Trace(builder.Configuration);

builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(o =>
    {
        o.LoginPath = "/Account/SignIn";
        o.LogoutPath = "/Account/SignOut";
        o.AccessDeniedPath = "/Account/AccessDenied";
        o.Cookie.Name = "cho40.auth";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = TimeSpan.FromDays(14);
        o.SlidingExpiration = true;
        // Every request: the cookie's security stamp must still be the user's (sign-out really ends a session).
        o.Events.OnValidatePrincipal = SignInCookie.ValidateAsync;
    });
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
    .AddPolicy(Policies.SellerMember, p => p.RequireRole(Roles.SellerMember))
    .AddPolicy(Policies.MarketManager, p => p.RequireRole(Roles.MarketManager, Roles.Admin))
    .AddPolicy(Policies.StallKeeper, p => p.RequireRole(Roles.Stallholder, Roles.DigitalHelper))
    .AddPolicy(Policies.ProvinceViewer, p => p.RequireRole(Roles.ProvinceViewer, Roles.Admin));

// Cookies, antiforgery tokens and sealed integration secrets must open in every web and job process: the key ring
// lives in PostgreSQL.
builder.Services.AddCho40KeyRing();

builder.Services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.OnRejected = RateLimits.WriteRejectionAsync;
    o.GlobalLimiter = RateLimits.SignInAttempts(options.SignInAttemptsPerMinute);
    // Endpoint policies apply on top of the global limiter (both must grant a permit).
    o.AddPolicy(RateLimits.PublicApiPolicy, context => RateLimits.PublicApiPartition(context, options.PublicApiRequestsPerMinute));
});

// Client address and scheme from the reverse proxy (only from trusted proxies: Cho40:TrustedProxies).
builder.Services.AddCho40ForwardedHeaders(options.TrustedProxies);

// ---- Speed where people wait (issue 15; docs/quality/benchmarks.md) ----
// Compressed answers: HTML, CSS, JS and JSON (Brotli, else gzip). Over HTTPS too — through nginx the request is HTTPS
// here — because the only secrets on our pages, antiforgery tokens, are encrypted afresh for every response, so
// BREACH-style guessing has nothing stable to recover. Static files come precompressed from the build (MapStaticAssets).
builder.Services.AddResponseCompression(o =>
{
    o.EnableForHttps = true;
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
    o.MimeTypes = Microsoft.AspNetCore.ResponseCompression.ResponseCompressionDefaults.MimeTypes
        .Concat(["application/linkset+json", "application/ld+json", "application/problem+json", "image/svg+xml", "application/manifest+json"]);
});
// `./cho40 up` and the tests run the build output, not a publish: let MapStaticAssets find the build's compressed and
// content-hashed files there too (without this it does so only in Development). A published app ignores it.
builder.WebHost.UseStaticWebAssets();
// Outside Development, serve the build's files as built: no hot-reload patching, which would send no-cache headers and
// recompress edited files on the fly without compression.
if (!builder.Environment.IsDevelopment()) builder.Configuration["ReloadStaticAssetsAtRuntime"] ??= "false";
// Fastest levels: pages are compressed on every request, and level 1 already takes HTML to about a quarter.
builder.Services.Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
builder.Services.Configure<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
// Server-side output cache, used by the public trace page only (TracePageCache); its scans are counted in front of it.
builder.Services.AddOutputCache(o =>
{
    o.SizeLimit = 32 * 1024 * 1024;
    o.AddPolicy(TracePageCache.PolicyName, new TracePageCache());
});
// ---- end of speed ----

builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
// Unhandled exceptions: 503 + Retry-After while PostgreSQL is out of reach; problem+json on /api.
builder.Services.AddExceptionHandler<ErrorAnswers>();

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await Migrator.EnsureDatabaseExistsAsync(connectionString);
    await Migrator.MigrateAsync(connectionString, m => app.Logger.LogInformation("{Migration}", m));
    var db = scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>();
    await scope.ServiceProvider.GetRequiredService<AdminUnits>().LoadIfEmptyAsync();
    if (builder.Configuration.GetSection("Cho40:Webhooks").GetChildren().Any())
        app.Logger.LogWarning("Cho40:Webhooks:*:Secret is no longer read: each stall and the collection account connect their own "
            + "bank-notification service (Kết nối ngân hàng), with their own address and keys. Remove the setting.");
    if (options.SeedDemoData && await DemoData.SeedIfEmptyAsync(db))
    {
        app.Logger.LogInformation("Demo data loaded");
        // Drawn pictures for the featured products (reproducible, see DemoPhotos); the rest show their category's drawing.
        await Cho40.Web.Catalog.DemoPhotos.AddAsync(db);
        await DemoBankConnections.CreateAsync(scope.ServiceProvider, CancellationToken.None);
        // The demo shows sales reports at once: the last two weeks are backfilled on the reports queue.
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var latest = ReportComputation.LatestClosedDay(now, app.Services.GetRequiredService<ReportOptions>().SettleTime);
        await DailyReportsJob.EnqueueBackfillAsync(app.Services.GetRequiredService<ReportBackfills>(),
            app.Services.GetRequiredService<IBackgroundJobClient>(), latest.AddDays(-13), latest, null, now);
    }
}

// First: everything after it (rate limits, the trace page's networks, cookies) sees the client, not the proxy.
app.UseForwardedHeaders();
// Speed: compress whatever follows (issue 15).
app.UseResponseCompression();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = "/Error", StatusCodeSelector = ErrorAnswers.StatusCodeOf });
}
app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
app.UseMiddleware<SecurityHeaders>();
if (options.InstanceName is { Length: > 0 } instanceName)
{
    app.Use((context, next) =>
    {
        context.Response.Headers["X-Cho40-Instance"] = instanceName;
        return next(context);
    });
}
app.UseRequestLocalization();
app.UseRouting();
app.UseRequestSizeGate();
app.UseRateLimiter();
// Speed (issue 15): trace page views are counted here, in front of the output cache, so cached views count too; the
// cache comes after localisation (it varies by language) and before authentication (the trace page shows no user).
app.UseMiddleware<TraceScanCounting>();
app.UseOutputCache();
app.UseAuthentication();
app.UseAuthorization();

// Speed (issue 15): wwwroot with content-hashed URLs (asp-append-version), long immutable caching and
// build-time compression; replaces UseStaticFiles.
app.MapStaticAssets();
app.MapHealthChecks("/healthz");
AdminOnlyDashboardFilter.UseAdminOnlyDashboardGate(app, "/hangfire");
app.MapHangfireDashboard("/hangfire", new DashboardOptions
{
    Authorization = [new AdminOnlyDashboardFilter()],
    AppPath = "/Admin",
    DashboardTitle = "Chợ 4.0 — jobs",
});
app.MapProductImages();
app.MapMarketPhotos();
OpenDataFiles.MapOpenData(app);
// WithStaticAssets: asp-append-version writes the content-hashed URL (/css/site.{hash}.css, cached a year, immutable).
app.MapRazorPages().WithStaticAssets();
app.MapBankNotifications();
Cho40.Web.Cod.CarrierNotificationEndpoint.MapCarrierNotifications(app);
app.MapStallEventStream();
app.MapCho40Trace();
app.MapVietQrApi();
app.MapAddressApi();

app.Run();

/// <summary>The entry point, named so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
