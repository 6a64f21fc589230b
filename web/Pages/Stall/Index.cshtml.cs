using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// The stalls a person keeps: their own, and those they set up as a community digital helper — each of those with its
/// progress (account activated, bank linked, sign printed, first payment) and the stallholder's printable guide.
/// </summary>
public sealed class IndexModel(Stalls stalls) : PageModel
{
    public IReadOnlyList<StallDetail> Stalls { get; private set; } = [];
    public IReadOnlyDictionary<long, StallProgress> Progress { get; private set; } = new Dictionary<long, StallProgress>();
    public long UserId { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        UserId = User.UserId();
        Stalls = await stalls.KeptByAsync(UserId, cancellationToken);
        if (Stalls.Any(s => s.OwnerUserId != UserId))
            Progress = (await stalls.ProgressOfHelpedAsync(UserId, cancellationToken)).ToDictionary(p => p.StallId);
    }
}
