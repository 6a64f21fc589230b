using System.Buffers;
using System.Text;
using System.Threading.RateLimiting;
using Cho40.Web.Infrastructure;

namespace Cho40.Web.Payments.Notifications;

/// <summary>
/// What a caller of <c>POST /api/bank-notifications/*</c> can cost before its signature is checked (the signature covers
/// the body, so the body has to be read first): a body is read only up to <see cref="MaxBodyBytes"/> and never held
/// beyond it, and a client address (an IPv6 /64, <see cref="RateLimits.ClientKey(HttpContext)"/>) that was refused
/// <c>Cho40:WebhookFailuresPerMinute</c> times this minute is answered 429 before anything of its request is read.
/// Counts are per web process (like every rate limit here).
/// </summary>
public sealed class WebhookGate : IDisposable
{
    /// <summary>
    /// The largest body read: the services send one transfer (SePay, payOS) or a few (Casso) in 1–3 KB; 64 KB leaves room
    /// for long transfer texts and batches while bounding what ten parallel callers can make the process hold to about 1 MB.
    /// </summary>
    public const int MaxBodyBytes = 64 * 1024;

    private readonly PartitionedRateLimiter<string> failures;

    public WebhookGate(Cho40Options options)
    {
        var perMinute = options.WebhookFailuresPerMinute;
        failures = PartitionedRateLimiter.Create<string, string>(client => perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(client)
            : RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
            }));
    }

    /// <summary>Null when this client may be heard; else how long it is to wait (it was refused too often this minute).</summary>
    public TimeSpan? Refusal(HttpContext context)
    {
        // Zero permits asks "is any left?" without spending one.
        using var lease = failures.AttemptAcquire(RateLimits.ClientKey(context), 0);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    /// <summary>Counts a refused delivery (not authentic, unknown provider, too large) against its client.</summary>
    public void CountFailure(HttpContext context)
    {
        using var _ = failures.AttemptAcquire(RateLimits.ClientKey(context), 1);
    }

    /// <summary>
    /// The body as UTF-8 text, or null when it is longer than <see cref="MaxBodyBytes"/> — known from Content-Length before
    /// reading, or found by reading at most one byte past the cap (a chunked body). Never buffers more than the cap + 1.
    /// </summary>
    public static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = 0;
            while (length <= MaxBodyBytes)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), cancellationToken);
                if (read == 0) break;
                length += read;
            }
            return length > MaxBodyBytes ? null : Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => failures.Dispose();
}
