using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Cho40.Jobs.Payments.Providers;

/// <summary>
/// SePay (sepay.vn) — everything about its shapes in one place.
/// <para><b>Webhook</b> (docs: developer.sepay.vn › Webhooks): fields <c>id</c> (number, unique per transaction),
/// <c>gateway</c>, <c>transactionDate</c> ("2023-03-25 14:02:37", Vietnam time), <c>accountNumber</c>, <c>subAccount</c>
/// (virtual account or null), <c>code</c> (payment code SePay found, or null), <c>content</c>, <c>transferType</c>
/// (<c>in</c>/<c>out</c>), <c>transferAmount</c>, <c>accumulated</c>, <c>referenceCode</c>, <c>description</c>; sent as JSON,
/// <c>application/x-www-form-urlencoded</c> or <c>multipart/form-data</c> as the user chose. Authentication as chosen:
/// <c>Authorization: Apikey {key}</c>; HMAC-SHA256 <c>X-SePay-Signature: sha256={hex HMAC(secret, "{X-SePay-Timestamp}.{raw body}")}</c>
/// (the form of the signed string is what every public integration uses; SePay's page does not spell it out) with
/// <c>X-SePay-Timestamp</c> in Unix seconds, refused when more than <see cref="MaxClockSkew"/> off; or OAuth 2.0 —
/// SePay posts <c>{"clientId","clientSecret"}</c> to our token endpoint and sends <c>Authorization: Bearer {accessToken}</c>.
/// "No authentication" is never accepted. Answer: 2xx with <c>{"success": true}</c>.</para>
/// <para><b>Transactions API</b> (the safety net): v1 <c>GET {base}/userapi/transactions/list</c> with
/// <c>Authorization: Bearer {API token}</c>, filters <c>account_number</c>, <c>transaction_date_min</c>, <c>since_id</c> (≥),
/// <c>limit</c> (≤ 5000); ids are the webhook's ids; amounts are decimal strings; a wrong token answers 200 with an empty
/// body; 429 carries <c>x-sepay-userapi-retry-after</c>. v2 <c>GET {base}/transactions</c> (base
/// <c>https://userapi.sepay.vn/v2</c>) pages with <c>since_id</c> (a UUID) + <c>transaction_date_sort=asc</c> +
/// <c>per_page</c> (≤ 100), answers <c>{status, data: [{id (UUID), transaction_date, account_number, va, transfer_type,
/// amount_in, amount_out, transaction_content, reference_number, code, …}], meta: {pagination: {has_more, …}}}</c>; its
/// UUIDs are not the webhook's ids, so v2 transactions are matched to webhook ones by account + bank reference + amount.</para>
/// </summary>
public sealed class SePay : IBankProvider
{
    /// <summary>How far an HMAC delivery's timestamp may be from our clock (SePay's own advice).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public const string ModeApiKey = "apikey", ModeHmac = "hmac", ModeOAuth2 = "oauth2";

    public string Name => "sepay";

    public IReadOnlyList<string> AuthModes { get; } = [ModeHmac, ModeApiKey, ModeOAuth2];

    public AuthResult Authenticate(BankDelivery delivery, string authMode, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        var headers = delivery.Headers;
        switch (authMode)
        {
            case ModeApiKey:
            {
                var authorization = headers.Authorization.ToString();
                if (!authorization.StartsWith("Apikey ", StringComparison.OrdinalIgnoreCase)) return AuthResult.Refuse("no Apikey authorization");
                return WebhookText.AnyEquals(authorization[7..].Trim(), secrets) ? AuthResult.Ok : AuthResult.Refuse("bad API key");
            }
            case ModeHmac:
            {
                var signature = headers["X-SePay-Signature"].ToString().Trim();
                if (signature.Length == 0) return AuthResult.Refuse("no X-SePay-Signature");
                var timestamp = headers["X-SePay-Timestamp"].ToString().Trim();
                if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    return AuthResult.Refuse("missing or malformed X-SePay-Timestamp");
                if (signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase)) signature = signature[7..];
                signature = signature.ToLowerInvariant();
                var matches = false;
                foreach (var secret in secrets) matches |= WebhookText.FixedTimeEquals(signature, WebhookText.HmacSha256Hex(secret, $"{timestamp}.{delivery.RawBody}"));
                if (!matches) return AuthResult.Refuse("bad signature");
                return (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > MaxClockSkew
                    ? AuthResult.StaleBy($"timestamp {seconds} is more than {MaxClockSkew.TotalMinutes:0} minutes off")
                    : AuthResult.Ok;
            }
            default:
                // OAuth 2.0 bearer tokens are checked against the database by the intake.
                return AuthResult.Refuse($"mode {authMode} is not checked here");
        }
    }

    /// <summary>The bearer token of an OAuth 2.0 delivery, or null.</summary>
    public static string? BearerToken(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7 ? authorization[7..].Trim() : null;
    }

