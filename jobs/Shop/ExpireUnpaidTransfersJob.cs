using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Shop;

/// <summary>
/// Every 10 minutes: cancels transfer orders whose reservation has ended without a payment (<c>orders.reserved_until</c>,
/// set at checkout from Cho40:Shop:TransferHoldHours; the order page says until when), so their goods can be sold again.
/// Idempotent (guarded update); batches of 500 until none are left.
/// </summary>
public sealed class ExpireUnpaidTransfersJob(Db.Orders orders, TimeProvider clock)
{
    public const string RecurringJobId = "expire-unpaid-transfer-orders";
    public const string Queue = "default";

    [AutomaticRetry(Attempts = 3)]
    [Queue(Queue)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var total = 0;
        for (int n; (n = await orders.ExpireUnpaidTransfersAsync(now, 500, cancellationToken)) > 0;)
            total += n;
        return total;
    }
}

/// <summary>Registers the recurring expiry job at start-up (AddOrUpdate under a fixed id: harmless from every process).</summary>
public sealed class ExpireUnpaidTransfersSchedule(IRecurringJobManager recurring, ILogger<ExpireUnpaidTransfersSchedule> log) : RecurringJobRegistration(log)
{
    protected override string What => "the unpaid-transfer expiry job";

    protected override Task RegisterAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<ExpireUnpaidTransfersJob>(ExpireUnpaidTransfersJob.RecurringJobId, ExpireUnpaidTransfersJob.Queue,
            j => j.RunAsync(CancellationToken.None), "*/10 * * * *");
        return Task.CompletedTask;
    }
}
