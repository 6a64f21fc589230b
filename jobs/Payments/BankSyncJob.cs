using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Cho40.Jobs.Payments;

/// <summary>How one connection's read went: new transfers booked, ones already known, or why it failed.</summary>
public sealed record SyncOutcome(bool Ran, int NewTransfers = 0, int Duplicates = 0, string? Error = null);

/// <summary>
/// The safety net ("nothing missed"): services give up on a webhook after a while (SePay: about 8 tries over 33 minutes),
/// so every <see cref="PaymentsOptions.SyncMinutes"/> each connection with an API token reads its account's recent
/// transactions from the service's transactions API and hands them to the same intake as the webhook — a transaction
/// seen both ways counts once. A cursor per connection says where the last good read stopped (SePay v1: the last id;
/// v2: the last UUID; Casso: the highest id, with a date window). A read that fails keeps the cursor, counts the failure
/// (flagged on the stall's pages after <see cref="PaymentsOptions.SyncFailuresToFlag"/>) and is tried again next time.
/// </summary>
public sealed class BankSyncJob(BankConnections connections, IntegrationSecrets secrets, BankApis apis, PaymentIntake intake,
    PlatformAccount platform, PaymentsOptions options, TimeProvider time, ILogger<BankSyncJob> log)
{
    public const string RecurringJobId = "bank-sync";
    public const string Queue = "payments";

    /// <summary>Reads every connection that has a transactions API; returns how many new transfers it booked.</summary>
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)] // the next scheduled run is the retry
    [DisplayName("Đối soát giao dịch ngân hàng (lưới an toàn)")]
    public async Task<int> RunAllAsync(CancellationToken cancellationToken = default)
    {
        var booked = 0;
        foreach (var id in await connections.SyncableAsync(cancellationToken))
        {
            var outcome = await SyncAsync(id, cancellationToken);
            booked += outcome.NewTransfers;
        }
        return booked;
    }

    /// <summary>Reads one connection (its lease keeps two job processes from reading it at once).</summary>
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Đối soát giao dịch của kết nối {0}")]
    public async Task<SyncOutcome> SyncAsync(long connectionId, CancellationToken cancellationToken = default)
    {
        var lease = TimeSpan.FromSeconds(options.HttpTotalTimeoutSeconds * 2 + 60);
        if (!await connections.TakeSyncLeaseAsync(connectionId, time.GetUtcNow(), lease, cancellationToken)) return new SyncOutcome(false);
        var connection = await connections.FindAsync(connectionId, cancellationToken);
        if (connection is null) return new SyncOutcome(false);
        var cursor = connection.SyncCursor;
        int fresh = 0, duplicates = 0;
        try
        {
            var token = await secrets.CurrentAsync(BankConnections.SecretOwnerKind, connection.Id, PaymentIntake.ApiToken, cancellationToken)
                ?? throw new BankApiException("Chưa nhập API token của dịch vụ.", Permanent: true);
            var account = connection.StallId is { } stallId
                ? (await connections.StallAccountAsync(stallId, cancellationToken))?.AccountNumber
                : platform.AccountNumber;
            if (string.IsNullOrEmpty(account)) throw new BankApiException("Sạp chưa liên kết tài khoản ngân hàng.", Permanent: true);

            await foreach (var (page, pageCursor) in PagesAsync(connection, account, token, cancellationToken))
            {
                var result = await intake.RecordPulledAsync(connection, page, cancellationToken);
                fresh += result.NewTransfers;
                duplicates += result.Duplicates;
                // The cursor moves only past pages recorded in full.
                if (pageCursor is not null) cursor = pageCursor;
            }
            await connections.SyncSucceededAsync(connection.Id, cursor, time.GetUtcNow(), cancellationToken);
            if (fresh > 0)
                log.LogWarning("The safety net found {Count} transfer(s) for connection {Connection} that no webhook had delivered", fresh, connection.Id);
            return new SyncOutcome(true, fresh, duplicates);
        }
        catch (Exception e) when (IsServiceFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            var message = e is BankApiException ? e.Message : Describe(e);
            log.LogWarning("Reading {Provider}'s transactions for connection {Connection} failed: {Error}", connection.Provider, connection.Id, message);
            await connections.SyncFailedAsync(connection.Id, message, cursor, CancellationToken.None);
            return new SyncOutcome(true, fresh, duplicates, message);
        }
    }

    /// <summary>Pages of the account's transactions after the cursor, each with the cursor to keep once it is recorded.</summary>
    private async IAsyncEnumerable<(IReadOnlyList<PulledTransaction> Page, string? Cursor)> PagesAsync(BankConnection connection, string account,
        string token, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = time.GetUtcNow() - TimeSpan.FromHours(options.SyncLookbackHours);
        switch (connection.SyncApi)
        {
            case "sepay_v1":
            {
                long? since = long.TryParse(connection.SyncCursor, NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last + 1 : null;
                for (var page = 0; page < options.SyncMaxPages; page++)
                {
                    var body = await apis.GetAsync("sepay", options.SePayApiV1BaseUrl, SePay.V1ListPath(account, since, from, options.SePayV1Limit),
                        new AuthenticationHeaderValue("Bearer", token), cancellationToken);
                    var rows = SePay.ParseV1List(body);
                    var ids = rows.Select(r => long.TryParse(r.ApiId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0).ToList();
                    var max = ids.Count == 0 ? (long?)null : ids.Max();
                    yield return (Mine(rows, account), max?.ToString(CultureInfo.InvariantCulture));
                    if (rows.Count < options.SePayV1Limit || max is null) yield break;
                    since = max + 1;
                }
                yield break;
            }
            case "sepay_v2":
            {
                var since = connection.SyncCursor;
                for (var page = 0; page < options.SyncMaxPages; page++)
                {
                    var body = await apis.GetAsync("sepay", options.SePayApiV2BaseUrl, SePay.V2ListPath(account, since, from, options.SyncPageSize),
                        new AuthenticationHeaderValue("Bearer", token), cancellationToken);
                    var (rows, hasMore) = SePay.ParseV2List(body);
                    if (rows.Count > 0) since = rows[^1].ApiId;
                    yield return (Mine(rows, account), rows.Count > 0 ? since : null);
                    if (!hasMore || rows.Count == 0) yield break;
                }
                yield break;
            }
            case "casso_v2":
            {
                // Casso pages by date: from the day before the last good read (or the look-back), every page, oldest first.
                var start = connection.LastSyncedAt is { } synced && synced > from ? synced - TimeSpan.FromDays(1) : from;
                var fromDate = VietnamTime.DayOf(start);
                var highest = long.TryParse(connection.SyncCursor, NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : 0;
                var totalPages = 1;
                for (var page = 1; page <= totalPages && page <= options.SyncMaxPages; page++)
                {
                    var body = await apis.GetAsync("casso", options.CassoApiBaseUrl, Casso.ListPath(fromDate, page, options.SyncPageSize),
                        new AuthenticationHeaderValue("Apikey", token), cancellationToken);
                    (var rows, totalPages) = Casso.ParseList(body);
                    foreach (var r in rows)
                        if (long.TryParse(r.ApiId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > highest) highest = id;
                    yield return (Mine(rows, account), highest.ToString(CultureInfo.InvariantCulture));
                }
                yield break;
            }
            default:
                yield break;
        }
    }

    /// <summary>Only this connection's account: a service account watching several accounts lists them all.</summary>
    private static IReadOnlyList<PulledTransaction> Mine(IReadOnlyList<PulledTransaction> rows, string account) =>
        rows.Where(r => r.Transfer is { } t && t.AccountNumber.Trim() == account).ToList();

    private static bool IsServiceFailure(Exception e) =>
        e is BankApiException or HttpRequestException or TimeoutRejectedException or BrokenCircuitException or JsonException
            or FormatException or TaskCanceledException;

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException => "Dịch vụ không trả lời kịp (hết thời gian chờ).",
        BrokenCircuitException => "Dịch vụ đang lỗi liên tục: tạm ngừng gọi trong ít phút.",
        HttpRequestException h => $"Không gọi được dịch vụ: {h.Message}",
        JsonException or FormatException => $"Dịch vụ trả lời không đúng định dạng: {e.Message}",
        _ => e.Message,
    };
}

/// <summary>
/// Registers the safety net with Hangfire when a web or job process starts (every <see cref="PaymentsOptions.SyncMinutes"/>
/// minutes; AddOrUpdate under a fixed id, so any number of processes leave one recurring job). Retries in the background
/// while the database is unreachable instead of failing the start-up.
/// </summary>
public sealed class BankSyncSchedule(IRecurringJobManager recurring, PaymentsOptions options, ILogger<BankSyncSchedule> log) : RecurringJobRegistration(log)
{
    public void Register() =>
        recurring.AddOrUpdate<BankSyncJob>(BankSyncJob.RecurringJobId, BankSyncJob.Queue, j => j.RunAllAsync(CancellationToken.None),
            options.SyncMinutes is > 0 and < 60 ? $"*/{options.SyncMinutes} * * * *" : "0 * * * *",
            new RecurringJobOptions { TimeZone = VietnamTime.Zone });

    protected override string What => "the bank safety net";

    protected override Task RegisterAsync(CancellationToken cancellationToken)
    {
        Register();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Creates a transfer order's payOS payment link (enqueued at checkout; checkout never waits for payOS). Idempotent: a
/// created link is left alone, and payOS refuses a second link with the same orderCode (code 231) — the link it already
/// has is then looked up. Retried by Hangfire while payOS is unreachable; given up after
/// <see cref="PaymentsOptions.PayOsLinkAttempts"/> (the order page then shows the plain transfer details).
/// </summary>
public sealed class PayOsLinkJob(PayOsLinks links, BankConnections connections, IntegrationSecrets secrets, BankApis apis,
    PaymentsOptions options, TimeProvider time, ILogger<PayOsLinkJob> log)
{
    [Queue(BankSyncJob.Queue)]
    [AutomaticRetry(Attempts = 8, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Tạo liên kết thanh toán payOS cho đơn {0}")]
    public async Task<string> CreateAsync(long orderId, CancellationToken cancellationToken = default)
    {
        var link = await links.FindAsync(orderId, cancellationToken);
        if (link is null || link.Status == "created") return link?.Status ?? "none";
        var connection = await connections.FindAsync(link.ConnectionId, cancellationToken);
        if (connection is not { IsActive: true })
        {
            await links.MarkAttemptFailedAsync(orderId, "the payOS connection was revoked", final: true, options.PayOsLinkAttempts, time.GetUtcNow(),
                cancellationToken);
            return "failed";
        }
        var credentials = await CredentialsAsync(secrets, connection.Id, cancellationToken);
        if (credentials is null)
        {
            await links.MarkAttemptFailedAsync(orderId, "the payOS connection has no Client ID / Api Key / Checksum Key", final: true,
                options.PayOsLinkAttempts, time.GetUtcNow(), cancellationToken);
            return "failed";
        }
        try
        {
            var answer = await apis.CreatePaymentLinkAsync(credentials, link.OrderCode, link.AmountVnd, link.Description, link.ReturnUrl,
                link.CancelUrl, cancellationToken);
            var created = answer.Outcome switch
            {
                PaymentLinkOutcome.Created => answer.Link,
                PaymentLinkOutcome.AlreadyExists => await apis.PaymentInfoAsync(credentials, link.OrderCode, cancellationToken),
                _ => null,
            };
            if (created is null)
            {
                await links.MarkAttemptFailedAsync(orderId, answer.Error ?? "payOS gave no link", final: true, options.PayOsLinkAttempts,
                    time.GetUtcNow(), cancellationToken);
                return "failed";
            }
            await links.MarkCreatedAsync(orderId, created.PaymentLinkId, created.CheckoutUrl, created.QrCode, created.Bin, created.AccountNumber,
                created.AccountName, time.GetUtcNow(), cancellationToken);
            return "created";
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or BankApiException or JsonException
                                      && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Creating the payOS link of order {Order} failed: {Error}", orderId, e.Message);
            await links.MarkAttemptFailedAsync(orderId, e.Message, final: false, options.PayOsLinkAttempts, time.GetUtcNow(), CancellationToken.None);
            throw; // Hangfire tries again later
        }
    }

    /// <summary>A payOS connection's three keys, or null while one is missing.</summary>
    public static async Task<PayOsCredentials?> CredentialsAsync(IntegrationSecrets secrets, long connectionId, CancellationToken cancellationToken)
    {
        var clientId = await secrets.CurrentAsync(BankConnections.SecretOwnerKind, connectionId, PaymentIntake.PayOsClientId, cancellationToken);
        var apiKey = await secrets.CurrentAsync(BankConnections.SecretOwnerKind, connectionId, PaymentIntake.PayOsApiKey, cancellationToken);
        var checksum = await secrets.CurrentAsync(BankConnections.SecretOwnerKind, connectionId, PaymentIntake.WebhookSecret, cancellationToken);
        return clientId is null || apiKey is null || checksum is null ? null : new PayOsCredentials(clientId, apiKey, checksum);
    }
}
