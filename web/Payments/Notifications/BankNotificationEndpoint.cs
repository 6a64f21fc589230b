using System.Globalization;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;

namespace Cho40.Web.Payments.Notifications;

/// <summary>
/// The bank-notification addresses, one per connection: <c>/api/bank-notifications/{provider}/{token}</c>. What a
/// delivery is and does is the intake's (<see cref="PaymentIntake"/>, in Cho40.Jobs so job processes share it); this is
/// only HTTP: the gate on what an unauthenticated caller can cost, reading the body, and the answers.
/// </summary>
public static class BankNotificationEndpoint
{
    public static void MapBankNotifications(this IEndpointRouteBuilder app)
    {
        // Some services look at an address before they use it (reported of payOS): a plain 200 for a working connection.
        app.MapGet("/api/bank-notifications/{provider}/{token}", async (string provider, string token, PaymentIntake intake,
            CancellationToken cancellationToken) =>
            await intake.ActiveConnectionAsync(provider, token, cancellationToken) is null ? NotFound(provider) : Results.Json(new { success = true }));

        app.MapPost("/api/bank-notifications/{provider}/{token}", ReceiveAsync).DisableAntiforgery();

        app.MapPost("/api/bank-notifications/{provider}/{token}/oauth/token", TokenAsync).DisableAntiforgery();
    }

    /// <summary>
    /// <c>POST /api/bank-notifications/{provider}/{token}</c>: 200 <c>{"success":true}</c> once stored — new, duplicate, a
    /// test delivery, or money that cannot be money (kept as invalid: the service must stop retrying it). Before any of
    /// the body is read: 429 for a client refused too often this minute, 404 for an address that names no working
    /// connection; a body over <see cref="WebhookGate.MaxBodyBytes"/> is 413. 401 not authentic (or stale and new), 400
    /// unreadable (kept raw). Refusals count against the client.
    /// </summary>
    private static async Task<IResult> ReceiveAsync(string provider, string token, HttpContext context, PaymentIntake intake, WebhookGate gate,
        ILogger<PaymentIntake> logger, CancellationToken cancellationToken)
    {
        if (gate.Refusal(context) is { } wait) return TooMany(context, wait);
        var connection = await intake.ActiveConnectionAsync(provider, token, cancellationToken);
        if (connection is null)
        {
            gate.CountFailure(context);
            return Unread(context, NotFound(provider));
        }
        var body = await WebhookGate.ReadBodyAsync(context.Request, cancellationToken);
        if (body is null)
        {
            gate.CountFailure(context);
            return Unread(context, TooLarge());
        }
        IntakeResult result;
        try
        {
            // Once the body is read the delivery is processed to the end even if the service hangs up: stopping between
            // storing it raw and recording its transfers would leave a stored delivery unprocessed until the retry.
            // The database's command timeout bounds the work.
            result = await intake.ReceiveAsync(connection, new BankDelivery(context.Request.Headers, context.Request.ContentType ?? "", body),
                CancellationToken.None);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogWarning("A {Provider} notification was not stored, the database is unavailable: {Error}", provider, e.Message);
            // Nothing is acknowledged that was not stored: a 503 with Retry-After makes the service deliver it again,
            // and the retry is counted once (idempotent on the service's transaction id).
            context.Response.Headers.RetryAfter = "30";
            return Results.Problem(statusCode: 503, title: "Tạm thời không nhận được thông báo",
                detail: "database: cơ sở dữ liệu tạm thời không trả lời; thông báo chưa được lưu, hãy gửi lại sau.");
        }
        if (result.Status is IntakeStatus.Unauthorized) gate.CountFailure(context);
        return result.Status switch
        {
            IntakeStatus.Accepted => Results.Json(new
            {
                success = true, newTransfers = result.NewTransfers, duplicates = result.Duplicates, invalid = result.Invalid, test = result.Test,
            }),
            IntakeStatus.Unauthorized => Results.Problem(statusCode: 401, title: "Không xác thực được",
                detail: "signature: chữ ký, khoá hoặc dấu thời gian của thông báo không hợp lệ."),
            _ => Results.Problem(statusCode: 400, title: "Nội dung không đọc được",
                detail: $"body: nội dung thông báo không đúng định dạng của {provider} ({result.Reason}). Bản gốc đã được lưu."),
        };
    }

    /// <summary>
    /// SePay's OAuth 2.0 mode: SePay trades the connection's client id and secret for an access token here (SePay's
    /// documented JSON <c>{"clientId","clientSecret"}</c> → <c>{"data":{"accessToken","refreshToken","expiredIn"}}</c>, or
    /// an RFC 6749 client-credentials form), then sends <c>Authorization: Bearer {accessToken}</c> to the webhook address.
    /// </summary>
    private static async Task<IResult> TokenAsync(string provider, string token, HttpContext context, PaymentIntake intake, WebhookGate gate,
        PaymentsOptions options, CancellationToken cancellationToken)
    {
        if (gate.Refusal(context) is { } wait) return TooMany(context, wait);
        var connection = await intake.ActiveConnectionAsync(provider, token, cancellationToken);
        if (connection is null || connection.AuthMode != SePay.ModeOAuth2)
        {
            gate.CountFailure(context);
            return Unread(context, NotFound(provider));
        }
        var body = await WebhookGate.ReadBodyAsync(context.Request, cancellationToken);
        if (body is null)
        {
            gate.CountFailure(context);
            return Unread(context, TooLarge());
        }
        var request = SePay.ReadTokenRequest(new BankDelivery(context.Request.Headers, context.Request.ContentType ?? "", body));
        var accessToken = request is null ? null : await intake.IssueAccessTokenAsync(connection, request, cancellationToken);
        if (request is null || accessToken is null)
        {
            gate.CountFailure(context);
            // RFC 6749 §5.2: a client that failed to authenticate.
            return Results.Json(new { error = "invalid_client", error_description = "Client ID hoặc Client Secret không đúng." },
                statusCode: StatusCodes.Status401Unauthorized);
        }
        context.Response.Headers.CacheControl = "no-store";
        return Results.Text(SePay.TokenResponse(request, accessToken, options.AccessTokenLifetime), "application/json");
    }

    private static IResult NotFound(string provider) => Results.Problem(statusCode: 404, title: "Không có địa chỉ nhận này",
        detail: $"token: địa chỉ nhận thông báo '{provider}' này không thuộc kết nối ngân hàng nào đang hoạt động.");

    private static IResult TooLarge() => Results.Problem(statusCode: 413, title: "Nội dung quá lớn",
        detail: $"body: thông báo dài quá {WebhookGate.MaxBodyBytes / 1024} KB; các dịch vụ chỉ gửi vài KB mỗi lần.");

    private static IResult TooMany(HttpContext context, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Unread(context, Results.Problem(statusCode: 429, title: "Quá nhiều thông báo không hợp lệ",
            detail: $"signature: địa chỉ này đã gửi quá nhiều thông báo không xác thực được; hãy gửi lại sau {seconds} giây."));
    }

    /// <summary>An answer given without reading (the rest of) the body: the connection is closed after it, not drained.</summary>
    private static IResult Unread(HttpContext context, IResult answer)
    {
        context.Response.Headers.Connection = "close";
        return answer;
    }
}
