using Cho40.Db;
using Cho40.Web.Reports;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Reports;

/// <summary>An admin's view of any stall's, seller's or market's daily reports (the /Admin folder is admins only).</summary>
public sealed class ScopeModel(ReportQueries reports, IStringLocalizer<SharedResource> t) : ReportPageModel(reports, t)
{
    private readonly ReportQueries reports = reports;

    [FromRoute] public string Kind { get; set; } = "";
    [FromRoute] public long ScopeId { get; set; }

    protected override async Task<ReportScope?> FindScopeAsync(CancellationToken cancellationToken) =>
        ReportScopes.IsKnown(Kind) && await reports.ScopeNameAsync(Kind, ScopeId, cancellationToken) is { } name
            ? new ReportScope(Kind, ScopeId, name, $"/Admin/Reports/{Kind}/{ScopeId}")
            : null;
}
