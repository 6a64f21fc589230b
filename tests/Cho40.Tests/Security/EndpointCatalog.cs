using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cho40.Tests.Security;

/// <summary>One thing the app answers: a method, a route pattern and (for Razor Pages) a named handler.</summary>
public sealed record AppEndpoint(string Method, string Pattern, string? Handler, bool RequiresAuthorization, IReadOnlyList<string> Policies)
{
    /// <summary>The key the security sweep classifies, e.g. <c>POST /Seller/Catalog/Edit/{id:long}?handler=Publish</c>.</summary>
    public string Key => $"{Method} {Pattern}" + (string.IsNullOrEmpty(Handler) ? "" : "?handler=" + Handler);

    public override string ToString() => Key;
}

/// <summary>
/// The app's own endpoint list, read from its DI container: every routed endpoint (minimal APIs with their HTTP
/// method metadata, Hangfire, health) and every Razor Page handler (loaded through <see cref="PageLoader"/>, so a
/// new <c>OnPostSomething</c> appears as a new key).
/// </summary>
public static class EndpointCatalog
{
    /// <summary>The key under which every file of wwwroot is listed.</summary>
    public const string StaticFiles = "/{wwwroot file}";

    public static async Task<IReadOnlyList<AppEndpoint>> ReadAsync(IServiceProvider services)
    {
        var source = services.GetRequiredService<EndpointDataSource>();
        var loader = services.GetRequiredService<PageLoader>();
        var result = new List<AppEndpoint>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            // wwwroot's files (MapStaticAssets: one endpoint per file, encoding and content hash) are one public thing.
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null)
            {
                result.Add(new AppEndpoint("GET", StaticFiles, null, false, []));
                continue;
            }
            var raw = endpoint.RoutePattern.RawText ?? "";
            var pattern = "/" + raw.TrimStart('/');
            var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = authorize.Select(a => a.Policy ?? a.Roles ?? "signed-in").Distinct().ToList();
            var requiresAuth = authorize.Count > 0 && !anonymous;

            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                // "/Seller/Catalog/Index" and "/Seller/Catalog" are one page: keep the address people use.
                if (pattern.EndsWith("/Index", StringComparison.Ordinal) || pattern == "/Index") continue;
                var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                foreach (var handler in compiled.HandlerMethods)
                    result.Add(new AppEndpoint(handler.HttpMethod.ToUpperInvariant(), pattern, handler.Name, requiresAuth, policies));
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
                result.Add(new AppEndpoint(method, pattern, null, requiresAuth, policies));
        }
        return result.DistinctBy(e => e.Key).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
    }
}
