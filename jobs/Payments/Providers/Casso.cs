using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;
using Microsoft.AspNetCore.WebUtilities;

namespace Cho40.Jobs.Payments.Providers;

/// <summary>
/// Casso (casso.vn) — everything about its shapes in one place.
/// <para><b>Webhook v2</b> (current): <c>{"error": 0, "data": {id, reference, description, amount, runningBalance,
/// transactionDateTime, accountNumber, bankName, bankAbbreviation, virtualAccountNumber, virtualAccountName,
/// counterAccountName, counterAccountNumber, counterAccountBankId, counterAccountBankName}}</c> — ONE transaction; a
/// negative amount is money going out. Header <c>X-Casso-Signature: t={epoch ms},v1={hex HMAC-SHA512(key, t + "." +
/// JSON of the body with object keys sorted recursively)}</c>. How Casso writes that JSON is not spelled out: the
/// compact form is accepted with strings written as JavaScript writes them (only <c>"</c>, <c>\</c> and control
/// characters escaped) and as PHP writes them by default (also <c>/</c> and every non-ASCII letter as <c>\uXXXX</c>).
/// The same 5-minute window as SePay applies to <c>t</c>. Test delivery ("Gọi thử"): <c>id</c> 0 /
/// <c>reference</c> <c>MA_GIAO_DICH_THU_NGHIEM</c>.</para>
/// <para><b>Webhook v1</b> (legacy): <c>{"error":0,"data":[{id, tid, description, amount, cusum_balance, when,
/// bank_sub_acc_id, subAccId}]}</c> — an array — with the static <c>Secure-Token</c> header.</para>
/// <para><b>Transactions API</b>: <c>GET {base}/v2/transactions?fromDate=YYYY-MM-DD&amp;page=&amp;pageSize=&amp;sort=ASC</c> with
/// <c>Authorization: Apikey {API key}</c> → <c>{error, message, data: {page, totalPages, records: [{id, tid, description,
/// amount, cusum_balance, when, bankSubAccId, virtualAccount, …}]}}</c> (developer.casso.vn › API lấy giao dịch). That its
/// <c>id</c> is the webhook's <c>id</c> is assumed (one id per transaction "on the whole system", Casso's field list).</para>
/// </summary>
public sealed class Casso : IBankProvider
{
    public const string ModeSignature = "signature", ModeSecureToken = "secure_token";
    public const string TestReference = "MA_GIAO_DICH_THU_NGHIEM";

    public string Name => "casso";

    public IReadOnlyList<string> AuthModes { get; } = [ModeSignature, ModeSecureToken];

