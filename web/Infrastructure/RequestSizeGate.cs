using Microsoft.AspNetCore.Http.Features;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// An upload larger than the endpoint's limit (<c>[RequestSizeLimit]</c>, else Kestrel's 30 MB) is answered 413 as soon
/// as its Content-Length says so, before anything reads the body. Otherwise the first reader — the antiforgery check
/// reading the form — fails on Kestrel's limit and the person is told their form "expired" (400) instead.
/// The status-code pages then explain it in Vietnamese (<c>/Error?code=413</c>).
/// </summary>
public static class RequestSizeGate
{
    /// <summary>Use after UseRouting (which applies the endpoint's own limit to the request).</summary>
    public static IApplicationBuilder UseRequestSizeGate(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Not again when the status-code page for this very request is being rendered.
            if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is null
                && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false, MaxRequestBodySize: long max }
                && context.Request.ContentLength > max)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                context.Response.Headers.Connection = "close";
                return Task.CompletedTask;
            }
            return next(context);
        });

    /// <summary>A request body that turned out too large while being read (no Content-Length) keeps Kestrel's status (413), not 500.</summary>
    public static int StatusCodeOf(Exception exception) =>
        exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
}
