using System.Text.Json;
using Cho40.Db;

namespace Cho40.Web.Payments.Notifications;

public enum IntakeStatus { Accepted, UnknownProvider, Unauthorized, BadBody }

public sealed record IntakeResult(IntakeStatus Status, int NewTransfers = 0, int Duplicates = 0, string? Reason = null);

/// <summary>
/// The one path every bank notification takes — the webhook endpoint and the admin's simulate form alike:
/// authenticate (per provider, secret from <c>Cho40:Webhooks:{provider}:Secret</c>), store the raw body,
/// then store each transfer once per (provider, transaction id) and match it in the same transaction.
/// </summary>
public sealed class PaymentIntake(IEnumerable<IBankNotificationProvider> providers, Db.Payments payments, PaymentMatching matching,
    IConfiguration configuration, TimeProvider time, ILogger<PaymentIntake> logger)
{
    private readonly Dictionary<string, IBankNotificationProvider> byName =
        providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<IBankNotificationProvider> Providers => byName.Values;

    public IBankNotificationProvider? Provider(string name) => byName.GetValueOrDefault(name);

    /// <summary>The configured secret; a provider without one is treated as unknown (never "no auth").</summary>
    public string? SecretOf(string provider)
    {
        var secret = configuration[$"Cho40:Webhooks:{provider}:Secret"];
        return string.IsNullOrEmpty(secret) ? null : secret;
    }

    public async Task<IntakeResult> ReceiveAsync(string providerName, IHeaderDictionary headers, string rawBody, CancellationToken cancellationToken = default)
    {
        var provider = Provider(providerName);
        var secret = provider is null ? null : SecretOf(provider.Name);
        if (provider is null || secret is null) return new IntakeResult(IntakeStatus.UnknownProvider);

        var now = time.GetUtcNow();
        if (provider.Authenticate(headers, rawBody, secret, now) is { } refusal)
        {
            logger.LogWarning("Refused a {Provider} notification: {Reason}", provider.Name, refusal);
            return new IntakeResult(IntakeStatus.Unauthorized, Reason: refusal);
        }

        var notificationId = await payments.StoreNotificationAsync(provider.Name, rawBody, now, cancellationToken);
        IReadOnlyList<IncomingTransfer> transfers;
        try
        {
            transfers = provider.Parse(rawBody);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            await payments.MarkNotificationAsync(notificationId, "invalid", e.Message, cancellationToken);
            return new IntakeResult(IntakeStatus.BadBody, Reason: e.Message);
        }

        int fresh = 0, duplicates = 0;
        foreach (var transfer in transfers)
        {
            // One secret per provider: an authentic delivery may speak for any account we know (issue 14 narrows this
            // to the accounts of the connection that authenticated it).
            var isNew = await payments.RecordTransferAsync(provider.Name, notificationId, transfer, now,
                (connection, tx, stored, ct) => matching.ApplyAsync(connection, tx, stored, now, AccountScope.AnyKnownAccount, ct), cancellationToken);
            if (isNew) fresh++; else duplicates++;
        }
        await payments.MarkNotificationAsync(notificationId, "processed", null, cancellationToken);
        return new IntakeResult(IntakeStatus.Accepted, fresh, duplicates);
    }

    /// <summary>
    /// The admin's "Giả lập chuyển khoản": writes the body the provider would send, signs it with the
    /// configured secret and hands it to <see cref="ReceiveAsync"/> — the exact path a real delivery takes.
    /// </summary>
    public async Task<IntakeResult> SimulateAsync(string providerName, SimulatedTransfer transfer, CancellationToken cancellationToken = default)
    {
        var provider = Provider(providerName);
        var secret = provider is null ? null : SecretOf(provider.Name);
        if (provider is null || secret is null) return new IntakeResult(IntakeStatus.UnknownProvider);
        var (body, signedHeaders) = provider.Simulate(transfer, secret, time.GetUtcNow());
        var headers = new HeaderDictionary();
        foreach (var (name, value) in signedHeaders) headers[name] = value;
        return await ReceiveAsync(provider.Name, headers, body, cancellationToken);
    }
}