    public AuthResult Authenticate(BankDelivery delivery, string authMode, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        if (authMode == ModeSecureToken)
            return WebhookText.AnyEquals(delivery.Headers["Secure-Token"].ToString(), secrets) ? AuthResult.Ok : AuthResult.Refuse("bad Secure-Token");
        if (authMode != ModeSignature) return AuthResult.Refuse($"mode {authMode} is not Casso's");

        var header = delivery.Headers["X-Casso-Signature"].ToString();
        string? t = null, v1 = null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal)) t = part[2..];
            else if (part.StartsWith("v1=", StringComparison.Ordinal)) v1 = part[3..].ToLowerInvariant();
        }
        if (t is null || v1 is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            return AuthResult.Refuse("no or malformed X-Casso-Signature");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(delivery.RawBody);
        }
        catch (JsonException)
        {
            return AuthResult.Refuse("not JSON");
        }
        using (json)
        {
            var matches = false;
            foreach (var form in new[] { Canonical(json.RootElement, escapeAll: false), Canonical(json.RootElement, escapeAll: true) })
                foreach (var secret in secrets)
                    matches |= WebhookText.FixedTimeEquals(v1, WebhookText.HmacSha512Hex(secret, t + "." + form));
            if (!matches) return AuthResult.Refuse("bad signature");
        }
        return (now - DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)).Duration() > SePay.MaxClockSkew
            ? AuthResult.StaleBy($"signature time {milliseconds} is more than {SePay.MaxClockSkew.TotalMinutes:0} minutes off")
            : AuthResult.Ok;
    }

    /// <summary>
    /// The body as compact JSON with object keys sorted (ordinal) at every depth. <paramref name="escapeAll"/>: as PHP's
    /// <c>json_encode</c> writes strings (<c>\/</c>, <c>\uXXXX</c> for non-ASCII); else as JavaScript's <c>JSON.stringify</c>.
    /// </summary>
    public static string Canonical(JsonElement element, bool escapeAll)
    {
        var text = new StringBuilder();
        Write(text, element, escapeAll);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonElement element, bool escapeAll)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) text.Append(',');
                    first = false;
                    WriteString(text, property.Name, escapeAll);
                    text.Append(':');
                    Write(text, property.Value, escapeAll);
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem) text.Append(',');
                    firstItem = false;
                    Write(text, item, escapeAll);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(text, element.GetString()!, escapeAll);
                break;
            default:
                text.Append(element.GetRawText());
                break;
        }
    }

    private static void WriteString(StringBuilder text, string value, bool escapeAll)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '/' when escapeAll: text.Append("\\/"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                case > '\u007f' when escapeAll: text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }

    public ParsedDelivery Parse(BankDelivery delivery)
    {
        using var json = JsonDocument.Parse(delivery.RawBody);
        var root = json.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Number && error.GetInt32() != 0) return new ParsedDelivery([]);
        var data = root.GetProperty("data");
        if (data.ValueKind == JsonValueKind.Object)
        {
            // Webhook v2: one transaction.
            var id = WebhookText.Text(data, "id");
            var reference = WebhookText.Text(data, "reference");
            if (id == "0" || reference == TestReference) return ParsedDelivery.Test;
            if (id.Length == 0) throw new FormatException("id is missing");
            var amount = WebhookText.Amount(WebhookText.Text(data, "amount"));
            if (amount < 0) return new ParsedDelivery([]);
            return new ParsedDelivery([new IncomingTransfer(id, WebhookText.Text(data, "accountNumber"), amount, WebhookText.Text(data, "description"),
                WebhookText.NullIfEmpty(reference), WebhookText.ParseVietnamTime(WebhookText.Text(data, "transactionDateTime")),
                WebhookText.Text(data, "virtualAccountNumber"))]);
        }

        // Webhook v1: a list; negative amounts are money going out.
        var transfers = new List<IncomingTransfer>();
        var items = data.EnumerateArray().ToList();
        if (items.Count > 0 && items.All(i => WebhookText.Text(i, "id") == "0" || WebhookText.Text(i, "tid") == TestReference)) return ParsedDelivery.Test;
        foreach (var item in items)
        {
            var amount = WebhookText.Amount(WebhookText.Text(item, "amount"));
            if (amount < 0) continue;
            var id = WebhookText.Text(item, "id");
            if (id.Length == 0) throw new FormatException("id is missing");
            var account = WebhookText.Text(item, "bank_sub_acc_id");
            if (account.Length == 0) account = WebhookText.Text(item, "subAccId");
            transfers.Add(new IncomingTransfer(id, account, amount, WebhookText.Text(item, "description"),
                WebhookText.NullIfEmpty(WebhookText.Text(item, "tid")), WebhookText.ParseVietnamTime(WebhookText.Text(item, "when"))));
        }
        return new ParsedDelivery(transfers);
    }

    public BankDelivery Simulate(SimulatedTransfer t, string authMode, string secret, DateTimeOffset now, BodyFormat format = BodyFormat.Json)
    {
        var id = long.TryParse(t.TransactionId, out var numeric) ? numeric : 0;
        if (authMode == ModeSecureToken)
        {
            var legacy = new JsonObject
            {
                ["error"] = 0,
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = id,
                    ["tid"] = "FT" + t.TransactionId,
                    ["description"] = t.Content,
                    ["amount"] = t.AmountVnd,
                    ["cusum_balance"] = 0,
                    ["when"] = WebhookText.VietnamTimeText(t.Time),
                    ["bank_sub_acc_id"] = t.AccountNumber,
                    ["subAccId"] = t.AccountNumber,
                }),
            }.ToJsonString();
            return BankDelivery.Json(legacy, new Dictionary<string, string> { ["Secure-Token"] = secret });
        }
        var body = new JsonObject
        {
            ["error"] = 0,
            ["data"] = new JsonObject
            {
                ["id"] = id,
                ["reference"] = "FT" + t.TransactionId,
                ["description"] = t.Content,
                ["amount"] = t.AmountVnd,
                ["runningBalance"] = 0,
                ["transactionDateTime"] = WebhookText.VietnamTimeText(t.Time),
                ["accountNumber"] = t.AccountNumber,
                ["bankName"] = "Ngân hàng TMCP Quân đội",
                ["bankAbbreviation"] = "MBBank",
                ["virtualAccountNumber"] = t.VirtualAccount,
                ["virtualAccountName"] = "",
                ["counterAccountName"] = "",
                ["counterAccountNumber"] = "",
                ["counterAccountBankId"] = "",
                ["counterAccountBankName"] = "",
            },
        }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return BankDelivery.Json(body, new Dictionary<string, string> { ["X-Casso-Signature"] = Signature(body, secret, now) });
    }

    /// <summary>The <c>X-Casso-Signature</c> header for a body (the JavaScript-style canonical form).</summary>
    public static string Signature(string body, string key, DateTimeOffset now, bool escapeAll = false)
    {
        using var json = JsonDocument.Parse(body);
        var t = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={WebhookText.HmacSha512Hex(key, t + "." + Canonical(json.RootElement, escapeAll))}";
    }

    // ---- Transactions API (the safety net) ------------------------------------------------------------------------

    public const string DefaultApiBaseUrl = "https://oauth.casso.vn";

    public static string ListPath(DateOnly fromDate, int page, int pageSize) =>
        QueryHelpers.AddQueryString("/v2/transactions", new Dictionary<string, string?>
        {
            ["fromDate"] = fromDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["page"] = page.ToString(CultureInfo.InvariantCulture),
            ["pageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
            ["sort"] = "ASC",
        });

    /// <summary>One page of Casso's transactions and the number of pages.</summary>
    public static (IReadOnlyList<PulledTransaction> Page, int TotalPages) ParseList(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (WebhookText.Text(root, "error") != "0" || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            throw new BankApiException($"Casso báo lỗi: {WebhookText.Text(root, "message")}".Trim(), Permanent: WebhookText.Text(root, "error") == "401");
        var result = new List<PulledTransaction>();
        if (data.TryGetProperty("records", out var records) && records.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in records.EnumerateArray())
            {
                var id = WebhookText.Text(r, "id");
                var amount = WebhookText.Amount(WebhookText.Text(r, "amount"));
                var transfer = amount > 0
                    ? new IncomingTransfer(id, WebhookText.Text(r, "bankSubAccId"), amount, WebhookText.Text(r, "description"),
                        WebhookText.NullIfEmpty(WebhookText.Text(r, "tid")), WebhookText.ParseVietnamTime(WebhookText.Text(r, "when")),
                        WebhookText.Text(r, "virtualAccount"))
                    : null;
                result.Add(new PulledTransaction(id, transfer, r.GetRawText()));
            }
        }
        var pages = int.TryParse(WebhookText.Text(data, "totalPages"), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : 1;
        return (result, pages);
    }
}
