using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;
using Cho40.Db.Domain;

namespace Cho40.Web.Payments.Notifications;

/// <summary>
/// One bank-notification service's webhook: how a delivery proves it came from the service, and how its
/// JSON reads as transfers. Secrets come from configuration <c>Cho40:Webhooks:{Name}:Secret</c>.
/// </summary>
public interface IBankNotificationProvider
{
    /// <summary>The path segment in <c>POST /api/bank-notifications/{provider}</c>.</summary>
    string Name { get; }

    /// <summary>Null when the delivery is authentic, else why not (for the log; callers answer 401).</summary>
    string? Authenticate(IHeaderDictionary headers, string rawBody, string secret, DateTimeOffset now);

    /// <summary>The incoming transfers the body reports (outgoing ones are left out). Throws on a malformed body.</summary>
    IReadOnlyList<IncomingTransfer> Parse(string rawBody);

    /// <summary>A body in this provider's format, and the headers that make it authentic (the admin's simulate form, tests).</summary>
    (string Body, IReadOnlyDictionary<string, string> Headers) Simulate(SimulatedTransfer transfer, string secret, DateTimeOffset now);
}

/// <summary>A transfer to write in a provider's format; <paramref name="VirtualAccount"/> where the format has one (SePay, payOS).</summary>
public sealed record SimulatedTransfer(string TransactionId, string AccountNumber, long AmountVnd, string Content, DateTimeOffset Time,
    string VirtualAccount = "");

internal static class WebhookCrypto
{
    public static string HmacSha256Hex(string secret, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));

    /// <summary>Constant-time comparison of two strings (length leaks, content does not).</summary>
    public static bool FixedTimeEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    /// <summary>Providers write local Vietnam wall-clock times ("2024-05-01 14:02:37").</summary>
    public static DateTimeOffset ParseVietnamTime(string text)
    {
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var withZone))
            return withZone.ToUniversalTime();
        var local = DateTime.ParseExact(text, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"],
            CultureInfo.InvariantCulture, DateTimeStyles.None);
        return new DateTimeOffset(local, VietnamTime.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static string VietnamTimeText(DateTimeOffset instant) =>
        VietnamTime.ToVietnam(instant).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "",
            _ => value.GetRawText(),
        } : "";

    public static long Amount(JsonElement element, string name)
    {
        var value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.String
            ? long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : value.GetInt64();
    }
}

/// <summary>
/// SePay-style webhooks: <c>{id, gateway, transactionDate, accountNumber, subAccount, code, content,
/// transferType, transferAmount, accumulated, referenceCode, description}</c>. Authentic when either
/// <c>X-SePay-Signature</c> is the hex HMAC-SHA256 of <c>"{X-SePay-Timestamp}.{raw body}"</c> with the
/// secret (optionally prefixed <c>sha256=</c>) and the timestamp (Unix seconds) is within 5 minutes, or —
/// SePay's API-key mode — <c>Authorization: Apikey {secret}</c>.
/// </summary>
public sealed class SePayProvider : IBankNotificationProvider
{
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public string Name => "sepay";