public static class BankNotificationEndpoint
{
    /// <summary>
    /// <c>POST /api/bank-notifications/{provider}</c>: 200 <c>{"success":true}</c> once stored (new or duplicate). Before any
    /// of the body is read: 429 for a client refused too often this minute, 404 for a provider not configured; a body over
    /// <see cref="WebhookGate.MaxBodyBytes"/> is 413 (read no further than the cap). Refusals count against the client.
    /// </summary>
    public static void MapBankNotifications(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/bank-notifications/{provider}", async (string provider, HttpContext context, PaymentIntake intake, WebhookGate gate,
            ILogger<PaymentIntake> logger, CancellationToken cancellationToken) =>
        {
            if (gate.Refusal(context) is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Unread(context, Results.Problem(statusCode: 429, title: "Quá nhiều thông báo không hợp lệ",
                    detail: $"signature: địa chỉ này đã gửi quá nhiều thông báo không xác thực được; hãy gửi lại sau {seconds} giây."));
            }
            if (intake.Provider(provider) is not { } known || intake.SecretOf(known.Name) is null)
            {
                gate.CountFailure(context);
                return Unread(context, Results.Problem(statusCode: 404, title: "Không có nhà cung cấp này",
                    detail: $"provider: không có nhà cung cấp thông báo ngân hàng '{provider}' nào được cấu hình."));
            }
            var body = await WebhookGate.ReadBodyAsync(context.Request, cancellationToken);
            if (body is null)
            {
                gate.CountFailure(context);
                return Unread(context, Results.Problem(statusCode: 413, title: "Nội dung quá lớn",
                    detail: $"body: thông báo dài quá {WebhookGate.MaxBodyBytes / 1024} KB; các dịch vụ chỉ gửi vài KB mỗi lần."));
            }
            IntakeResult result;
            try
            {
                result = await intake.ReceiveAsync(provider, context.Request.Headers, body, cancellationToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogWarning("A {Provider} notification was not stored, the database is unavailable: {Error}", provider, e.Message);
                // Nothing is acknowledged that was not stored: a 503 with Retry-After makes the provider deliver it again,
                // and the retry is counted once (idempotent on the provider's transaction id).
                context.Response.Headers.RetryAfter = "30";
                return Results.Problem(statusCode: 503, title: "Tạm thời không nhận được thông báo",
                    detail: "database: cơ sở dữ liệu tạm thời không trả lời; thông báo chưa được lưu, hãy gửi lại sau.");
            }
            if (result.Status is IntakeStatus.Unauthorized or IntakeStatus.UnknownProvider) gate.CountFailure(context);
            return result.Status switch
            {
                IntakeStatus.Accepted => Results.Json(new { success = true, newTransfers = result.NewTransfers, duplicates = result.Duplicates }),
                IntakeStatus.UnknownProvider => Results.Problem(statusCode: 404, title: "Không có nhà cung cấp này",
                    detail: $"provider: không có nhà cung cấp thông báo ngân hàng '{provider}' nào được cấu hình."),
                IntakeStatus.Unauthorized => Results.Problem(statusCode: 401, title: "Không xác thực được",
                    detail: "signature: chữ ký, khoá hoặc dấu thời gian của thông báo không hợp lệ."),
                _ => Results.Problem(statusCode: 400, title: "Nội dung không đọc được",
                    detail: $"body: nội dung thông báo không đúng định dạng của {provider} ({result.Reason}). Bản gốc đã được lưu."),
            };
        }).DisableAntiforgery();

    /// <summary>An answer given without reading (the rest of) the body: the connection is closed after it, not drained.</summary>
    private static IResult Unread(HttpContext context, IResult answer)
    {
        context.Response.Headers.Connection = "close";
        return answer;
    }
}
