using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// The public trace page, reached from a printed code: <c>/t/{batchCode}[/{serial}]</c> or a GS1 Digital
/// Link <c>/01/{GTIN}/10/{lot}[/21/{serial}]</c>. A Digital Link also answers <c>?linkType=</c>
/// (<c>gs1:pip</c> → product page, <c>gs1:traceability</c> → this page, <c>all</c> or
/// <c>Accept: application/linkset+json</c> → an RFC 9264 linkset). Server-rendered, no script, one query.
/// </summary>
[IgnoreAntiforgeryToken]
[Microsoft.AspNetCore.OutputCaching.OutputCache(PolicyName = TracePageCache.PolicyName)]
public sealed class TraceIndexModel(Db.Trace trace, TraceOptions options, Cho40Options siteOptions, TimeProvider clock) : PageModel
{
    public const string DeviceCookie = "c40d";

    public PublicTrace Data { get; private set; } = null!;
    public UnitScan? Unit { get; private set; }
    public bool Suspicious { get; private set; }
    public TraceOptions Options => options;

    public async Task<IActionResult> OnGetAsync(string? code, string? serial, string? gtin, string? lot, string? linkType, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (gtin is not null)
        {
            var gtin14 = Gtin.Normalize(gtin);
            if (gtin14 is null || lot is null) return NotFound();
            var serialCode = serial is null ? null : TraceCode.Normalize(serial, TraceCode.SerialLength);
            if (serial is not null && serialCode is null) return NotFound();
            var target = await trace.ResolveDigitalLinkAsync(gtin14, lot, serialCode, cancellationToken);
            if (target is null || (serialCode is not null && !target.SerialFound)) return NotFound();

            var baseUrl = TraceLinks.BaseUrl(Request, siteOptions);
            var tracePath = TraceLinks.ShortPath(target.Code, serialCode);
            var wantsLinkset = linkType == "all" ||
                Request.Headers.Accept.Any(a => a?.Contains("application/linkset+json", StringComparison.OrdinalIgnoreCase) == true);
            if (wantsLinkset)
            {
                Response.Headers.CacheControl = "public, max-age=300";
                Response.Headers.Vary = "Accept";
                return Content(TraceLinks.Linkset(baseUrl + Request.Path, baseUrl + ProductPath(target.ProductSlug), target.ProductName,
                    baseUrl + tracePath), "application/linkset+json");
            }
            if (linkType == "gs1:pip") return new RedirectResult(ProductPath(target.ProductSlug), permanent: false, preserveMethod: true);
            if (linkType == "gs1:traceability") return new RedirectResult(tracePath, permanent: false, preserveMethod: true);
            // No (or an unknown) link type: the default link, which is this page — served here, no extra round trip.
            code = target.Code;
            serial = serialCode;
        }

        var batchCode = TraceCode.Normalize(code, TraceCode.BatchLength);
        if (batchCode is null) return NotFound();
        var data = await trace.PublicAsync(batchCode, VietnamTime.DayOf(now), cancellationToken);
        if (data is null) return NotFound();
        if (linkType == "gs1:pip") return new RedirectResult(ProductPath(data.Batch.ProductSlug), permanent: false, preserveMethod: true);
        Data = data;

        if (serial is null)
        {
            // Counted by TraceScanCounting, in front of the output cache: a view served from the cache counts too.
            Response.Headers[TraceScanCounting.BatchHeader] = data.Batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Shared caches may keep it a minute; the language comes from ?culture= or the culture cookie.
            Response.Headers.CacheControl = "public, max-age=60";
            Response.Headers.Vary = "Cookie";
            return Page();
        }

        var serialNormal = TraceCode.Normalize(serial, TraceCode.SerialLength);
        if (serialNormal is null) return NotFound();
        var device = Request.Cookies[DeviceCookie];
        if (device is null || device.Length != 22)
        {
            device = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Response.Cookies.Append(DeviceCookie, device, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = Request.IsHttps,
                Expires = now.AddYears(2),
            });
        }
        Unit = await trace.ScanUnitAsync(data.Batch.Id, serialNormal, device, Network(HttpContext.Connection.RemoteIpAddress), now,
            TimeSpan.FromHours(options.SuspiciousWindowHours), cancellationToken);
        if (Unit is null) return NotFound();
        Suspicious = Unit.Devices > options.SuspiciousDeviceCount || Unit.RecentNetworks >= options.SuspiciousNetworkCount;
        Response.Headers.CacheControl = "private, no-store";
        return Page();
    }

    public static string ProductPath(string slug) => "/san-pham/" + slug;

    /// <summary>The client's network: IPv4 /24 or IPv6 /48 — two scans from one home or shop share it.</summary>
    public static string Network(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24"
            : $"{Convert.ToHexStringLower(bytes.AsSpan(0, 6))}::/48";
    }
}
