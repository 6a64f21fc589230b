using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Seller;

/// <summary>A seller's home, where a cooperative member lands after signing in: their sellers and the work of each.</summary>
public sealed class IndexModel(SellerMemberships memberships) : PageModel
{
    public IReadOnlyList<SellerMembership> Memberships { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Memberships = await memberships.OfUserAsync(User.UserId(), cancellationToken);
}