    public string? Authenticate(IHeaderDictionary headers, string rawBody, string secret, DateTimeOffset now)
    {
        var signature = headers["X-SePay-Signature"].ToString();
        if (signature.Length > 0)
        {
            if (!long.TryParse(headers["X-SePay-Timestamp"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return "missing or malformed X-SePay-Timestamp";
            if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > MaxClockSkew) return "stale timestamp";
            if (signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase)) signature = signature[7..];
            var expected = WebhookCrypto.HmacSha256Hex(secret, $"{seconds}.{rawBody}");
            return WebhookCrypto.FixedTimeEquals(signature.ToLowerInvariant(), expected) ? null : "bad signature";
        }
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Apikey ", StringComparison.OrdinalIgnoreCase))
            return WebhookCrypto.FixedTimeEquals(authorization[7..].Trim(), secret) ? null : "bad API key";
        return "no signature or API key";
    }

    public IReadOnlyList<IncomingTransfer> Parse(string rawBody)
    {
        using var json = JsonDocument.Parse(rawBody);
        var root = json.RootElement;
        if (!string.Equals(WebhookCrypto.Text(root, "transferType"), "in", StringComparison.OrdinalIgnoreCase)) return [];
        var id = WebhookCrypto.Text(root, "id");
        if (id.Length == 0) throw new FormatException("id is missing");
        var content = string.Join(' ', new[] { WebhookCrypto.Text(root, "content"), WebhookCrypto.Text(root, "code") }
            .Where(s => s.Length > 0));
        return [new IncomingTransfer(id, WebhookCrypto.Text(root, "accountNumber"), WebhookCrypto.Amount(root, "transferAmount"),
            content, NullIfEmpty(WebhookCrypto.Text(root, "referenceCode")),
            WebhookCrypto.ParseVietnamTime(WebhookCrypto.Text(root, "transactionDate")), WebhookCrypto.Text(root, "subAccount"))];
    }

    public (string Body, IReadOnlyDictionary<string, string> Headers) Simulate(SimulatedTransfer t, string secret, DateTimeOffset now)
    {
        var body = new JsonObject
        {
            ["id"] = long.TryParse(t.TransactionId, out var numeric) ? numeric : t.TransactionId,
            ["gateway"] = "MBBank",
            ["transactionDate"] = WebhookCrypto.VietnamTimeText(t.Time),
            ["accountNumber"] = t.AccountNumber,
            ["subAccount"] = t.VirtualAccount.Length == 0 ? null : t.VirtualAccount,
            ["code"] = null,
            ["content"] = t.Content,
            ["transferType"] = "in",
            ["transferAmount"] = t.AmountVnd,
            ["accumulated"] = 0,
            ["referenceCode"] = "FT" + t.TransactionId,
            ["description"] = "BankAPINotify " + t.Content,
        }.ToJsonString();
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return (body, new Dictionary<string, string>
        {
            ["X-SePay-Timestamp"] = seconds,
            ["X-SePay-Signature"] = "sha256=" + WebhookCrypto.HmacSha256Hex(secret, $"{seconds}.{body}"),
        });
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}

/// <summary>
/// payOS webhooks: <c>{code, desc, success, data{orderCode, amount, description, accountNumber, reference,
/// transactionDateTime, currency, paymentLinkId, code, desc, counterAccount…, virtualAccount…}, signature}</c>.
/// Authentic when <c>signature</c> is the hex HMAC-SHA256, keyed with the checksum key, of the
/// <c>data</c> fields sorted by name as <c>key=value&amp;…</c> (null → empty). The format carries no delivery
/// timestamp, so there is no staleness check; duplicates are harmless (idempotent on orderCode + reference).
/// </summary>
public sealed class PayOsProvider : IBankNotificationProvider
{
    public string Name => "payos";

    public string? Authenticate(IHeaderDictionary headers, string rawBody, string secret, DateTimeOffset now)
    {
        try
        {
            using var json = JsonDocument.Parse(rawBody);
            if (!json.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return "no data";
            var signature = WebhookCrypto.Text(json.RootElement, "signature");
            return WebhookCrypto.FixedTimeEquals(signature.ToLowerInvariant(), Sign(data, secret)) ? null : "bad signature";
        }
        catch (JsonException)
        {
            return "not JSON";
        }
    }

    /// <summary>payOS's signature: HMAC-SHA256 over the data fields sorted by name, <c>k=v&amp;k=v</c>.</summary>
    public static string Sign(JsonElement data, string checksumKey)
    {
        var pairs = data.EnumerateObject()
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString() is "undefined" or "null" ? "" : p.Value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                _ => p.Value.GetRawText(),
            });
        return WebhookCrypto.HmacSha256Hex(checksumKey, string.Join('&', pairs));
    }

    public IReadOnlyList<IncomingTransfer> Parse(string rawBody)
    {
        using var json = JsonDocument.Parse(rawBody);
        var root = json.RootElement;
        if (WebhookCrypto.Text(root, "code") != "00") return [];
        var data = root.GetProperty("data");
        var orderCode = WebhookCrypto.Text(data, "orderCode");
        var reference = WebhookCrypto.Text(data, "reference");
        if (orderCode.Length == 0 && reference.Length == 0) throw new FormatException("orderCode and reference are missing");
        return [new IncomingTransfer($"{orderCode}:{reference}", WebhookCrypto.Text(data, "accountNumber"), WebhookCrypto.Amount(data, "amount"),
            WebhookCrypto.Text(data, "description"), reference.Length == 0 ? null : reference,
            WebhookCrypto.ParseVietnamTime(WebhookCrypto.Text(data, "transactionDateTime")), WebhookCrypto.Text(data, "virtualAccountNumber"))];
    }

    public (string Body, IReadOnlyDictionary<string, string> Headers) Simulate(SimulatedTransfer t, string secret, DateTimeOffset now)
    {
        var data = new JsonObject
        {
            ["orderCode"] = long.TryParse(t.TransactionId, out var numeric) ? numeric : 0,
            ["amount"] = t.AmountVnd,
            ["description"] = t.Content,
            ["accountNumber"] = t.AccountNumber,
            ["reference"] = "FT" + t.TransactionId,
            ["transactionDateTime"] = WebhookCrypto.VietnamTimeText(t.Time),
            ["currency"] = "VND",
            ["paymentLinkId"] = "",
            ["code"] = "00",
            ["desc"] = "success",
            ["counterAccountBankId"] = "",
            ["counterAccountBankName"] = "",
            ["counterAccountName"] = "",
            ["counterAccountNumber"] = "",
            ["virtualAccountName"] = "",
            ["virtualAccountNumber"] = t.VirtualAccount,
        };
        using var parsed = JsonDocument.Parse(data.ToJsonString());
        var body = new JsonObject
        {
            ["code"] = "00", ["desc"] = "success", ["success"] = true, ["data"] = data,
            ["signature"] = Sign(parsed.RootElement, secret),
        }.ToJsonString();
        return (body, new Dictionary<string, string>());
    }
}

/// <summary>
/// Casso-style webhooks (v1): <c>{error, data: [{id, tid, description, amount, cusum_balance, when,
/// bank_sub_acc_id, subAccId}]}</c>; several transactions per delivery, negative amounts are outgoing.
/// Authentic when the <c>Secure-Token</c> header equals the secret (compared in constant time). The format
/// has no delivery timestamp, so there is no staleness check.
/// </summary>
public sealed class CassoProvider : IBankNotificationProvider
{
    public string Name => "casso";

