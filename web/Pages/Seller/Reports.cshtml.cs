using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Reports;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller;

/// <summary>
/// A seller's daily sales reports (shop orders): members of an approved seller. /Seller/Reports shows the first of the
/// member's sellers; /Seller/Reports/{id} another of theirs. Another seller's id answers 404.
/// </summary>
[Authorize(Policy = Policies.SellerMember)]
public sealed class ReportsModel(SellerMemberships memberships, ReportQueries reports, IStringLocalizer<SharedResource> t)
    : ReportPageModel(reports, t)
{
    [FromRoute] public long? SellerId { get; set; }

    public IReadOnlyList<SellerMembership> Sellers { get; private set; } = [];

    protected override async Task<ReportScope?> FindScopeAsync(CancellationToken cancellationToken)
    {
        Sellers = (await memberships.OfUserAsync(User.UserId(), cancellationToken)).Where(m => m.Status == "approved").ToList();
        var seller = SellerId is { } id ? Sellers.FirstOrDefault(s => s.SellerId == id) : Sellers.FirstOrDefault();
        return seller is null ? null : new ReportScope(ReportScopes.Seller, seller.SellerId, seller.SellerName, $"/Seller/Reports/{seller.SellerId}");
    }
}
