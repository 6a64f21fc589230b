using Cho40.Db;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Cod;

/// <summary>
/// Reconciles one uploaded COD statement against the orders. Takes the statement's id; safe to re-run (lines an
/// admin decided or a settlement paid are never touched again; the rest are matched afresh, with the same result).
/// Two runs of one statement queue up on its row lock (<c>SELECT … FOR UPDATE</c>), which PostgreSQL releases when the
/// process holding it dies — not on Hangfire's <c>DisableConcurrentExecution</c>, whose lock row a SIGKILLed process would
/// leave behind for the storage's DistributedLockTimeout (10 min), holding up the retry of the very job it interrupted.
/// </summary>
public sealed class ReconcileCodStatementJob(CodReconciliation reconciliation, TimeProvider time, ILogger<ReconcileCodStatementJob> log)
{
    [Queue("settlement")]
    [AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(long statementId, CancellationToken cancellationToken = default)
    {
        var summary = await reconciliation.ReconcileAsync(statementId, time.GetUtcNow(), cancellationToken);
        if (summary is null)
        {
            log.LogWarning("COD statement {StatementId} does not exist", statementId);
            return;
        }
        log.LogInformation("COD statement {StatementId}: {Matched} matched, {Mismatched} mismatched, {Returned} returned, {Unknown} unknown, {Lost} lost",
            statementId, summary.Matched, summary.Mismatched, summary.Returned, summary.Unknown, summary.Lost);
    }
}
