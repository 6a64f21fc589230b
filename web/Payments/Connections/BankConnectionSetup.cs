using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;

namespace Cho40.Web.Payments.Connections;

/// <summary>A value to enter in the service's dashboard, shown once (right after it was made); <see cref="Label"/> names the field there.</summary>
public sealed record ShownSecret(string Name, string Label, string Value);

/// <summary>
/// "Kết nối ngân hàng": what a stall's keeper (or an admin, for the collection account) does with a connection — create
/// it for a service and mode (the platform makes the keys it hands out, shown once), enter the keys the service makes
/// (SePay's HMAC secret, payOS's three keys), rotate (the old key keeps working for a grace period), revoke, give an API
/// token for the safety net, ask payOS to confirm the address. The stall and admin pages both use it.
/// </summary>
public sealed class BankConnectionSetup(BankConnections connections, IntegrationSecrets secrets, BankApis apis, PaymentsOptions options,
    TimeProvider time)
{
    private const string Kind = BankConnections.SecretOwnerKind;

    public static readonly IReadOnlyList<string> Providers = ["sepay", "casso", "payos"];

    public static IReadOnlyList<string> ModesOf(string provider) => provider switch
    {
        "sepay" => [SePay.ModeApiKey, SePay.ModeHmac, SePay.ModeOAuth2],
        "casso" => [Casso.ModeSignature, Casso.ModeSecureToken],
        "payos" => [PayOs.ModeChecksum],
        _ => [],
    };

    /// <summary>The service a mode belongs to (every mode name is one service's).</summary>
    public static string ProviderOf(string? authMode) => Providers.FirstOrDefault(p => ModesOf(p).Contains(authMode ?? "")) ?? "";

    public static IReadOnlyList<string> SyncApisOf(string provider) => provider switch
    {
        "sepay" => ["sepay_v1", "sepay_v2"],
        "casso" => ["casso_v2"],
        _ => [],
    };

    /// <summary>The secret the platform makes for a mode, and what the service's dashboard calls it (null: the service makes it).</summary>
    public static (string Name, string Label)? GeneratedSecretOf(string authMode) => authMode switch
    {
        SePay.ModeApiKey => (PaymentIntake.WebhookSecret, "API Key"),
        SePay.ModeOAuth2 => (PaymentIntake.ClientSecret, "Client Secret"),
        Casso.ModeSignature or Casso.ModeSecureToken => (PaymentIntake.WebhookSecret, "Khóa bảo mật (Security Key)"),
        _ => null,
    };

    /// <summary>A new connection and the values it hands out; null connection when the owner already has an active one.</summary>
    public async Task<(BankConnection? Connection, IReadOnlyList<ShownSecret> Shown)> CreateAsync(long? stallId, string provider, string authMode,
        long userId, CancellationToken cancellationToken)
    {
        if (!ModesOf(provider).Contains(authMode)) throw new ArgumentException($"{provider} has no mode {authMode}", nameof(authMode));
        var connection = await connections.CreateAsync(provider, stallId, authMode, userId, time.GetUtcNow(), cancellationToken);
        if (connection is null) return (null, []);
        var shown = await GenerateAsync(connection, TimeSpan.Zero, cancellationToken);
        return (connection, shown);
    }

    /// <summary>A new generated key; the old one keeps working for <see cref="PaymentsOptions.SecretGraceHours"/>.</summary>
    public Task<IReadOnlyList<ShownSecret>> RotateAsync(BankConnection connection, CancellationToken cancellationToken) =>
        GenerateAsync(connection, TimeSpan.FromHours(options.SecretGraceHours), cancellationToken);

    private async Task<IReadOnlyList<ShownSecret>> GenerateAsync(BankConnection connection, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (GeneratedSecretOf(connection.AuthMode) is not var (name, label)) return [];
        var value = IntegrationSecrets.NewSecret();
        await secrets.SetAsync(Kind, connection.Id, name, value, time.GetUtcNow(), grace, cancellationToken);
        return [new ShownSecret(name, label, value)];
    }

    /// <summary>A key the service made (SePay's HMAC secret key, a Casso key created there); the previous one keeps a grace period.</summary>
    public Task SetServiceKeyAsync(BankConnection connection, string key, CancellationToken cancellationToken) =>
        secrets.SetAsync(Kind, connection.Id, PaymentIntake.WebhookSecret, key.Trim(), time.GetUtcNow(), TimeSpan.FromHours(options.SecretGraceHours),
            cancellationToken);

    /// <summary>payOS's three keys of the payment channel (the checksum key is also the webhook's).</summary>
    public async Task SetPayOsKeysAsync(BankConnection connection, string clientId, string apiKey, string checksumKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var grace = TimeSpan.FromHours(options.SecretGraceHours);
        await secrets.SetAsync(Kind, connection.Id, PaymentIntake.PayOsClientId, clientId.Trim(), now, TimeSpan.Zero, cancellationToken);
        await secrets.SetAsync(Kind, connection.Id, PaymentIntake.PayOsApiKey, apiKey.Trim(), now, TimeSpan.Zero, cancellationToken);
        await secrets.SetAsync(Kind, connection.Id, PaymentIntake.WebhookSecret, checksumKey.Trim(), now, grace, cancellationToken);
    }

    /// <summary>The service's API token and which of its APIs to read: the safety net starts with the next run.</summary>
    public async Task SetApiTokenAsync(BankConnection connection, string syncApi, string token, CancellationToken cancellationToken)
    {
        if (!SyncApisOf(connection.Provider).Contains(syncApi)) throw new ArgumentException($"{connection.Provider} has no API {syncApi}", nameof(syncApi));
        await secrets.SetAsync(Kind, connection.Id, PaymentIntake.ApiToken, token.Trim(), time.GetUtcNow(), TimeSpan.Zero, cancellationToken);
        await connections.SetSyncApiAsync(connection.Id, syncApi, cancellationToken);
    }

    /// <summary>Stops the connection and every key of it at once; the address answers 404 from now on.</summary>
    public async Task<bool> RevokeAsync(BankConnection connection, long userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await connections.RevokeAsync(connection.Id, userId, now, cancellationToken)) return false;
        await secrets.RetireAllAsync(Kind, connection.Id, now, cancellationToken);
        return true;
    }

    /// <summary>payOS: asks it to confirm the address (it then sends its test delivery). Null when it accepted, else why not.</summary>
    public async Task<string?> ConfirmPayOsWebhookAsync(BankConnection connection, string webhookUrl, CancellationToken cancellationToken)
    {
        var credentials = await PayOsLinkJob.CredentialsAsync(secrets, connection.Id, cancellationToken);
        if (credentials is null) return "Hãy nhập đủ Client ID, Api Key và Checksum Key của kênh thanh toán payOS trước.";
        try
        {
            return await apis.ConfirmWebhookAsync(credentials, webhookUrl, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or BankApiException or Polly.Timeout.TimeoutRejectedException
                                      or Polly.CircuitBreaker.BrokenCircuitException or System.Text.Json.JsonException)
        {
            return "Không gọi được payOS: " + e.Message;
        }
    }

    public Task<IReadOnlyList<SecretInfo>> DescribeAsync(BankConnection connection, CancellationToken cancellationToken) =>
        secrets.DescribeAsync(Kind, connection.Id, time.GetUtcNow(), cancellationToken);
}
