namespace Cho40.Web.Infrastructure;

/// <summary>Security headers on every response. Pages carry no inline script, so the CSP can forbid it.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.XFrameOptions = "DENY";
        headers["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=()";
        // Hangfire's dashboard ships inline scripts of its own; it is admin-only: no script policy, but never framed.
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/hangfire")
            ? "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
            : ContentSecurityPolicy;
        return next(context);
    }
}
