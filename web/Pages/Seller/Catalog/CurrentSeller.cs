using System.Globalization;
using Cho40.Db;
using Cho40.Web.Infrastructure;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>
/// Which seller the signed-in member is acting for. A member of one approved seller acts for it; a member of
/// several picks one (remembered in a cookie, or named by ?seller=). The choice only selects: every query in
/// <see cref="CatalogProducts"/> checks the membership again in SQL.
/// </summary>
public static class CurrentSeller
{
    public const string CookieName = "cho40.seller";

    public sealed record Choice(SellerMembership? Current, IReadOnlyList<SellerMembership> Approved, bool AskedForUnknown);

    public static async Task<Choice> ResolveAsync(HttpContext http, SellerMemberships memberships, CancellationToken cancellationToken = default)
    {
        var approved = (await memberships.OfUserAsync(http.User.UserId(), cancellationToken)).Where(m => m.Status == "approved").ToList();
        if (http.Request.Query.TryGetValue("seller", out var asked) && asked.Count > 0)
        {
            var wanted = long.TryParse(asked[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? approved.FirstOrDefault(m => m.SellerId == id) : null;
            return new Choice(wanted, approved, wanted is null);
        }
        if (http.Request.Cookies.TryGetValue(CookieName, out var remembered)
            && long.TryParse(remembered, NumberStyles.None, CultureInfo.InvariantCulture, out var rememberedId)
            && approved.FirstOrDefault(m => m.SellerId == rememberedId) is { } chosen)
            return new Choice(chosen, approved, false);
        return new Choice(approved.Count == 1 ? approved[0] : null, approved, false);
    }

    public static void Remember(HttpContext http, long sellerId) =>
        http.Response.Cookies.Append(CookieName, sellerId.ToString(CultureInfo.InvariantCulture), new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, MaxAge = TimeSpan.FromDays(180),
            Secure = http.Request.IsHttps,
        });

    public static SellerScope Scope(this SellerMembership seller, HttpContext http) => new(seller.SellerId, http.User.UserId());
}