    public ParsedDelivery Parse(BankDelivery delivery)
    {
        var f = WebhookText.Fields(delivery);
        string Get(string name) => f.TryGetValue(name, out var v) ? v ?? "" : "";
        if (!string.Equals(Get("transferType"), "in", StringComparison.OrdinalIgnoreCase)) return new ParsedDelivery([]);
        var id = Get("id");
        if (id.Length == 0) throw new FormatException("id is missing");
        return new ParsedDelivery([Transfer(id, Get("accountNumber"), WebhookText.Amount(Get("transferAmount")), Get("content"), Get("code"),
            Get("referenceCode"), Get("transactionDate"), Get("subAccount"))]);
    }

    /// <summary>One incoming SePay transaction, however it reached us (webhook, API v1, API v2).</summary>
    private static IncomingTransfer Transfer(string id, string account, long amount, string content, string code, string reference,
        string time, string virtualAccount)
    {
        var text = string.Join(' ', new[] { content, code }.Where(s => s.Length > 0));
        return new IncomingTransfer(id, account, amount, text, WebhookText.NullIfEmpty(reference), WebhookText.ParseVietnamTime(time),
            virtualAccount, DedupKey: reference.Length == 0 ? null : $"{account}|{reference}|{amount}");
    }

    public BankDelivery Simulate(SimulatedTransfer t, string authMode, string secret, DateTimeOffset now, BodyFormat format = BodyFormat.Json)
    {
        (string, object?)[] fields =
        [
            ("id", long.TryParse(t.TransactionId, out var numeric) ? numeric : t.TransactionId),
            ("gateway", "MBBank"),
            ("transactionDate", WebhookText.VietnamTimeText(t.Time)),
            ("accountNumber", t.AccountNumber),
            ("code", null),
            ("content", t.Content),
            ("transferType", "in"),
            ("transferAmount", t.AmountVnd),
            ("accumulated", 0L),
            ("subAccount", t.VirtualAccount.Length == 0 ? null : t.VirtualAccount),
            ("referenceCode", "FT" + t.TransactionId),
            ("description", "BankAPINotify " + t.Content),
        ];
        var (body, contentType) = WebhookText.Write(fields, format);
        return new BankDelivery(BankDelivery.HeadersOf(Headers(authMode, secret, body, now)), contentType, body);
    }

    /// <summary>The headers SePay sends in a mode (for OAuth 2.0, <paramref name="secret"/> is the access token).</summary>
    public static Dictionary<string, string> Headers(string authMode, string secret, string body, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return authMode switch
        {
            ModeApiKey => new() { ["Authorization"] = "Apikey " + secret },
            ModeOAuth2 => new() { ["Authorization"] = "Bearer " + secret },
            _ => new()
            {
                ["X-SePay-Timestamp"] = seconds,
                ["X-SePay-Signature"] = "sha256=" + WebhookText.HmacSha256Hex(secret, $"{seconds}.{body}"),
            },
        };
    }

    // ---- OAuth 2.0 token endpoint (SePay is the client, we are the authorisation server) --------------------------

