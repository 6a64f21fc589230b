using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Cho40.Web.Infrastructure;

public static class RateLimits
{
    /// <summary>
    /// The client a limit counts: an IPv4 address, or the /64 network of an IPv6 address ("2001:db8:1:2::/64"). A home,
    /// a phone or a small server is given a whole /64, so counting single IPv6 addresses would let one client rotate
    /// through 2^64 of them. IPv4-mapped IPv6 addresses count as the IPv4 address.
    /// </summary>
    public static string ClientKey(HttpContext context) => ClientKey(context.Connection.RemoteIpAddress);

    public static string ClientKey(System.Net.IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new System.Net.IPAddress(bytes) + "/64";
    }

    /// <summary>The named policy of the public integrator APIs (e.g. /api/vietqr): requests per client (<see cref="ClientKey(HttpContext)"/>) per minute.</summary>
    public const string PublicApiPolicy = "public-api";

    public static RateLimitPartition<string> PublicApiPartition(HttpContext context, int permitsPerMinute)
    {
        if (permitsPerMinute <= 0) return RateLimitPartition.GetNoLimiter("public-api:unlimited");
        return RateLimitPartition.GetFixedWindowLimiter("public-api:" + ClientKey(context), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }

    /// <summary>The forms that take a secret or create an account: guessing and mass sign-ups are limited per client (<see cref="ClientKey(HttpContext)"/>).</summary>
    private static readonly string[] CredentialForms = ["/Account/SignIn", "/Account/SignUp", "/Stall/Activate", "/tra-cuu-don-hang"];

    /// <summary>
    /// POSTs of each credential form (sign-in, sign-up, stall activation code) per client per minute, each form
    /// with its own budget; other requests are not limited here.
    /// </summary>
    public static PartitionedRateLimiter<HttpContext> SignInAttempts(int permitsPerMinute) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var form = HttpMethods.IsPost(context.Request.Method)
                ? Array.Find(CredentialForms, f => context.Request.Path.Equals(f, StringComparison.OrdinalIgnoreCase))
                : null;
            if (form is null) return RateLimitPartition.GetNoLimiter("");
            return RateLimitPartition.GetFixedWindowLimiter(form + ":" + ClientKey(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });

    public static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

        if (context.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(title: "Quá nhiều yêu cầu", detail: "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            return;
        }
        // Nothing written: the status-code pages show the site's own Vietnamese page (/Error?code=429).
    }
}
