using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Market;

/// <summary>The markets a manager manages (all of them for an admin), with their sign sheets and the transfer inbox.</summary>
public sealed class IndexModel(Stalls stalls) : PageModel
{
    public IReadOnlyList<MarketOption> Markets { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Markets = await stalls.ManagedMarketsAsync(User.UserId(), User.IsInRole(Roles.Admin), cancellationToken);
}
