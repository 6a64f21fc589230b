using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Payments;

/// <summary>
/// Bank connections for tests, made through the app's own classes (so their keys are sealed with the app's key ring):
/// the connection of the owner of an account — the stall whose linked account (or, failing that, virtual account) it is,
/// else the platform's collection account — on the wanted service, with the known test key of
/// <see cref="Cho40App.WebhookSecrets"/>. An owner has one working connection: asking for another service revokes the
/// one it had (as a stallholder switching services would).
/// </summary>
public static class TestConnections
{
    /// <summary>The mode tests sign with unless they ask for another: SePay HMAC, Casso webhook v2, payOS checksum.</summary>
    public static string DefaultMode(string provider) => provider switch
    {
        "sepay" => SePay.ModeHmac, "casso" => Casso.ModeSignature, _ => PayOs.ModeChecksum,
    };

    /// <summary>The stall owning the account (by linked account first, then by virtual account), or null for the platform.</summary>
    public static async Task<long?> OwnerOfAsync(string connectionString, string account, string virtualAccount = "")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.QueryFirstOrDefaultAsync<long?>("""
            SELECT stall_id FROM stall_bank_accounts
            WHERE account_number = @account OR (@virtualAccount <> '' AND virtual_account = @virtualAccount)
            ORDER BY (account_number = @account) DESC, stall_id LIMIT 1
            """, new { account, virtualAccount });
    }

    public static Task<BankConnection> ForAccountAsync(Cho40App app, string provider, string account, string virtualAccount = "",
        string? mode = null) => ForAccountAsync(app.Services, app.ConnectionString, app.Clock, provider, account, virtualAccount, mode);

    /// <summary>As above, through a given host's services (a test app derived with WithWebHostBuilder).</summary>
    public static async Task<BankConnection> ForAccountAsync(IServiceProvider services, string connectionString, TimeProvider clock,
        string provider, string account, string virtualAccount = "", string? mode = null) =>
        await ForOwnerAsync(services, clock, await OwnerOfAsync(connectionString, account, virtualAccount), provider, mode);

    public static Task<BankConnection> ForOwnerAsync(Cho40App app, long? stallId, string provider, string? mode = null) =>
        ForOwnerAsync(app.Services, app.Clock, stallId, provider, mode);

    /// <summary>The owner's working connection on <paramref name="provider"/> in <paramref name="mode"/>, made when needed.</summary>
    public static async Task<BankConnection> ForOwnerAsync(IServiceProvider services, TimeProvider clock, long? stallId, string provider,
        string? mode = null)
    {
        mode ??= DefaultMode(provider);
        var connections = services.GetRequiredService<BankConnections>();
        var active = await connections.ActiveAsync(stallId);
        if (active is not null && active.Provider == provider && active.AuthMode == mode)
        {
            // Made by someone else (the demo's connections): give it the test keys.
            var key = await services.GetRequiredService<IntegrationSecrets>().CurrentAsync(BankConnections.SecretOwnerKind, active.Id,
                mode == SePay.ModeOAuth2 ? PaymentIntake.ClientSecret : PaymentIntake.WebhookSecret);
            if (key != (mode == SePay.ModeOAuth2 ? ClientSecret : Cho40App.WebhookSecrets[provider])) await SetKeysAsync(services, clock, active);
            return active;
        }
        var now = clock.GetUtcNow();
        if (active is not null) await connections.RevokeAsync(active.Id, null, now);
        var created = await connections.CreateAsync(provider, stallId, mode, null, now)
            ?? throw new InvalidOperationException("a connection was made concurrently for the same owner");
        await SetKeysAsync(services, clock, created);
        return created;
    }

    /// <summary>Gives a connection the test keys: its webhook key (or OAuth client secret), payOS's keys.</summary>
    public static async Task SetKeysAsync(IServiceProvider services, TimeProvider clock, BankConnection connection)
    {
        var secrets = services.GetRequiredService<IntegrationSecrets>();
        var now = clock.GetUtcNow();
        const string kind = BankConnections.SecretOwnerKind;
        if (connection.AuthMode == SePay.ModeOAuth2)
            await secrets.SetAsync(kind, connection.Id, PaymentIntake.ClientSecret, ClientSecret, now, TimeSpan.Zero);
        else
            await secrets.SetAsync(kind, connection.Id, PaymentIntake.WebhookSecret, Cho40App.WebhookSecrets[connection.Provider], now, TimeSpan.Zero);
        if (connection.Provider == "payos")
        {
            await secrets.SetAsync(kind, connection.Id, PaymentIntake.PayOsClientId, PayOsClientId, now, TimeSpan.Zero);
            await secrets.SetAsync(kind, connection.Id, PaymentIntake.PayOsApiKey, PayOsApiKey, now, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// A connection in the database of a real web process (tests that start processes): made with this process's own
    /// data protection over the same key ring in PostgreSQL, so the web process opens its keys. Call it after the web
    /// process started (it made the key ring's key when it sealed the demo's connections).
    /// </summary>
    public static async Task<BankConnection> ForDatabaseAsync(string connectionString, string provider, string account, string? mode = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNpgsqlDataSource(connectionString);
        services.AddCho40BankConnections();
        await using var provided = services.BuildServiceProvider();
        return await ForAccountAsync(provided, connectionString, TimeProvider.System, provider, account, "", mode);
    }

    public const string ClientSecret = "test-oauth-client-secret-1";
    public const string PayOsClientId = "test-payos-client-id";
    public const string PayOsApiKey = "test-payos-api-key";

    public static IBankProvider Format(string provider) => provider switch
    {
        "sepay" => new SePay(), "casso" => new Casso(), _ => new PayOs(),
    };
}

/// <summary>
/// One app with the demo data per test class, without the per-address limit on refused deliveries (the in-memory test
/// server has no client address, so every refusal of the class would count against one client; the limit has tests of
/// its own: WebhookLimitTests, WebhookFloodTests).
/// </summary>
public sealed class WebhookAppFixture : IAsyncLifetime
{
    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync() =>
        App = await Cho40App.StartAsync(withDemoData: true, settings: new Dictionary<string, string> { ["Cho40:WebhookFailuresPerMinute"] = "0" });

    public async Task DisposeAsync() => await App.DisposeAsync();
}
