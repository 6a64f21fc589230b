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
using Cho40.Web.Pages.Stall;
using Cho40.Web.Pages.Shop;
using Cho40.Web.Payments.VietQr;
using Cho40.Web.Pages.Trace;
using Hangfire;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
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

builder.Services.AddNpgsqlDataSource(connectionString);
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
builder.Services.AddSingleton<IBankNotificationProvider, SePayProvider>();
builder.Services.AddSingleton<IBankNotificationProvider, PayOsProvider>();
builder.Services.AddSingleton<IBankNotificationProvider, CassoProvider>();
// Money goes only where it was sent: each transfer is first resolved to the owner of the account credited
// (CreditedAccounts), then offered only to the matchers of that owner, by Order — a stall's: its payment requests by
// reference (100), else its static sign (900); the collection account's: shop orders by code (200).
builder.Services.AddSingleton<CreditedAccounts>();
builder.Services.AddSingleton<IPaymentMatcher, PaymentRequestMatcher>();
builder.Services.AddSingleton<IPaymentMatcher, StallAccountMatcher>();
builder.Services.AddSingleton<IPaymentMatcher, OrderCodeMatcher>();
builder.Services.AddSingleton<PaymentMatching>();
builder.Services.AddSingleton<PaymentIntake>();
builder.Services.AddSingleton<WebhookGate>();
builder.Services.AddCho40Shop(builder.Configuration);
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
    .AddPolicy(Policies.StallKeeper, p => p.RequireRole(Roles.Stallholder, Roles.DigitalHelper));

// Cookies and antiforgery tokens must be readable by every web process: the key ring lives in PostgreSQL.
builder.Services.AddDataProtection().SetApplicationName("Cho40");
builder.Services.AddOptions<KeyManagementOptions>()
    .Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));

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
    if (options.SeedDemoData && await DemoData.SeedIfEmptyAsync(db))
    {
        app.Logger.LogInformation("Demo data loaded");
        // Drawn pictures for the featured products (reproducible, see DemoPhotos); the rest show their category's drawing.
        await Cho40.Web.Catalog.DemoPhotos.AddAsync(db);
        // The demo shows sales reports at once: the last two weeks are backfilled on the reports queue.
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var latest = ReportComputation.LatestClosedDay(now, app.Services.GetRequiredService<ReportOptions>().SettleTime);
        await DailyReportsJob.EnqueueBackfillAsync(app.Services.GetRequiredService<ReportBackfills>(),
            app.Services.GetRequiredService<IBackgroundJobClient>(), latest.AddDays(-13), latest, null, now);
    }
}

// First: everything after it (rate limits, the trace page's networks, cookies) sees the client, not the proxy.
app.UseForwardedHeaders();
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
// The stall app's recorded clips (Ogg Opus) and its web manifest, whatever the default type table says.
var staticTypes = new Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider();
staticTypes.Mappings[".opus"] = "audio/ogg";
staticTypes.Mappings[".webmanifest"] = "application/manifest+json";
app.UseStaticFiles(new StaticFileOptions { ContentTypeProvider = staticTypes });
app.UseRequestLocalization();
app.UseRouting();
app.UseRequestSizeGate();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthChecks("/healthz");
AdminOnlyDashboardFilter.UseAdminOnlyDashboardGate(app, "/hangfire");
app.MapHangfireDashboard("/hangfire", new DashboardOptions
{
    Authorization = [new AdminOnlyDashboardFilter()],
    AppPath = "/Admin",
    DashboardTitle = "Chợ 4.0 — jobs",
});
app.MapProductImages();
app.MapRazorPages();
app.MapBankNotifications();
app.MapStallEventStream();
app.MapCho40Trace();
app.MapVietQrApi();
app.MapAddressApi();

app.Run();

/// <summary>The entry point, named so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
