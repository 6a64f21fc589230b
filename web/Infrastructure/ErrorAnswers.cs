using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// What an unhandled exception becomes. PostgreSQL out of reach (stopped, restarting, refusing connections, a connection
/// cut) is a passing outage, not a bug: <c>503</c> with <c>Retry-After</c>, so browsers' people, providers and load
/// balancers try again, while <c>/healthz</c> says the same. Anything else is <c>500</c>. Pages get the site's Vietnamese
/// error page (<c>/Error</c>); <c>/api/…</c> callers get application/problem+json like every other API answer.
/// </summary>
public sealed class ErrorAnswers : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait after a 503: PostgreSQL restarts in a few seconds.</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>The status an exception is answered with (UseExceptionHandler's StatusCodeSelector).</summary>
    public static int StatusCodeOf(Exception exception) =>
        IsDatabaseUnavailable(exception) ? StatusCodes.Status503ServiceUnavailable : RequestSizeGate.StatusCodeOf(exception);

    /// <summary>True when the exception (or one it wraps) says the database cannot be reached right now.</summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // 08: connection exceptions; 57P01–57P03: admin/crash shutdown, cannot connect now; 53300: too many connections.
                case PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal)
                                               || p.SqlState.StartsWith("57P0", StringComparison.Ordinal) || p.SqlState == "53300":
                    return true;
                case PostgresException:
                    return false; // the server answered: a real error in what we asked
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var status = context.Response.StatusCode;
        if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = RetryAfterSeconds;
        // The request's own path: with ExceptionHandlingPath the request already points at /Error here.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path;
        if (!path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)) return false; // the /Error page explains it
        var problem = status switch
        {
            StatusCodes.Status503ServiceUnavailable => Results.Problem(statusCode: status, title: "Tạm thời gián đoạn",
                detail: "database: cơ sở dữ liệu tạm thời không trả lời; hãy gửi lại sau vài giây."),
            StatusCodes.Status413PayloadTooLarge => Results.Problem(statusCode: status, title: "Nội dung quá lớn",
                detail: "body: nội dung gửi lên vượt quá giới hạn cho phép."),
            < 500 => Results.Problem(statusCode: status, title: "Yêu cầu không hợp lệ", detail: "body: yêu cầu không đọc được."),
            _ => Results.Problem(statusCode: status, title: "Có lỗi", detail: "Đã có lỗi xảy ra ở máy chủ; hãy thử lại sau."),
        };
        await problem.ExecuteAsync(context);
        return true;
    }
}
