namespace Cho40.Web.Pages.Trace;

/// <summary>The "Cho40:Trace" configuration section (environment variables Cho40__Trace__Name).</summary>
public sealed class TraceOptions
{
    /// <summary>A serialised code scanned by more than this many different devices is flagged as possibly copied.</summary>
    public int SuspiciousDeviceCount { get; set; } = 5;

    /// <summary>… or scanned from this many different networks (IPv4 /24, IPv6 /48) within <see cref="SuspiciousWindowHours"/>.</summary>
    public int SuspiciousNetworkCount { get; set; } = 3;

    public int SuspiciousWindowHours { get; set; } = 24;

    /// <summary>How often counted page views are written to the database.</summary>
    public int ScanFlushSeconds { get; set; } = 5;

    /// <summary>Serve batch pages from the server-side output cache (TracePageCache). Off only to measure the page itself.</summary>
    public bool OutputCache { get; set; } = true;

    /// <summary>Largest photo accepted, in megabytes.</summary>
    public int MaxPhotoMegabytes { get; set; } = 10;
}
