using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cho40.Jobs.Payments.Providers;

namespace Cho40.Jobs.Payments;

/// <summary>
/// Calls to the services' APIs over the resilient HTTP clients of <see cref="PaymentsSetup"/> (timeouts, retries,
/// circuit breaker). The shapes of requests and answers are the providers' (<see cref="SePay"/>, <see cref="Casso"/>,
/// <see cref="PayOs"/>); this class only sends them and says what went wrong in words a person can act on.
/// </summary>
public sealed class BankApis(IHttpClientFactory clients, PaymentsOptions options)
{
    /// <summary>GET <paramref name="baseUrl"/> + <paramref name="pathAndQuery"/>; the body of a 2xx answer.</summary>
    public async Task<string> GetAsync(string provider, string baseUrl, string pathAndQuery, AuthenticationHeaderValue authorization,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Combine(baseUrl, pathAndQuery));
        request.Headers.Authorization = authorization;
        request.Headers.Accept.ParseAdd("application/json");
        return await SendAsync(provider, request, cancellationToken);
    }

    private async Task<string> SendAsync(string provider, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await clients.CreateClient(PaymentsSetup.ClientName(provider)).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new BankApiException($"{Title(provider)} từ chối khoá API ({(int)response.StatusCode}): hãy kiểm tra API token đã nhập.", Permanent: true);
        if (!response.IsSuccessStatusCode)
            throw new BankApiException($"{Title(provider)} trả lời {(int)response.StatusCode} {response.ReasonPhrase}.", Permanent: false);
        return body;
    }

    // ---- payOS -------------------------------------------------------------------------------------------------------

    public async Task<PaymentLinkAnswer> CreatePaymentLinkAsync(PayOsCredentials credentials, long orderCode, long amount, string description,
        string returnUrl, string cancelUrl, CancellationToken cancellationToken)
    {
        using var request = PayOsRequest(credentials, HttpMethod.Post, "/v2/payment-requests",
            PayOs.PaymentRequestBody(orderCode, amount, description, returnUrl, cancelUrl, credentials.ChecksumKey));
        return PayOs.ParsePaymentRequestAnswer(await SendAsync("payos", request, cancellationToken));
    }

    public async Task<PaymentLink?> PaymentInfoAsync(PayOsCredentials credentials, long orderCode, CancellationToken cancellationToken)
    {
        using var request = PayOsRequest(credentials, HttpMethod.Get, $"/v2/payment-requests/{orderCode}", null);
        return PayOs.ParsePaymentInfo(await SendAsync("payos", request, cancellationToken), options.PayOsCheckoutBaseUrl);
    }

    /// <summary>Asks payOS to confirm the webhook address; payOS then sends its signed test delivery there.</summary>
    public async Task<string?> ConfirmWebhookAsync(PayOsCredentials credentials, string webhookUrl, CancellationToken cancellationToken)
    {
        using var request = PayOsRequest(credentials, HttpMethod.Post, "/confirm-webhook", PayOs.ConfirmWebhookBody(webhookUrl));
        var body = await SendAsync("payos", request, cancellationToken);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var code = WebhookText.Text(json.RootElement, "code");
        return code == "00" ? null : $"payOS: {code} {WebhookText.Text(json.RootElement, "desc")}".Trim();
    }

    private HttpRequestMessage PayOsRequest(PayOsCredentials credentials, HttpMethod method, string path, string? json)
    {
        var request = new HttpRequestMessage(method, Combine(options.PayOsApiBaseUrl, path));
        request.Headers.Add("x-client-id", credentials.ClientId);
        request.Headers.Add("x-api-key", credentials.ApiKey);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    private static string Title(string provider) => provider switch { "sepay" => "SePay", "casso" => "Casso", "payos" => "payOS", _ => provider };

    private static Uri Combine(string baseUrl, string pathAndQuery) => new(baseUrl.TrimEnd('/') + pathAndQuery);
}

/// <summary>A payOS payment channel's three keys (Kênh thanh toán › Client ID, Api Key, Checksum Key).</summary>
public sealed record PayOsCredentials(string ClientId, string ApiKey, string ChecksumKey);
