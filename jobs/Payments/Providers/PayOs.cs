using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;

namespace Cho40.Jobs.Payments.Providers;

/// <summary>
/// payOS (payos.vn, by Casso) — everything about its shapes in one place.
/// <para><b>Webhook</b>: <c>{code, desc, success, data: {orderCode, amount, description, accountNumber, reference,
/// transactionDateTime, currency, paymentLinkId, code, desc, counterAccount…, virtualAccountName, virtualAccountNumber},
/// signature}</c>; <c>signature</c> = hex HMAC-SHA256 (checksum key) of <c>data</c>'s fields sorted by name as
/// <c>k=v&amp;k=v</c> (null → empty) — checked against payOS's published example. No delivery time, so no staleness check.
/// Confirming a webhook address (<c>POST /confirm-webhook</c>) makes payOS send a signed TEST delivery: orderCode 123,
/// description "VQRIO123" (its documented sample) — stored as a test, never money. Answer 200 <c>{"success": true}</c>.</para>
/// <para><b>Payment links</b>: <c>POST {base}/v2/payment-requests</c> with <c>x-client-id</c>, <c>x-api-key</c> and
/// <c>{orderCode, amount, description, returnUrl, cancelUrl, signature}</c>, signature = HMAC-SHA256 over
/// <c>amount=…&amp;cancelUrl=…&amp;description=…&amp;orderCode=…&amp;returnUrl=…</c> → <c>{code: "00", data: {bin,
/// accountNumber (e.g. VQRQ00031obce), accountName, amount, description, orderCode, paymentLinkId, status, checkoutUrl,
/// qrCode}}</c>. An orderCode already used answers code <c>231</c>; <c>GET /v2/payment-requests/{orderCode}</c> then
/// gives the link's id (its checkout page is <c>https://pay.payos.vn/web/{id}</c>; its QR text is not given again).</para>
/// </summary>
public sealed class PayOs : IBankProvider
{
    public const string ModeChecksum = "checksum";
    public const string DefaultApiBaseUrl = "https://api-merchant.payos.vn";
    public const string DefaultCheckoutBaseUrl = "https://pay.payos.vn/web/";

    public string Name => "payos";

    public IReadOnlyList<string> AuthModes { get; } = [ModeChecksum];

    public AuthResult Authenticate(BankDelivery delivery, string authMode, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        try
        {
            using var json = JsonDocument.Parse(delivery.RawBody);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("data", out var data)
                || data.ValueKind != JsonValueKind.Object) return AuthResult.Refuse("no data");
            var signature = WebhookText.Text(json.RootElement, "signature").ToLowerInvariant();
            var matches = false;
            foreach (var key in secrets) matches |= WebhookText.FixedTimeEquals(signature, Sign(data, key));
            return matches ? AuthResult.Ok : AuthResult.Refuse("bad signature");
        }
        catch (JsonException)
        {
            return AuthResult.Refuse("not JSON");
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
        return WebhookText.HmacSha256Hex(checksumKey, string.Join('&', pairs));
    }

    /// <summary>payOS's test delivery (the documented sample it sends when a webhook address is confirmed).</summary>
    public static bool IsTest(JsonElement data) => WebhookText.Text(data, "orderCode") == "123" && WebhookText.Text(data, "description") == "VQRIO123";

    public ParsedDelivery Parse(BankDelivery delivery)
    {
        using var json = JsonDocument.Parse(delivery.RawBody);
        var root = json.RootElement;
        var data = root.GetProperty("data");
        if (IsTest(data)) return ParsedDelivery.Test;
        if (WebhookText.Text(root, "code") != "00") return new ParsedDelivery([]);
        var orderCode = WebhookText.Text(data, "orderCode");
        var reference = WebhookText.Text(data, "reference");
        if (orderCode.Length == 0 && reference.Length == 0) throw new FormatException("orderCode and reference are missing");
        return new ParsedDelivery([new IncomingTransfer($"{orderCode}:{reference}", WebhookText.Text(data, "accountNumber"),
            WebhookText.Amount(WebhookText.Text(data, "amount")), WebhookText.Text(data, "description"), WebhookText.NullIfEmpty(reference),
            WebhookText.ParseVietnamTime(WebhookText.Text(data, "transactionDateTime")), WebhookText.Text(data, "virtualAccountNumber"),
            ProviderOrderCode: WebhookText.NullIfEmpty(orderCode))]);
    }

    public BankDelivery Simulate(SimulatedTransfer t, string authMode, string secret, DateTimeOffset now, BodyFormat format = BodyFormat.Json) =>
        BankDelivery.Json(Webhook(long.TryParse(t.TransactionId, out var numeric) ? numeric : 0, t.AmountVnd, t.Content, t.AccountNumber,
            "FT" + t.TransactionId, t.Time, t.VirtualAccount, secret));

