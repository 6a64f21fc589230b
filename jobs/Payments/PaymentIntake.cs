using System.Text.Json;
using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Payments;

public enum IntakeStatus { Accepted, UnknownConnection, Unauthorized, BadBody }

/// <summary>
/// What became of a delivery: <paramref name="NewTransfers"/> stored and matched, <paramref name="Duplicates"/> already
/// stored, <paramref name="Invalid"/> that cannot be money (stored as invalid, counted nowhere), or a <paramref name="Test"/>.
/// </summary>
public sealed record IntakeResult(IntakeStatus Status, int NewTransfers = 0, int Duplicates = 0, int Invalid = 0, bool Test = false,
    string? Reason = null);

/// <summary>
/// The one path every bank notification takes — a webhook delivery, a transaction the safety net pulled, the admin's
/// simulate form: authenticate it for ITS connection (with that connection's secrets; a rotated secret still works in
/// its grace period), store the raw body, then store each transfer once per (provider, transaction id) and match it in
/// the same transaction, within the connection's accounts only (<see cref="AccountScope.Of"/>).
/// </summary>
public sealed class PaymentIntake(IEnumerable<IBankProvider> providers, Db.Payments payments, BankConnections connections,
    IntegrationSecrets secrets, PaymentMatching matching, PaymentsOptions options, TimeProvider time, ILogger<PaymentIntake> logger)
{
    /// <summary>Secret names of a bank connection (owner kind <see cref="BankConnections.SecretOwnerKind"/>).</summary>
    public const string WebhookSecret = "webhook", ClientSecret = "client_secret", ApiToken = "api_token",
        PayOsClientId = "payos_client_id", PayOsApiKey = "payos_api_key";

    private readonly Dictionary<string, IBankProvider> byName = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<IBankProvider> Providers => byName.Values;

    public IBankProvider? Provider(string name) => byName.GetValueOrDefault(name);

    /// <summary>The active connection a webhook address names, or null (unknown provider or token, or revoked).</summary>
    public async Task<BankConnection?> ActiveConnectionAsync(string provider, string token, CancellationToken cancellationToken = default)
    {
        if (Provider(provider) is null || token.Length != 22) return null;
        var connection = await connections.FindByTokenAsync(provider, token, cancellationToken);
        return connection is { IsActive: true } ? connection : null;
    }

    public Task<IReadOnlyList<string>> SecretsAsync(BankConnection connection, string name, CancellationToken cancellationToken = default) =>
        secrets.AcceptedAsync(BankConnections.SecretOwnerKind, connection.Id, name, time.GetUtcNow(), cancellationToken);

    public async Task<IntakeResult> ReceiveAsync(BankConnection connection, BankDelivery delivery, CancellationToken cancellationToken = default)
    {
        var provider = Provider(connection.Provider) ?? throw new InvalidOperationException($"no provider {connection.Provider}");
        var now = time.GetUtcNow();
        var auth = await AuthenticateAsync(provider, connection, delivery, now, cancellationToken);
        if (auth.Outcome == AuthOutcome.Refused)
        {
            logger.LogWarning("Refused a {Provider} notification for connection {Connection}: {Reason}", provider.Name, connection.Id, auth.Reason);
            return new IntakeResult(IntakeStatus.Unauthorized, Reason: auth.Reason);
        }
        if (auth.Outcome == AuthOutcome.Stale)
        {
            // A late retry of what we stored is acknowledged (so the service stops); anything new under an old signature is not.
            if (await AllStoredAsync(provider, delivery, cancellationToken) is { } stored)
                return new IntakeResult(IntakeStatus.Accepted, Duplicates: stored);
            logger.LogWarning("Refused a stale {Provider} notification for connection {Connection}: {Reason}", provider.Name, connection.Id, auth.Reason);
            return new IntakeResult(IntakeStatus.Unauthorized, Reason: auth.Reason);
        }

        var notificationId = await payments.StoreNotificationAsync(provider.Name, delivery.RawBody, now, connection.Id, DeliverySource.Webhook,
            cancellationToken: cancellationToken);
        ParsedDelivery parsed;
        try
        {
            parsed = provider.Parse(delivery);
        }
        catch (Exception e) when (IsBadBody(e))
        {
            await payments.MarkNotificationAsync(notificationId, "invalid", e.Message, cancellationToken);
            return new IntakeResult(IntakeStatus.BadBody, Reason: e.Message);
        }
        if (parsed.IsTest)
        {
            await payments.MarkNotificationAsync(notificationId, "test", null, cancellationToken);
            await connections.MarkDeliveryAsync(connection.Id, now, isTest: true, cancellationToken);
            return new IntakeResult(IntakeStatus.Accepted, Test: true);
        }

        int fresh = 0, duplicates = 0;
        var invalid = new List<string>();
        foreach (var transfer in parsed.Transfers)
        {
            if (transfer.Invalidity is { } why)
            {
                invalid.Add($"{transfer.ProviderTransactionId}: {why}");
                continue;
            }
            if (await RecordAsync(connection, notificationId, transfer, now, DeliverySource.Webhook, cancellationToken)) fresh++; else duplicates++;
        }
        var allInvalid = invalid.Count > 0 && invalid.Count == parsed.Transfers.Count;
        await payments.MarkNotificationAsync(notificationId, allInvalid ? "invalid" : "processed",
            invalid.Count == 0 ? null : "cannot be money: " + string.Join("; ", invalid), cancellationToken);
        if (invalid.Count > 0)
            logger.LogWarning("A signed {Provider} notification for connection {Connection} reported money that cannot be money: {Invalid}",
                provider.Name, connection.Id, string.Join("; ", invalid));
        await connections.MarkDeliveryAsync(connection.Id, now, isTest: false, cancellationToken);
        return new IntakeResult(IntakeStatus.Accepted, fresh, duplicates, invalid.Count);
    }

    /// <summary>
    /// Transactions the safety net read from the service's API for this connection: each one not stored yet is kept raw
    /// (source <c>sync</c>) and goes through the same recording and matching as a webhook's, so a transaction seen both
    /// ways counts once, whichever came first.
    /// </summary>
    public async Task<IntakeResult> RecordPulledAsync(BankConnection connection, IEnumerable<PulledTransaction> pulled,
        CancellationToken cancellationToken = default)
    {
        int fresh = 0, duplicates = 0, invalid = 0;
        foreach (var p in pulled)
        {
            if (p.Transfer is not { } transfer) continue;
            if (transfer.Invalidity is not null)
            {
                invalid++;
                continue;
            }
            if (await payments.TransferStoredAsync(connection.Provider, transfer, cancellationToken))
            {
                duplicates++;
                continue;
            }
            var now = time.GetUtcNow();
            var notificationId = await payments.StoreNotificationAsync(connection.Provider, p.Raw, now, connection.Id, DeliverySource.Sync,
                cancellationToken: cancellationToken);
            if (await RecordAsync(connection, notificationId, transfer, now, DeliverySource.Sync, cancellationToken)) fresh++; else duplicates++;
            await payments.MarkNotificationAsync(notificationId, "processed", null, cancellationToken);
        }
        return new IntakeResult(IntakeStatus.Accepted, fresh, duplicates, invalid);
    }

    private Task<bool> RecordAsync(BankConnection connection, long notificationId, IncomingTransfer transfer, DateTimeOffset now,
        DeliverySource source, CancellationToken cancellationToken) =>
        payments.RecordTransferAsync(connection.Provider, notificationId, transfer, now,
            (db, tx, stored, ct) => matching.ApplyAsync(db, tx, stored, now, AccountScope.Of(connection), ct), connection.Id, source,
            cancellationToken);

    private async Task<AuthResult> AuthenticateAsync(IBankProvider provider, BankConnection connection, BankDelivery delivery,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (connection.AuthMode == SePay.ModeOAuth2)
        {
            var bearer = SePay.BearerToken(delivery.Headers);
            return bearer is not null && await connections.AccessTokenValidAsync(connection.Id, bearer, now, cancellationToken)
                ? AuthResult.Ok : AuthResult.Refuse("no valid Bearer token");
        }
        var accepted = await SecretsAsync(connection, WebhookSecret, cancellationToken);
        if (accepted.Count == 0) return AuthResult.Refuse("the connection has no key yet");
        return provider.Authenticate(delivery, connection.AuthMode, accepted, now);
    }

    /// <summary>How many transfers a delivery holds when every one is stored already; null when any is new (or none readable).</summary>
    private async Task<int?> AllStoredAsync(IBankProvider provider, BankDelivery delivery, CancellationToken cancellationToken)
    {
        ParsedDelivery parsed;
        try
        {
            parsed = provider.Parse(delivery);
        }
        catch (Exception e) when (IsBadBody(e))
        {
            return null;
        }
        if (parsed.IsTest || parsed.Transfers.Count == 0) return null;
        foreach (var transfer in parsed.Transfers)
            if (!await payments.TransferStoredAsync(provider.Name, transfer, cancellationToken)) return null;
        return parsed.Transfers.Count;
    }

    private static bool IsBadBody(Exception e) =>
        e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException or IOException;

    // ---- OAuth 2.0 (SePay) -----------------------------------------------------------------------------------------

    /// <summary>
    /// A token request of SePay's OAuth 2.0 mode: the client id must be this connection's and the secret one of its
    /// accepted client secrets. Returns the new access token (only its hash is kept) or null.
    /// </summary>
    public async Task<string?> IssueAccessTokenAsync(BankConnection connection, TokenRequest request, CancellationToken cancellationToken = default)
    {
        if (connection.AuthMode != SePay.ModeOAuth2 || !WebhookText.FixedTimeEquals(request.ClientId, connection.ClientId)) return null;
        var accepted = await SecretsAsync(connection, ClientSecret, cancellationToken);
        if (!WebhookText.AnyEquals(request.ClientSecret, accepted)) return null;
        var token = IntegrationSecrets.NewSecret(32);
        var now = time.GetUtcNow();
        await connections.IssueAccessTokenAsync(connection.Id, token, now, now + options.AccessTokenLifetime, cancellationToken);
        return token;
    }

    // ---- Simulate ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// The admin's "Giả lập chuyển khoản" (and tests): writes the body the service would send for this connection, signs
    /// it with the connection's current secret (an OAuth connection gets a fresh access token) and hands it to
    /// <see cref="ReceiveAsync"/> — the exact path a real delivery takes.
    /// </summary>
    public async Task<IntakeResult> SimulateAsync(BankConnection connection, SimulatedTransfer transfer, BodyFormat format = BodyFormat.Json,
        CancellationToken cancellationToken = default)
    {
        var provider = Provider(connection.Provider) ?? throw new InvalidOperationException($"no provider {connection.Provider}");
        string? secret;
        if (connection.AuthMode == SePay.ModeOAuth2)
        {
            var clientSecret = await secrets.CurrentAsync(BankConnections.SecretOwnerKind, connection.Id, ClientSecret, cancellationToken);
            secret = clientSecret is null ? null
                : await IssueAccessTokenAsync(connection, new TokenRequest(connection.ClientId, clientSecret, Standard: false), cancellationToken);
        }
        else secret = await secrets.CurrentAsync(BankConnections.SecretOwnerKind, connection.Id, WebhookSecret, cancellationToken);
        if (secret is null) return new IntakeResult(IntakeStatus.Unauthorized, Reason: "the connection has no key yet");
        var delivery = provider.Simulate(transfer, connection.AuthMode, secret, time.GetUtcNow(), format);
        return await ReceiveAsync(connection, delivery, cancellationToken);
    }
}
