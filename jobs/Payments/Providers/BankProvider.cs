using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cho40.Db;
using Cho40.Db.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Cho40.Jobs.Payments.Providers;

/// <summary>One delivery as it reached a webhook address: its headers, its media type and its body exactly as sent.</summary>
public sealed record BankDelivery(IHeaderDictionary Headers, string ContentType, string RawBody)
{
    public static BankDelivery Json(string body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(HeadersOf(headers), "application/json", body);

    public static IHeaderDictionary HeadersOf(IReadOnlyDictionary<string, string>? headers)
    {
        var result = new HeaderDictionary();
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) result[name] = value;
        return result;
    }
}

public enum AuthOutcome
{
    Authentic,
    /// <summary>Not from the service (no credentials, wrong key or signature): nothing is stored.</summary>
    Refused,
    /// <summary>Correctly signed, but the signature's time is outside the window: only a retry of a stored transaction is acknowledged.</summary>
    Stale,
}

public sealed record AuthResult(AuthOutcome Outcome, string? Reason = null)
{
    public static readonly AuthResult Ok = new(AuthOutcome.Authentic);
    public static AuthResult Refuse(string reason) => new(AuthOutcome.Refused, reason);
    public static AuthResult StaleBy(string reason) => new(AuthOutcome.Stale, reason);
}

/// <summary>
/// What a delivery says: its incoming transfers (outgoing ones are left out; amounts ≤ 0 and missing accounts are kept
/// so the intake can store them as invalid), or that it is the service's test delivery.
/// </summary>
public sealed record ParsedDelivery(IReadOnlyList<IncomingTransfer> Transfers, bool IsTest = false)
{
    public static readonly ParsedDelivery Test = new([], IsTest: true);
}

/// <summary>A transfer to write in a service's format (the admin's simulate form, tests, the benchmark).</summary>
public sealed record SimulatedTransfer(string TransactionId, string AccountNumber, long AmountVnd, string Content, DateTimeOffset Time,
    string VirtualAccount = "");

/// <summary>
/// A bank-notification service: its webhook formats and authentication modes, in one file per service
/// (<see cref="SePay"/>, <see cref="Casso"/>, <see cref="PayOs"/>). The transactions APIs of the safety net live with
/// them (<c>BankApis</c> calls them); what to enter in the service's dashboard is on the connection page.
/// </summary>
public interface IBankProvider
{
    /// <summary>The path segment in <c>/api/bank-notifications/{provider}/{token}</c>.</summary>
    string Name { get; }

    /// <summary>The authentication modes a connection may choose, first = recommended. There is no "none".</summary>
    IReadOnlyList<string> AuthModes { get; }

    /// <summary>
    /// Whether the delivery proves it comes from the service, with the connection's accepted secrets (current first, then
    /// any still in a rotation's grace period). OAuth bearer tokens are checked by the intake, not here.
    /// </summary>
    AuthResult Authenticate(BankDelivery delivery, string authMode, IReadOnlyList<string> secrets, DateTimeOffset now);

    /// <summary>The delivery's transfers, or <see cref="ParsedDelivery.Test"/>. Throws on a body it cannot read.</summary>
    ParsedDelivery Parse(BankDelivery delivery);

    /// <summary>A delivery of one transfer in this service's format for the mode, signed with <paramref name="secret"/>.</summary>
    BankDelivery Simulate(SimulatedTransfer transfer, string authMode, string secret, DateTimeOffset now, BodyFormat format = BodyFormat.Json);
}

/// <summary>The body formats a service may send (SePay lets the user choose; the others send JSON).</summary>
public enum BodyFormat { Json, Form, Multipart }

