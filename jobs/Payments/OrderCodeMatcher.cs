using System.Text.RegularExpressions;
using Cho40.Db;
using Dapper;

namespace Cho40.Jobs.Payments;

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
        foreach (var code in Candidates(context.Transfer.Content))
        {
            if (await PayAsync(context, code, cancellationToken)) return true;
            // not one of our transfer orders: try the next candidate
        }
        return false;
    }

    /// <summary>
    /// Pays the order with this code from the transfer: the exact amount pays it; a wrong amount or a second payment for
    /// a paid order is flagged in the inbox with the order it named. False when no transfer order has this code.
    /// </summary>
    public static async Task<bool> PayAsync(MatchContext context, string orderCode, CancellationToken cancellationToken)
    {
        var transfer = context.Transfer;
        var (outcome, orderId, total) = await Orders.MarkPaidByTransferAsync(context.Connection, context.Transaction, orderCode,
            transfer.AmountVnd, $"{transfer.Provider}:{transfer.ProviderTxnId}", transfer.TransactionTime, cancellationToken);
        var reason = outcome switch
        {
            TransferPaymentOutcome.Paid => null,
            TransferPaymentOutcome.AmountMismatch => "order_amount_mismatch",
            TransferPaymentOutcome.AlreadyPaid => "order_already_paid",
            _ => "",
        };
        if (reason is null) return true;
        if (reason.Length == 0) return false;
        await context.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO payment_inbox (provider_transaction_id, reason, order_id, expected_amount_vnd, created_at)
            VALUES (@Id, @reason, @orderId, @total, @now)
            ON CONFLICT DO NOTHING
            """, new { transfer.Id, reason, orderId, total, now = context.Now }, context.Transaction, cancellationToken: cancellationToken));
        return true;
    }
}

/// <summary>
/// Accepts: transfers credited to the platform's collection account that payOS reported for one of the payment links the
/// platform created (<c>payos_payment_links</c>): the order is found by the link's orderCode, whatever the transfer's text
/// says (payOS writes its own description). Tried before the order code in the text (150 &lt; 200).
/// </summary>
public sealed class PayOsOrderMatcher : IPaymentMatcher
{
    public int Order => 150;

    public CreditedTo Accepts => CreditedTo.Platform;

    public async Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        if (context.Transfer.Provider != "payos" || !long.TryParse(context.Transfer.ProviderOrderCode, out var orderCode)) return false;
        var code = await context.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT o.code FROM payos_payment_links l JOIN orders o ON o.id = l.order_id WHERE l.order_code = @orderCode
            """, new { orderCode }, context.Transaction, cancellationToken: cancellationToken));
        return code is not null && await OrderCodeMatcher.PayAsync(context, code, cancellationToken);
    }
}
