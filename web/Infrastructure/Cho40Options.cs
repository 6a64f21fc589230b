namespace Cho40.Web.Infrastructure;

/// <summary>The "Cho40" configuration section (appsettings.json, or environment variables Cho40__Name).</summary>
public sealed class Cho40Options
{
    /// <summary>Run the Hangfire server inside the web process (single machine). Off when job processes run apart.</summary>
    public bool RunJobsInProcess { get; set; } = true;

    /// <summary>
    /// Load the demo markets, cooperatives, products and accounts into an empty database. Off unless asked for
    /// (appsettings.Demo.json turns it on for ./cho40 up); refused in Production (ProductionSafety).
    /// </summary>
    public bool SeedDemoData { get; set; }

    /// <summary>
    /// The site's public address, e.g. https://cho40.vn: the start of every link, printed trace code and EPCIS id the
    /// platform hands out (never the request's Host header). Required in Production.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    public int SignInAttemptsPerMinute { get; set; } = 10;


    /// <summary>Requests per client address per minute to the public APIs (policy "public-api"); 0 = unlimited.</summary>
    public int PublicApiRequestsPerMinute { get; set; } = 120;

    /// <summary>
    /// Refused bank-notification deliveries (bad signature, unknown provider, body over the cap) one client address — an
    /// IPv6 /64 — may make per minute before it is answered 429 without its body being read; 0 = unlimited.
    /// </summary>
    public int WebhookFailuresPerMinute { get; set; } = 10;

    /// <summary>Where product-photo thumbnails are cached (relative to the web content root). Originals live in PostgreSQL.</summary>
    public string MediaPath { get; set; } = "App_Data/media";

    /// <summary>Names this process in the X-Cho40-Instance response header when several run behind a load balancer.</summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: IP addresses and CIDR networks, comma-separated.
    /// Default: loopback (nginx on the same machine). Set it to the proxy's address when nginx runs on another machine.
    /// </summary>
    public string TrustedProxies { get; set; } = ForwardedHeadersSetup.DefaultTrustedProxies;
}
