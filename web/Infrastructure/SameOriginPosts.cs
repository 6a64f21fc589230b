using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// Cross-site request forgery protection without a token, from what the browser says about where a request comes from
/// (Fetch Metadata): the rule of Go 1.25's <c>CrossOriginProtection</c> and of ASP.NET Core 11's CSRF middleware, which
/// .NET 10 does not have yet, hence these few lines. A POST is refused (400, like a bad antiforgery token) when the browser
/// says it comes from another site (<c>Sec-Fetch-Site</c> other than same-origin or none) or, from a browser without
/// Fetch Metadata, when its <c>Origin</c> is not this host. A request with neither header is not a browser's (or is from a
/// browser older than 2020) and passes.
/// <para>
/// For the shop's basket buttons only, on pages anyone can see (the product page, issue 15): a token there costs two
/// data-protection operations on every view of the most visited page, for a basket kept in the visitor's own cookie.
/// Pages that act for a signed-in account keep their antiforgery tokens. Put <c>[IgnoreAntiforgeryToken]</c> beside it.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SameOriginPostsAttribute : Attribute, IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (IsCrossOrigin(context.HttpContext.Request))
        {
            context.Result = new BadRequestResult();
            return Task.CompletedTask;
        }
        return next();
    }

    public static bool IsCrossOrigin(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsTrace(request.Method)) return false;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        // "null" (a sandboxed frame, a file) is not a URL, and so not this host.
        return !Uri.TryCreate(origin, UriKind.Absolute, out var from)
               || !string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
