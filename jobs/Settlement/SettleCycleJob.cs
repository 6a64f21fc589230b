using Cho40.Db;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Settlement;

/// <summary>
/// Settles one cycle ("2026-11-02..2026-11-08" or "2026-W45"). Keyed by cycle: run twice, raced by two job
/// processes, or killed midway and retried, it pays everybody exactly once (see <see cref="Db.Settlement"/>).
/// </summary>
public sealed class SettleCycleJob(Db.Settlement settlement, TimeProvider time, ILogger<SettleCycleJob> log)
{
    [Queue("settlement")]
    [AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task<SettleResult> RunAsync(string cycleKey, CancellationToken cancellationToken = default)
    {
        if (!SettlementCycle.TryParse(cycleKey, out var cycle)) throw new ArgumentException($"not a settlement cycle: {cycleKey}", nameof(cycleKey));
        var result = await settlement.RunAsync(cycle, time.GetUtcNow(), cancellationToken);
        log.LogInformation("Settlement {Cycle}: {Status}, {Sellers} sellers, {Items} items, payouts {Total} VND",
            cycle.Key, result.Status, result.Sellers, result.Items, result.PayoutTotalVnd);
        return result;
    }
}