    public string? Authenticate(IHeaderDictionary headers, string rawBody, string secret, DateTimeOffset now) =>
        WebhookCrypto.FixedTimeEquals(headers["Secure-Token"].ToString(), secret) ? null : "bad Secure-Token";

    public IReadOnlyList<IncomingTransfer> Parse(string rawBody)
    {
        using var json = JsonDocument.Parse(rawBody);
        var root = json.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Number && error.GetInt32() != 0) return [];
        var transfers = new List<IncomingTransfer>();
        foreach (var item in root.GetProperty("data").EnumerateArray())
        {
            var amount = WebhookCrypto.Amount(item, "amount");
            if (amount <= 0) continue;
            var id = WebhookCrypto.Text(item, "id");
            if (id.Length == 0) throw new FormatException("id is missing");
            var account = WebhookCrypto.Text(item, "bank_sub_acc_id");
            if (account.Length == 0) account = WebhookCrypto.Text(item, "subAccId");
            var tid = WebhookCrypto.Text(item, "tid");
            transfers.Add(new IncomingTransfer(id, account, amount, WebhookCrypto.Text(item, "description"), tid.Length == 0 ? null : tid,
                WebhookCrypto.ParseVietnamTime(WebhookCrypto.Text(item, "when"))));
        }
        return transfers;
    }

    public (string Body, IReadOnlyDictionary<string, string> Headers) Simulate(SimulatedTransfer t, string secret, DateTimeOffset now)
    {
        var body = new JsonObject
        {
            ["error"] = 0,
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = long.TryParse(t.TransactionId, out var numeric) ? numeric : t.TransactionId,
                ["tid"] = "FT" + t.TransactionId,
                ["description"] = t.Content,
                ["amount"] = t.AmountVnd,
                ["cusum_balance"] = 0,
                ["when"] = WebhookCrypto.VietnamTimeText(t.Time),
                ["bank_sub_acc_id"] = t.AccountNumber,
                ["subAccId"] = t.AccountNumber,
            }),
        }.ToJsonString();
        return (body, new Dictionary<string, string> { ["Secure-Token"] = secret });
    }
}
