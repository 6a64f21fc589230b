using Cho40.Db.Domain;
using Hangfire.Dashboard;

namespace Cho40.Web.Infrastructure;

/// <summary>The Hangfire dashboard is for admins; everyone else gets 403 (anonymous included).</summary>
public sealed class AdminOnlyDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
}
