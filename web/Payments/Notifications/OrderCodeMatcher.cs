using System.Text.RegularExpressions;
using Cho40.Db;
using Dapper;

namespace Cho40.Web.Payments.Notifications;

/// <summary>
/// Accepts: transfers credited to the platform's collection account, and nothing else — an order code in a transfer
/// to a stall's account is that stall's money, and one to an unknown account goes to the inbox; neither pays an order.
/// Shop orders paid by transfer to the collection account: the purpose carries the order code ("Cho40 DH-7KQ3XM",
/// however the bank mangles it). Exact amount pays the order; a wrong amount or a second payment for a paid order is
/// flagged in the inbox with the order it named.
/// </summary>
public sealed partial class OrderCodeMatcher : IPaymentMatcher
{
    public int Order => 200;

    public CreditedTo Accepts => CreditedTo.Platform;

    // "DH" then six characters of the order-code alphabet, in the content folded to upper-case letters and digits.
    [GeneratedRegex("(?=DH([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}))")]
    private static partial Regex Candidate();

    public static IReadOnlyList<string> Candidates(string content) =>
        Candidate().Matches(ReferenceText.Fold(content)).Select(m => "DH-" + m.Groups[1].Value).Distinct().ToList();

    public async Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        var transfer = context.Transfer;
        foreach (var code in Candidates(transfer.Content))
        {
            var (outcome, orderId, total) = await Orders.MarkPaidByTransferAsync(context.Connection, context.Transaction, code,
                transfer.AmountVnd, $"{transfer.Provider}:{transfer.ProviderTxnId}", transfer.TransactionTime, cancellationToken);
            var reason = outcome switch
            {
                TransferPaymentOutcome.Paid => null,
                TransferPaymentOutcome.AmountMismatch => "order_amount_mismatch",
                TransferPaymentOutcome.AlreadyPaid => "order_already_paid",
                _ => "",
            };
            if (reason is null) return true;
            if (reason.Length == 0) continue; // not one of our transfer orders: try the next candidate
            await context.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO payment_inbox (provider_transaction_id, reason, order_id, expected_amount_vnd, created_at)
                VALUES (@Id, @reason, @orderId, @total, @now)
                ON CONFLICT DO NOTHING
                """, new { transfer.Id, reason, orderId, total, now = context.Now }, context.Transaction, cancellationToken: cancellationToken));
            return true;
        }
        return false;
    }
}
