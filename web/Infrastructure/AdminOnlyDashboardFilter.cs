using Cho40.Db.Domain;
using Hangfire.Dashboard;

namespace Cho40.Web.Infrastructure;

/// <summary>The Hangfire dashboard is for admins; everyone else gets 403 (anonymous included).</summary>
public sealed class AdminOnlyDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);

    /// <summary>
    /// Hangfire answers 401 to anonymous requests it refuses, which invites a sign-in prompt for a page that
    /// only admins may ever see; answer 403 to every non-admin before the dashboard runs.
    /// </summary>
    public static IApplicationBuilder UseAdminOnlyDashboardGate(IApplicationBuilder app, PathString dashboardPath) =>
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(dashboardPath) && !context.User.IsInRole(Roles.Admin))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }
            return next(context);
        });
}
