using Cho40.Db;
using Cho40.Web.Infrastructure;
using System.Security.Claims;

namespace Cho40.Web.Pages.Seller.Trace;

/// <summary>Which seller the trace pages act for: one of the user's approved memberships (?sellerId= picks among several).</summary>
public static class TraceSeller
{
    public static async Task<SellerMembership?> CurrentAsync(SellerMemberships memberships, ClaimsPrincipal user, long? sellerId,
        CancellationToken cancellationToken = default)
    {
        var mine = (await memberships.OfUserAsync(user.UserId(), cancellationToken)).Where(m => m.Status == "approved").ToList();
        return sellerId is long id ? mine.FirstOrDefault(m => m.SellerId == id) : mine.FirstOrDefault();
    }
}
