using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Reports;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>A stall's daily sales reports: its owner and the helper who set it up (Stalls.FindKeptAsync); anyone else 404.</summary>
public sealed class ReportsModel(Stalls stalls, ReportQueries reports, IStringLocalizer<SharedResource> t) : ReportPageModel(reports, t)
{
    [FromRoute] public long Id { get; set; }

    protected override async Task<ReportScope?> FindScopeAsync(CancellationToken cancellationToken) =>
        await stalls.FindKeptAsync(Id, User.UserId(), cancellationToken) is { } s
            ? new ReportScope(ReportScopes.Stall, s.Id, $"{s.MarketName} · {s.StallNumber} · {s.Name}", $"/Stall/{s.Id}/Reports")
            : null;
}
