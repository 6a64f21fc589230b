using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Seller.Settlement;

/// <summary>A seller member's settlements: every completed cycle in which one of their sellers was paid or charged.</summary>
public sealed class IndexModel(Db.Settlement settlement, SellerMemberships memberships) : PageModel
{
    public IReadOnlyList<MemberRun> Runs { get; private set; } = [];

    public IReadOnlyList<SellerMembership> Sellers { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Runs = await settlement.RunsForMemberAsync(User.UserId(), cancellationToken);
        Sellers = (await memberships.OfUserAsync(User.UserId(), cancellationToken)).Where(m => m.Status == "approved").ToList();
    }
}
