using Cho40.Db;
using Cho40.Jobs.Payments;
using Hangfire;

namespace Cho40.Web.Payments.Connections;

/// <summary>
/// payOS payment links for transfer orders, when the collection account's connection is payOS: checkout records that an
/// order wants a link and enqueues <see cref="PayOsLinkJob"/> — it never waits for payOS, so an outage of payOS never
/// stops an order being placed. The order page asks again for an order that has no link yet (a lost enqueue).
/// </summary>
public sealed class PayOsCheckout(BankConnections connections, PayOsLinks links, IBackgroundJobClient jobs, PaymentsOptions options,
    TimeProvider time, ILogger<PayOsCheckout> log)
{
    /// <summary>The payOS connection of the collection account, or null when it is on another service (or none).</summary>
    public async Task<BankConnection?> PlatformPayOsAsync(CancellationToken cancellationToken) =>
        await connections.ActiveAsync(null, cancellationToken) is { Provider: "payos" } payos ? payos : null;

    /// <summary>payOS's description: at most 9 characters for accounts not linked through payOS; the order code without its dash fits.</summary>
    public static string Description(string orderCode) => orderCode.Replace("-", "", StringComparison.Ordinal);

    public async Task RequestAsync(BankConnection payos, long orderId, string orderCode, string accessToken, long totalVnd, string baseUrl,
        CancellationToken cancellationToken)
    {
        var page = $"{baseUrl}/don-hang/{Uri.EscapeDataString(accessToken)}";
        await links.EnsureAsync(orderId, payos.Id, options.PayOsOrderCodeOffset + orderId, totalVnd, Description(orderCode), page, page,
            time.GetUtcNow(), cancellationToken);
        jobs.Enqueue<PayOsLinkJob>(j => j.CreateAsync(orderId, CancellationToken.None));
    }

    /// <summary>After checkout: a link for each transfer order (best effort — the order page asks again if this fails).</summary>
    public async Task RequestAfterCheckoutAsync(IReadOnlyList<PlacedOrder> orders, string paymentMethod, string baseUrl, CancellationToken cancellationToken)
    {
        if (paymentMethod != PaymentMethods.Transfer) return;
        try
        {
            if (await PlatformPayOsAsync(cancellationToken) is not { } payos) return;
            foreach (var order in orders)
                await RequestAsync(payos, order.Id, order.Code, order.AccessToken, order.TotalVnd, baseUrl, cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            log.LogWarning("payOS links for a checkout were not requested ({Error}); the order pages will ask again", e.Message);
        }
    }
}