    /// <summary>
    /// The client id and secret of a token request: SePay's documented JSON <c>{"clientId","clientSecret"}</c>, or a
    /// standard RFC 6749 client-credentials form (<c>client_id</c>/<c>client_secret</c>, or HTTP Basic). Null when neither.
    /// </summary>
    public static TokenRequest? ReadTokenRequest(BankDelivery request)
    {
        var basic = request.Headers.Authorization.ToString();
        if (basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) return new TokenRequest(Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..]), Standard: true);
            }
            catch (FormatException)
            {
                return null;
            }
        }
        if (request.ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            var form = QueryHelpers.ParseQuery(request.RawBody);
            if (form.TryGetValue("grant_type", out var grant) && grant.ToString() != "client_credentials") return null;
            return form.TryGetValue("client_id", out var id) && form.TryGetValue("client_secret", out var secret)
                ? new TokenRequest(id.ToString(), secret.ToString(), Standard: true) : null;
        }
        try
        {
            using var json = JsonDocument.Parse(request.RawBody);
            var clientId = WebhookText.Text(json.RootElement, "clientId");
            var clientSecret = WebhookText.Text(json.RootElement, "clientSecret");
            return clientId.Length > 0 && clientSecret.Length > 0 ? new TokenRequest(clientId, clientSecret, Standard: false) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The answer to a token request, in the shape the request came in (SePay's <c>{"data": {…}}</c> or RFC 6749).</summary>
    public static string TokenResponse(TokenRequest request, string accessToken, TimeSpan lifetime)
    {
        var seconds = (long)lifetime.TotalSeconds;
        return request.Standard
            ? new JsonObject { ["access_token"] = accessToken, ["token_type"] = "Bearer", ["expires_in"] = seconds }.ToJsonString()
            // SePay requires every field of data; there is no refresh flow here, so the refresh token is a fresh random value.
            : new JsonObject
            {
                ["data"] = new JsonObject
                {
                    ["accessToken"] = accessToken,
                    ["refreshToken"] = Jobs.Infrastructure.IntegrationSecrets.NewSecret(),
                    ["expiredIn"] = seconds,
                },
            }.ToJsonString();
    }

    // ---- Transactions API (the safety net) ------------------------------------------------------------------------

    public const string DefaultV1BaseUrl = "https://my.sepay.vn";
    public const string DefaultV2BaseUrl = "https://userapi.sepay.vn/v2";

    /// <summary>v1: transactions of one account with an id of at least <paramref name="sinceId"/> (or since a time).</summary>
    public static string V1ListPath(string account, long? sinceId, DateTimeOffset? from, int limit)
    {
        var query = new Dictionary<string, string?> { ["account_number"] = account, ["limit"] = limit.ToString(CultureInfo.InvariantCulture) };
        if (sinceId is { } since) query["since_id"] = since.ToString(CultureInfo.InvariantCulture);
        else if (from is { } f) query["transaction_date_min"] = WebhookText.VietnamTimeText(f);
        return QueryHelpers.AddQueryString("/userapi/transactions/list", query);
    }

    /// <summary>v1's answer: every transaction (id for the cursor) and, for the incoming ones, the transfer.</summary>
    public static IReadOnlyList<PulledTransaction> ParseV1List(string body)
    {
        // A wrong token is answered 200 with an empty body.
        if (string.IsNullOrWhiteSpace(body)) throw new BankApiException("SePay trả lời rỗng: API token không đúng hoặc đã bị xoá.", Permanent: true);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (!root.TryGetProperty("transactions", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new BankApiException($"SePay báo lỗi: {WebhookText.Text(root, "error")} {WebhookText.Text(root, "messages")}".Trim(), Permanent: false);
        var result = new List<PulledTransaction>();
        foreach (var t in list.EnumerateArray())
        {
            var id = WebhookText.Text(t, "id");
            var amountIn = WebhookText.Amount(Or(WebhookText.Text(t, "amount_in"), "0"));
            var transfer = amountIn > 0
                ? Transfer(id, WebhookText.Text(t, "account_number"), amountIn, WebhookText.Text(t, "transaction_content"), WebhookText.Text(t, "code"),
                    WebhookText.Text(t, "reference_number"), WebhookText.Text(t, "transaction_date"), WebhookText.Text(t, "sub_account"))
                : null;
            result.Add(new PulledTransaction(id, transfer, t.GetRawText()));
        }
        return result;
    }

    /// <summary>v2: one page of incoming transactions of one account after the transaction <paramref name="sinceId"/> (oldest first).</summary>
    public static string V2ListPath(string account, string? sinceId, DateTimeOffset? from, int perPage)
    {
        var query = new Dictionary<string, string?>
        {
            ["account_number"] = account, ["transfer_type"] = "in", ["transaction_date_sort"] = "asc",
            ["per_page"] = perPage.ToString(CultureInfo.InvariantCulture),
        };
        if (sinceId is not null) query["since_id"] = sinceId;
        else if (from is { } f) query["transaction_date_from"] = WebhookText.VietnamTimeText(f);
        return QueryHelpers.AddQueryString("/transactions", query);
    }

    /// <summary>v2's answer: the page's transactions and whether more follow.</summary>
    public static (IReadOnlyList<PulledTransaction> Page, bool HasMore) ParseV2List(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (WebhookText.Text(root, "status") != "success" || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new BankApiException($"SePay báo lỗi: {WebhookText.Text(root, "message")} {WebhookText.Text(root, "error_code")}".Trim(), Permanent: false);
        var result = new List<PulledTransaction>();
        foreach (var t in data.EnumerateArray())
        {
            var id = WebhookText.Text(t, "id");
            var amountIn = WebhookText.Amount(Or(WebhookText.Text(t, "amount_in"), "0"));
            var reference = WebhookText.Text(t, "reference_number");
            // Without a bank reference a v2 transaction cannot be told from its webhook twin: it is left to the webhook.
            var transfer = amountIn > 0 && !string.Equals(WebhookText.Text(t, "transfer_type"), "out", StringComparison.OrdinalIgnoreCase) && reference.Length > 0
                ? Transfer("v2:" + id, WebhookText.Text(t, "account_number"), amountIn, WebhookText.Text(t, "transaction_content"),
                    WebhookText.Text(t, "code"), reference, WebhookText.Text(t, "transaction_date"), WebhookText.Text(t, "va"))
                : null;
            result.Add(new PulledTransaction(id, transfer, t.GetRawText()));
        }
        var hasMore = root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("pagination", out var pagination)
            && pagination.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
        return (result, hasMore);
    }

    private static string Or(string text, string fallback) => text.Length == 0 ? fallback : text;
}

/// <summary>A token request's client credentials; <paramref name="Standard"/>: RFC 6749 form (else SePay's JSON).</summary>
public sealed record TokenRequest(string ClientId, string ClientSecret, bool Standard);

/// <summary>One transaction a transactions API listed: its id there, the transfer when it is incoming, and its JSON as received.</summary>
public sealed record PulledTransaction(string ApiId, IncomingTransfer? Transfer, string Raw);

/// <summary>A transactions API answered something other than transactions. <paramref name="Permanent"/>: fix the settings, retrying won't help.</summary>
public sealed class BankApiException(string message, bool Permanent) : Exception(message)
{
    public bool IsPermanent { get; } = Permanent;
}
