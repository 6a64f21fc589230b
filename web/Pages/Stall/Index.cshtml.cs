using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// The stalls a person keeps: their own, and those they set up as a community digital helper — each of those with its
/// progress (account activated, bank linked, sign printed, first payment) and the stallholder's printable guide — and
/// each stall's bank connection ("last synced", flagged when its reads keep failing).
/// </summary>
public sealed class IndexModel(Stalls stalls, BankConnections connections, Jobs.Payments.PaymentsOptions paymentOptions) : PageModel
{
    public IReadOnlyList<StallDetail> Stalls { get; private set; } = [];
    public IReadOnlyDictionary<long, StallProgress> Progress { get; private set; } = new Dictionary<long, StallProgress>();
    /// <summary>Each stall's working bank connection: "last synced", and a flag when its reads keep failing.</summary>
    public IReadOnlyDictionary<long, BankConnection> Connections { get; private set; } = new Dictionary<long, BankConnection>();
    public int SyncFailuresToFlag => paymentOptions.SyncFailuresToFlag;
    public long UserId { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        UserId = User.UserId();
        Stalls = await stalls.KeptByAsync(UserId, cancellationToken);
        Connections = await connections.ActiveOfStallsAsync(Stalls.Select(s => s.Id).ToList(), cancellationToken);
        if (Stalls.Any(s => s.OwnerUserId != UserId))
            Progress = (await stalls.ProgressOfHelpedAsync(UserId, cancellationToken)).ToDictionary(p => p.StallId);
    }
}