    /// <summary>A signed webhook body as payOS writes it.</summary>
    public static string Webhook(long orderCode, long amount, string description, string accountNumber, string reference, DateTimeOffset time,
        string virtualAccount, string checksumKey, string paymentLinkId = "")
    {
        var data = new JsonObject
        {
            ["orderCode"] = orderCode,
            ["amount"] = amount,
            ["description"] = description,
            ["accountNumber"] = accountNumber,
            ["reference"] = reference,
            ["transactionDateTime"] = WebhookText.VietnamTimeText(time),
            ["currency"] = "VND",
            ["paymentLinkId"] = paymentLinkId,
            ["code"] = "00",
            ["desc"] = "success",
            ["counterAccountBankId"] = "",
            ["counterAccountBankName"] = "",
            ["counterAccountName"] = "",
            ["counterAccountNumber"] = "",
            ["virtualAccountName"] = "",
            ["virtualAccountNumber"] = virtualAccount,
        };
        using var parsed = JsonDocument.Parse(data.ToJsonString());
        return new JsonObject
        {
            ["code"] = "00", ["desc"] = "success", ["success"] = true, ["data"] = data, ["signature"] = Sign(parsed.RootElement, checksumKey),
        }.ToJsonString();
    }

    // ---- Payment links -------------------------------------------------------------------------------------------

    /// <summary>The signature of a payment request: HMAC-SHA256 over its five fields in alphabetical order.</summary>
    public static string PaymentRequestSignature(long orderCode, long amount, string description, string returnUrl, string cancelUrl,
        string checksumKey) =>
        WebhookText.HmacSha256Hex(checksumKey, string.Create(CultureInfo.InvariantCulture,
            $"amount={amount}&cancelUrl={cancelUrl}&description={description}&orderCode={orderCode}&returnUrl={returnUrl}"));

    public static string PaymentRequestBody(long orderCode, long amount, string description, string returnUrl, string cancelUrl, string checksumKey) =>
        new JsonObject
        {
            ["orderCode"] = orderCode,
            ["amount"] = amount,
            ["description"] = description,
            ["returnUrl"] = returnUrl,
            ["cancelUrl"] = cancelUrl,
            ["signature"] = PaymentRequestSignature(orderCode, amount, description, returnUrl, cancelUrl, checksumKey),
        }.ToJsonString();

    /// <summary>What payOS answered to a payment request: the link, or that the orderCode exists already, or an error.</summary>
    public static PaymentLinkAnswer ParsePaymentRequestAnswer(string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var code = WebhookText.Text(root, "code");
        if (code == "231") return new PaymentLinkAnswer(PaymentLinkOutcome.AlreadyExists, null, WebhookText.Text(root, "desc"));
        if (code != "00" || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            return new PaymentLinkAnswer(PaymentLinkOutcome.Refused, null, $"{code} {WebhookText.Text(root, "desc")}".Trim());
        return new PaymentLinkAnswer(PaymentLinkOutcome.Created, new PaymentLink(WebhookText.Text(data, "paymentLinkId"),
            WebhookText.Text(data, "checkoutUrl"), WebhookText.NullIfEmpty(WebhookText.Text(data, "qrCode")),
            WebhookText.NullIfEmpty(WebhookText.Text(data, "bin")), WebhookText.NullIfEmpty(WebhookText.Text(data, "accountNumber")),
            WebhookText.NullIfEmpty(WebhookText.Text(data, "accountName"))), null);
    }

    /// <summary>The link payOS already has for an orderCode (<c>GET /v2/payment-requests/{orderCode}</c>): its id only.</summary>
    public static PaymentLink? ParsePaymentInfo(string body, string checkoutBaseUrl = DefaultCheckoutBaseUrl)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (WebhookText.Text(root, "code") != "00" || !root.TryGetProperty("data", out var data)) return null;
        var id = WebhookText.Text(data, "id");
        return id.Length == 0 ? null : new PaymentLink(id, checkoutBaseUrl + id, null, null, null, null);
    }

    public static string ConfirmWebhookBody(string webhookUrl) => new JsonObject { ["webhookUrl"] = webhookUrl }.ToJsonString();
}

public enum PaymentLinkOutcome { Created, AlreadyExists, Refused }

public sealed record PaymentLink(string PaymentLinkId, string CheckoutUrl, string? QrCode, string? Bin, string? AccountNumber, string? AccountName);

public sealed record PaymentLinkAnswer(PaymentLinkOutcome Outcome, PaymentLink? Link, string? Error);
