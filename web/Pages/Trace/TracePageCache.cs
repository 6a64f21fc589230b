using System.Globalization;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// The server-side output cache for the public trace page of a batch (<c>/t/{code}</c> and its Digital Link): the page
/// every shopper's phone opens after a scan is rendered once a minute per language instead of once per scan. Scans are
/// still counted one by one, in front of the cache (<see cref="TraceScanCounting"/>). A pack's own code (a serial) is
/// never cached: each of its scans is recorded with the device and may warn about copies.
/// </summary>
public sealed class TracePageCache : IOutputCachePolicy
{
    public const string PolicyName = "trace-page";
    public const string Tag = "trace-page";

    /// <summary>As long as shared caches may keep the page (its Cache-Control says max-age=60).</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    /// <summary>What a seller changes on a batch shows at once on this process (other web processes: within <see cref="Duration"/>).</summary>
    public static async Task EvictAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var store = context.RequestServices.GetService<IOutputCacheStore>();
        if (store is not null) await store.EvictByTagAsync(Tag, cancellationToken);
    }

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var request = context.HttpContext.Request;
        var cacheable = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && request.RouteValues["serial"] is null
            && context.HttpContext.RequestServices.GetRequiredService<TraceOptions>().OutputCache;
        // Nothing to look up or store (a pack's code, a POST, the cache switched off): the middleware steps aside
        // instead of capturing the response for nothing.
        context.EnableOutputCaching = cacheable;
        if (!cacheable) return ValueTask.CompletedTask;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = Duration;
        context.Tags.Add(Tag);
        // One address, several answers: the language (?culture= or the culture cookie, already resolved by request
        // localisation), HTML or an RFC 9264 linkset (?linkType=all or Accept: application/linkset+json).
        context.CacheVaryByRules.QueryKeys = new StringValues(["linkType", "culture"]);
        context.CacheVaryByRules.VaryByValues["culture"] = CultureInfo.CurrentUICulture.Name;
        context.CacheVaryByRules.VaryByValues["linkset"] = request.Headers.Accept.Any(a =>
            a?.Contains("application/linkset+json", StringComparison.OrdinalIgnoreCase) == true) ? "1" : "0";
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        // Only the page itself: not a 404, a redirect, or anything that sets a cookie.
        if (response.StatusCode != StatusCodes.Status200OK || !StringValues.IsNullOrEmpty(response.Headers.SetCookie))
        {
            context.AllowCacheStorage = false;
        }
        return ValueTask.CompletedTask;
    }
}
