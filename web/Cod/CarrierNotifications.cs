using System.Globalization;
using System.Text.Json;
using Cho40.Db;
using Cho40.Web.Payments.Notifications;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Cho40.Web.Cod;

/// <summary>Carrier-account secrets encrypted with the data-protection key ring (shared by every web process, in PostgreSQL).</summary>
public sealed class DataProtectionCarrierSecrets(IDataProtectionProvider provider) : ICarrierSecretProtector
{
    private readonly IDataProtector protector = provider.CreateProtector("Cho40.CarrierAccounts.WebhookSecret.v1");

    public string Protect(string secret) => protector.Protect(secret);

    public string? Unprotect(string protectedSecret)
    {
        try
        {
            return protector.Unprotect(protectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>
/// Reading each carrier's webhook into a <see cref="ShipmentUpdate"/>, with the fields the carrier documents
/// (PROVIDERS.md, docs/features/cod.md), and where its secret is: GHN signs nothing, so the secret is in our URL
/// (<c>?token=</c>); GHTK appends the shared <c>?hash=</c>; Viettel Post sends <c>TOKEN</c> in the body.
/// </summary>
public static class CarrierPayloads
{
    private static readonly TimeZoneInfo Vietnam = TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");

    /// <summary>The update and the secret presented, or a reason the body cannot be read.</summary>
    public static (ShipmentUpdate? Update, string? Secret, string StoredBody, string? Problem) Read(string carrier, HttpRequest request, string body)
    {
        try
        {
            return carrier switch
            {
                WebhookCarriers.Ghn => Ghn(request, body),
                WebhookCarriers.Ghtk => Ghtk(request, body),
                WebhookCarriers.ViettelPost => ViettelPost(body),
                _ => (null, null, body, "carrier"),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            return (null, carrier == WebhookCarriers.Ghn ? request.Query["token"].ToString() : carrier == WebhookCarriers.Ghtk ? request.Query["hash"].ToString() : null,
                body, e.Message);
        }
    }

    private static (ShipmentUpdate?, string?, string, string?) Ghn(HttpRequest request, string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var secret = request.Query["token"].ToString();
        var tracking = Text(root, "OrderCode");
        var status = Text(root, "Status");
        if (string.IsNullOrWhiteSpace(tracking) || string.IsNullOrWhiteSpace(status)) return (null, secret, body, "OrderCode/Status");
        var time = root.TryGetProperty("Time", out var t) && t.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : throw new FormatException("Time");
        long? fee = Money(root, "TotalFee");
        var update = new ShipmentUpdate(WebhookCarriers.Ghn, tracking, Text(root, "ClientOrderCode"), status, Text(root, "Description") ?? "",
            time, Money(root, "CODAmount"), fee, root.TryGetProperty("IsPartialReturn", out var p) && p.ValueKind == JsonValueKind.True,
            Text(root, "Reason") ?? "");
        return (update, secret, body, null);
    }

    private static (ShipmentUpdate?, string?, string, string?) Ghtk(HttpRequest request, string body)
    {
        var secret = request.Query["hash"].ToString();
        // GHTK posts form-urlencoded (its example) or JSON.
        Dictionary<string, string> fields;
        if (body.TrimStart().StartsWith('{'))
        {
            using var doc = JsonDocument.Parse(body);
            fields = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        }
        else fields = QueryHelpers.ParseQuery(body).ToDictionary(p => p.Key, p => p.Value.ToString());
        var tracking = fields.GetValueOrDefault("label_id");
        var status = fields.GetValueOrDefault("status_id");
        if (string.IsNullOrWhiteSpace(tracking) || string.IsNullOrWhiteSpace(status)) return (null, secret, body, "label_id/status_id");
        var time = DateTimeOffset.Parse(fields["action_time"], CultureInfo.InvariantCulture).ToUniversalTime();
        long? Whole(string name) => fields.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) && v != "null"
            ? (long)decimal.Parse(v, NumberStyles.Number, CultureInfo.InvariantCulture) : null;
        var update = new ShipmentUpdate(WebhookCarriers.Ghtk, tracking, fields.GetValueOrDefault("partner_id"), status.Trim(),
            fields.GetValueOrDefault("reason") ?? "", time, Whole("pick_money"), Whole("fee"),
            fields.GetValueOrDefault("return_part_package") == "1", fields.GetValueOrDefault("reason_code") ?? "");
        return (update, secret, body, null);
    }

    private static (ShipmentUpdate?, string?, string, string?) ViettelPost(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var secret = Text(root, "TOKEN");
        if (!root.TryGetProperty("DATA", out var data) || data.ValueKind != JsonValueKind.Object) return (null, secret, "", "DATA");
        // What is stored is DATA only: the body's TOKEN is a secret.
        var stored = data.GetRawText();
        var tracking = Text(data, "ORDER_NUMBER");
        var status = Text(data, "ORDER_STATUS");
        if (string.IsNullOrWhiteSpace(tracking) || string.IsNullOrWhiteSpace(status)) return (null, secret, stored, "ORDER_NUMBER/ORDER_STATUS");
        var local = DateTime.ParseExact(Text(data, "ORDER_STATUSDATE") ?? "", "dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture);
        var time = new DateTimeOffset(local, Vietnam.GetUtcOffset(local)).ToUniversalTime();
        var update = new ShipmentUpdate(WebhookCarriers.ViettelPost, tracking, Text(data, "ORDER_REFERENCE"), status,
            Text(data, "STATUS_NAME") ?? "", time, Money(data, "MONEY_COLLECTION"), Money(data, "MONEY_TOTAL"), false, Text(data, "NOTE") ?? "");
        return (update, secret, stored, null);
    }

    /// <summary>A string or number property as text (Viettel Post and GHTK send numbers for codes).</summary>
    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static long? Money(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.Number => (long)v.GetDecimal(),
            JsonValueKind.String when long.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        } : null;
}

public static class CarrierNotificationEndpoint
{
    /// <summary>
    /// <c>POST /api/carrier-notifications/{carrier}</c> (ghn, ghtk, viettelpost): 200 <c>{"success":true}</c> once stored (new or
    /// repeated). As for the banks' webhooks: 429 before reading for a client refused too often this minute, 404 for an
    /// unknown carrier, 413 past <see cref="WebhookGate.MaxBodyBytes"/>, 401 when no carrier account has the secret
    /// presented, 400 for a body without the carrier's fields. Refusals count against the client.
    /// </summary>
    public static void MapCarrierNotifications(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/carrier-notifications/{carrier}", async (string carrier, HttpContext context, Shipments shipments, WebhookGate gate,
            TimeProvider time, ILogger<Shipments> logger, CancellationToken cancellationToken) =>
        {
            if (gate.Refusal(context) is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers.Connection = "close";
                return Results.Problem(statusCode: 429, title: "Quá nhiều thông báo không hợp lệ",
                    detail: $"token: địa chỉ này đã gửi quá nhiều thông báo không xác thực được; hãy gửi lại sau {seconds} giây.");
            }
            if (!WebhookCarriers.Names.ContainsKey(carrier))
            {
                gate.CountFailure(context);
                context.Response.Headers.Connection = "close";
                return Results.Problem(statusCode: 404, title: "Không có đơn vị vận chuyển này",
                    detail: $"carrier: không nhận thông báo của '{carrier}' (chỉ ghn, ghtk, viettelpost).");
            }
            var body = await WebhookGate.ReadBodyAsync(context.Request, cancellationToken);
            if (body is null)
            {
                gate.CountFailure(context);
                context.Response.Headers.Connection = "close";
                return Results.Problem(statusCode: 413, title: "Nội dung quá lớn",
                    detail: $"body: thông báo dài quá {WebhookGate.MaxBodyBytes / 1024} KB.");
            }
            var now = time.GetUtcNow();
            var (update, secret, stored, problem) = CarrierPayloads.Read(carrier, context.Request, body);
            // Authentication first: an unauthenticated caller learns nothing about the body's shape.
            var accountId = await shipments.AuthenticateAsync(carrier, secret, now, cancellationToken);
            if (accountId is null)
            {
                gate.CountFailure(context);
                return Results.Problem(statusCode: 401, title: "Không xác thực được",
                    detail: "token: khoá bí mật của thông báo không khớp tài khoản đơn vị vận chuyển nào.");
            }
            if (update is null)
            {
                logger.LogWarning("A {Carrier} notification could not be read: {Problem}", carrier, problem);
                return Results.Problem(statusCode: 400, title: "Nội dung không đọc được",
                    detail: $"body: thông báo không có các trường của {WebhookCarriers.Names[carrier]} ({problem}).");
            }
            var result = await shipments.RecordAsync(update, accountId.Value, stored, now, cancellationToken);
            return Results.Json(new { success = true, duplicate = result == ShipmentRecordResult.Duplicate });
        }).DisableAntiforgery();
}