/// <summary>Helpers every service's format uses.</summary>
public static class WebhookText
{
    public static string HmacSha256Hex(string secret, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));

    public static string HmacSha512Hex(string secret, string message) =>
        Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));

    /// <summary>Constant-time comparison of two strings (length leaks, content does not).</summary>
    public static bool FixedTimeEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    /// <summary>Whether <paramref name="presented"/> equals any of the accepted secrets (each compared in constant time).</summary>
    public static bool AnyEquals(string? presented, IReadOnlyList<string> secrets)
    {
        var found = false;
        foreach (var secret in secrets) found |= FixedTimeEquals(presented, secret);
        return found;
    }

    /// <summary>Services write local Vietnam wall-clock times ("2024-05-01 14:02:37"), sometimes ISO with an offset.</summary>
    public static DateTimeOffset ParseVietnamTime(string text)
    {
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var withZone) && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 10))
            return withZone.ToUniversalTime();
        var local = DateTime.ParseExact(text, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"],
            CultureInfo.InvariantCulture, DateTimeStyles.None);
        return new DateTimeOffset(local, VietnamTime.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static string VietnamTimeText(DateTimeOffset instant) =>
        VietnamTime.ToVietnam(instant).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A JSON field as text: strings as they are, null/absent as "", numbers and the rest as written.</summary>
    public static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "",
            _ => value.GetRawText(),
        } : "";

    /// <summary>
    /// Whole đồng from a number or a string ("2277000", "18067000.00", 2277000). A fraction of a đồng that is not zero is
    /// refused (money that cannot be money is not rounded into money).
    /// </summary>
    public static long Amount(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw new FormatException("amount is missing");
        var value = decimal.Parse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (value != decimal.Truncate(value)) throw new FormatException($"amount {trimmed} is not a whole number of đồng");
        return decimal.ToInt64(value);
    }

    public static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    /// <summary>
    /// The fields of a flat body, whatever its media type: a JSON object (strings as they are, numbers as written, null as
    /// null), <c>application/x-www-form-urlencoded</c> or <c>multipart/form-data</c>. Throws on anything else.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Fields(BankDelivery delivery)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(delivery.ContentType, out var parsed) ? parsed.MediaType.Value ?? "" : "";
        if (mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return QueryHelpers.ParseQuery(delivery.RawBody).ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal);
        if (mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return Multipart(delivery.RawBody, HeaderUtilities.RemoveQuotes(parsed!.Boundary).Value
                ?? throw new FormatException("multipart body without a boundary"));
        using var json = JsonDocument.Parse(delivery.RawBody);
        if (json.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException("the body is not a JSON object");
        return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.String => p.Value.GetString(),
            JsonValueKind.Null => null,
            _ => p.Value.GetRawText(),
        }, StringComparer.Ordinal);
    }

    private static Dictionary<string, string?> Multipart(string body, string boundary)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var reader = new MultipartReader(boundary, stream);
        // The body is already in memory: reading it synchronously through the async API completes at once.
        while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value is null)
                throw new FormatException("a multipart section without a field name");
            using var text = new StreamReader(section.Body, Encoding.UTF8);
            fields[HeaderUtilities.RemoveQuotes(disposition.Name).Value!] = text.ReadToEnd();
        }
        return fields;
    }

    /// <summary>The fields as a body of the given format (JSON keeps numbers as numbers), with its media type.</summary>
    public static (string Body, string ContentType) Write(IReadOnlyList<(string Name, object? Value)> fields, BodyFormat format)
    {
        switch (format)
        {
            case BodyFormat.Form:
                return (string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(Plain(f.Value)))),
                    "application/x-www-form-urlencoded");
            case BodyFormat.Multipart:
            {
                const string boundary = "----cho40-sepay-7MA4YWxkTrZu0gW";
                var body = new StringBuilder();
                foreach (var (name, value) in fields)
                    body.Append("--").Append(boundary).Append("\r\n")
                        .Append("Content-Disposition: form-data; name=\"").Append(name).Append("\"\r\n\r\n")
                        .Append(Plain(value)).Append("\r\n");
                body.Append("--").Append(boundary).Append("--\r\n");
                return (body.ToString(), $"multipart/form-data; boundary={boundary}");
            }
            default:
            {
                var json = new System.Text.Json.Nodes.JsonObject();
                foreach (var (name, value) in fields)
                    json[name] = value switch
                    {
                        null => null,
                        long l => System.Text.Json.Nodes.JsonValue.Create(l),
                        int i => System.Text.Json.Nodes.JsonValue.Create(i),
                        bool b => System.Text.Json.Nodes.JsonValue.Create(b),
                        _ => System.Text.Json.Nodes.JsonValue.Create(Plain(value)),
                    };
                return (json.ToJsonString(), "application/json");
            }
        }
    }

    private static string Plain(object? value) => value switch
    {
        null => "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
