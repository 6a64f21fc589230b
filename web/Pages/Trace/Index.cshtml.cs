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

    /// <summary>Set when the code was not found: what was typed and why (the trace-specific "not found" page).</summary>
    public CodeProblem? Missing { get; private set; }
    public UnitScan? Unit { get; private set; }
    public bool Suspicious { get; private set; }
    public TraceOptions Options => options;

    public async Task<IActionResult> OnGetAsync(string? code, string? serial, string? gtin, string? lot, string? linkType, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var kind = TraceLinks.LinkType(linkType);
        if (gtin is not null)
        {
            // A Digital Link's answer depends on Accept (HTML page or linkset): shared caches must key on it.
            Response.Headers.Vary = "Accept, Cookie";
            var gtin14 = Gtin.Normalize(gtin);
            if (gtin14 is null || (lot is null && serial is null)) return NotFoundPage(gtin, CodeProblems.DigitalLink);
            var serialCode = serial is null ? null : TraceCode.Normalize(serial, TraceCode.SerialLength);
            if (serial is not null && serialCode is null) return NotFoundPage(serial, CodeProblems.Check(serial, TraceCode.SerialLength));
            var target = await trace.ResolveDigitalLinkAsync(gtin14, lot, serialCode, cancellationToken);
            if (target is null || (serialCode is not null && !target.SerialFound)) return NotFoundPage(serial ?? lot, CodeProblems.Unknown);

            var baseUrl = TraceLinks.BaseUrl(Request, siteOptions);
            var tracePath = TraceLinks.ShortPath(target.Code, serialCode);
            var wantsLinkset = kind == "all" ||
                Request.Headers.Accept.Any(a => a?.Contains("application/linkset+json", StringComparison.OrdinalIgnoreCase) == true);
            if (wantsLinkset)
            {
                Response.Headers.CacheControl = "public, max-age=300";
                return Content(TraceLinks.Linkset(baseUrl + Request.Path, baseUrl + ProductPath(target.ProductSlug), target.ProductName,
                    baseUrl + tracePath), "application/linkset+json");
            }
            if (kind == "pip") return new RedirectResult(ProductPath(target.ProductSlug), permanent: false, preserveMethod: true);
            if (kind == "traceability") return new RedirectResult(tracePath, permanent: false, preserveMethod: true);
            // No (or an unknown) link type: the default link, which is this page — served here, no extra round trip.
            code = target.Code;
            serial = serialCode;
        }

        var batchCode = TraceCode.Normalize(code, TraceCode.BatchLength);
        if (batchCode is null) return NotFoundPage(code, CodeProblems.Check(code, TraceCode.BatchLength));
        // The "type it again" box sends ?code=: a good code goes to its own address.
        if (Request.Path == "/t") return Redirect(TraceLinks.ShortPath(batchCode));
        var data = await trace.PublicAsync(batchCode, VietnamTime.DayOf(now), cancellationToken);
        if (data is null) return NotFoundPage(code, CodeProblems.Unknown);
        if (kind == "pip") return new RedirectResult(ProductPath(data.Batch.ProductSlug), permanent: false, preserveMethod: true);
        Data = data;

        if (serial is null)
        {
            // Counted by TraceScanCounting, in front of the output cache: a view served from the cache counts too.
            Response.Headers[TraceScanCounting.BatchHeader] = data.Batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Shared caches may keep it a minute; the language comes from ?culture= or the culture cookie.
            Response.Headers.CacheControl = "public, max-age=60";
            if (gtin is null) Response.Headers.Vary = "Cookie";
            return Page();
        }

        var serialNormal = TraceCode.Normalize(serial, TraceCode.SerialLength);
        if (serialNormal is null) return NotFoundPage(serial, CodeProblems.Check(serial, TraceCode.SerialLength));
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
        if (Unit is null) return NotFoundPage(serial, CodeProblems.Unknown);
        Suspicious = Unit.Devices > options.SuspiciousDeviceCount || Unit.RecentNetworks >= options.SuspiciousNetworkCount;
        Response.Headers.CacheControl = "private, no-store";
        return Page();
    }

    /// <summary>A 404 that helps: the code as typed, why it was not found, and a box to type it again.</summary>
    private PageResult NotFoundPage(string? typed, string problem)
    {
        Missing = new CodeProblem((typed ?? "").Length > 40 ? typed![..40] + "…" : typed ?? "", problem);
        Response.StatusCode = StatusCodes.Status404NotFound;
        Response.Headers.CacheControl = "no-store";
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

public sealed record CodeProblem(string Typed, string Problem);

/// <summary>Why a typed code was not found: the check character (Damm) tells a typo from a code we never issued.</summary>
public static class CodeProblems
{
    public const string Empty = "empty";
    public const string Alphabet = "alphabet";
    public const string Length = "length";
    public const string CheckCharacter = "check";
    public const string Unknown = "unknown";
    public const string DigitalLink = "digital-link";

    public static string Check(string? typed, int length)
    {
        var cleaned = new string((typed ?? "").Where(c => c is not (' ' or '-')).Select(char.ToUpperInvariant).ToArray());
        if (cleaned.Length == 0) return Empty;
        if (cleaned.Any(c => !TraceCode.Alphabet.Contains(c))) return Alphabet;
        if (cleaned.Length != length) return Length;
        return TraceCode.IsValid(cleaned) ? Unknown : CheckCharacter;
    }
}
