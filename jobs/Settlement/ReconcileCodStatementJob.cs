using Cho40.Db;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Settlement;

/// <summary>
/// Reconciles one uploaded COD statement against the orders. Takes the statement's id; safe to re-run (lines an
/// admin decided or a settlement paid are never touched again; the rest are matched afresh, with the same result).
/// </summary>
public sealed class ReconcileCodStatementJob(CodReconciliation reconciliation, TimeProvider time, ILogger<ReconcileCodStatementJob> log)
{
    [Queue("settlement")]
    [AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(long statementId)
    {
        var summary = await reconciliation.ReconcileAsync(statementId, time.GetUtcNow());
        if (summary is null)
        {
            log.LogWarning("COD statement {StatementId} does not exist", statementId);
            return;
        }
        log.LogInformation("COD statement {StatementId}: {Matched} matched, {Mismatched} mismatched, {Returned} returned, {Unknown} unknown, {Lost} lost",
            statementId, summary.Matched, summary.Mismatched, summary.Returned, summary.Unknown, summary.Lost);
    }
}
