using System.Security.Claims;
using Cho40.Db;
using Cho40.Db.Domain;

namespace Cho40.Web.Pages.Account;

/// <summary>
/// Where each person lands after signing in (unless they were on their way somewhere): their own work. Admin → /Admin,
/// market manager → /Market, a stallholder with one stall → that stall's screen (several → the stall list, where a helper
/// also follows the stalls they set up), seller → /Seller, province viewer → /Province, anyone else → the shop.
/// </summary>
public static class Landing
{
    public static async Task<string> ForAsync(ClaimsPrincipal user, long userId, Stalls stalls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(stalls);
        if (user.IsInRole(Roles.Admin)) return "/Admin";
        if (user.IsInRole(Roles.MarketManager)) return "/Market";
        if (user.IsInRole(Roles.DigitalHelper)) return "/Stall";
        if (user.IsInRole(Roles.Stallholder))
        {
            var kept = await stalls.KeptByAsync(userId, cancellationToken);
            return kept.Count == 1 ? $"/Stall/{kept[0].Id}/Screen" : "/Stall";
        }
        if (user.IsInRole(Roles.SellerMember)) return "/Seller";
        // A province officer's work is the province dashboard.
        if (user.IsInRole(Roles.ProvinceViewer)) return "/Province";
        return "/";
    }
}
