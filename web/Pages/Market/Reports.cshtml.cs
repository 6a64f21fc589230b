using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Reports;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Market;

/// <summary>A market's daily sales reports (its stalls' takings): managers of that market and admins; others 404.</summary>
public sealed class ReportsModel(Stalls stalls, ReportQueries reports, IStringLocalizer<SharedResource> t) : ReportPageModel(reports, t)
{
    [FromRoute] public long MarketId { get; set; }

    protected override async Task<ReportScope?> FindScopeAsync(CancellationToken cancellationToken) =>
        await stalls.FindManagedMarketAsync(MarketId, User.UserId(), User.IsInRole(Roles.Admin), cancellationToken) is { } m
            ? new ReportScope(ReportScopes.Market, m.Id, m.Name, $"/Market/{m.Id}/Reports")
            : null;
}
