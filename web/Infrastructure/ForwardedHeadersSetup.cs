using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// Behind nginx every connection comes from the proxy, so the client's address (rate limits, the trace page's
/// scan-network rule) and scheme (secure cookies) are read from X-Forwarded-For / X-Forwarded-Proto —
/// but only when the connection comes from a proxy we trust (<see cref="Cho40Options.TrustedProxies"/>); from
/// anyone else the headers are ignored, so a client cannot pick its own rate-limit budget.
/// </summary>
public static class ForwardedHeadersSetup
{
    /// <summary>Loopback: nginx on the same machine (./cho40 up --web N, the systemd setup of the README).</summary>
    public const string DefaultTrustedProxies = "127.0.0.0/8, ::1";

    public static IServiceCollection AddCho40ForwardedHeaders(this IServiceCollection services, string? trustedProxies)
    {
        var (addresses, networks) = Parse(string.IsNullOrWhiteSpace(trustedProxies) ? DefaultTrustedProxies : trustedProxies);
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor |
                                 ForwardedHeaders.XForwardedProto;
            // One proxy hop: the last address in X-Forwarded-For is the one our proxy saw (nginx appends it to
            // whatever the client sent, so earlier entries are the client's own claims and are not believed).
            o.ForwardLimit = 1;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in addresses) o.KnownProxies.Add(address);
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
        });
    }

    /// <summary>"127.0.0.0/8, ::1, 10.0.0.5" → addresses and networks; anything else is a configuration error at start-up.</summary>
    public static (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<System.Net.IPNetwork> Networks) Parse(string list)
    {
        var addresses = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var item in list.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item.Contains('/') && System.Net.IPNetwork.TryParse(item, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(item, out var address)) addresses.Add(address);
            else throw new InvalidOperationException(
                $"Cho40:TrustedProxies: '{item}' is neither an IP address nor a network in CIDR form (e.g. 10.0.0.0/24)");
        }
        return (addresses, networks);
    }
}
