using System.Text;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Db.Domain;
using Npgsql;

namespace Cho40.Web.Payments.Notifications;

/// <summary>What a matcher works with: the stored transfer, inside the transaction that stored it.</summary>
public sealed record MatchContext(NpgsqlConnection Connection, NpgsqlTransaction Transaction, ProviderTransaction Transfer,
    DateTimeOffset Now)
{
    /// <summary>Tells the stall's open screens (delivered when the transaction commits).</summary>
    public Task NotifyStallAsync(long stallId, string what, CancellationToken cancellationToken) =>
        StallEvents.PublishAsync(Connection, Transaction, stallId, what, cancellationToken);
}

/// <summary>
/// One way of recognising what an incoming transfer pays for. Matchers are tried in <see cref="Order"/>;
/// the first that returns true has applied the transfer (its payment rows, inbox entries and notifications,
/// in the given transaction) and the rest are skipped. Register one with
/// <c>services.AddSingleton&lt;IPaymentMatcher, MyMatcher&gt;()</c> — e.g. shop orders by order code at Order 200.
/// </summary>
public interface IPaymentMatcher
{
    int Order { get; }

    Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken);
}

/// <summary>Runs the matchers in turn; a transfer none of them takes lands in the inbox as unmatched, never lost.</summary>
public sealed class PaymentMatching(IEnumerable<IPaymentMatcher> matchers)
{
    private readonly IReadOnlyList<IPaymentMatcher> ordered = matchers.OrderBy(m => m.Order).ToList();

    public IReadOnlyList<IPaymentMatcher> Matchers => ordered;

    public async Task ApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        foreach (var matcher in ordered)
        {
            if (await matcher.TryApplyAsync(context, cancellationToken)) return;
        }
        await Db.Payments.AddToInboxAsync(context.Connection, context.Transaction, context.Transfer.Id, "unmatched", context.Now,
            cancellationToken: cancellationToken);
    }
}

/// <summary>Finds "C40 7KQ3XM"-style references in transfer content however banks and people mangle it.</summary>
public static partial class ReferenceText
{
    // "C40" (or "C4O") followed by six characters of the reference alphabet, searched in the content
    // folded to upper-case ASCII letters and digits only; overlapping, so "C40C407KQ3XM" still finds it.
    [GeneratedRegex("(?=C4[0O]([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}))")]
    private static partial Regex Candidate();

    public static IReadOnlyList<string> Candidates(string content) =>
        Candidate().Matches(Fold(content)).Select(m => m.Groups[1].Value).Distinct().ToList();

    /// <summary>Transfer content as upper-case ASCII letters and digits only: what is left of a code however a bank mangles it.</summary>
    public static string Fold(string content)
    {
        var folded = new StringBuilder(content.Length);
        foreach (var c in Slug.ToAscii(content).ToUpperInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) folded.Append(c);
        }
        return folded.ToString();
    }
}

/// <summary>
/// A dynamic QR's request, by the reference in the content and the exact amount. Short and over payments
/// are applied (the money is in the stallholder's account) and flagged in the inbox; a transfer for an
/// expired or cancelled request pays the stall but not the request.
/// </summary>
public sealed class PaymentRequestMatcher : IPaymentMatcher
{
    public int Order => 100;

    public async Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        var transfer = context.Transfer;
        var candidates = ReferenceText.Candidates(transfer.Content);
        if (candidates.Count == 0) return false;
        var requests = await Db.Payments.LockRequestsAsync(context.Connection, context.Transaction, candidates, cancellationToken);
        if (requests.Count == 0) return false;
        var request = requests.OrderBy(r => r.Status == "pending" ? 0 : 1).First();
        var (connection, tx, now) = (context.Connection, context.Transaction, context.Now);
        // The bank's time says when the customer paid; a notification arriving late does not expire a paid request.
        var paidAt = transfer.TransactionTime < now ? transfer.TransactionTime : now;

        if (request.Status == "cancelled" || (request.Status is "pending" or "underpaid" && paidAt >= request.ExpiresAt))
        {
            var late = await Db.Payments.InsertTransferPaymentAsync(connection, tx, request.StallId, transfer, now, cancellationToken: cancellationToken);
            await Db.Payments.AddToInboxAsync(connection, tx, transfer.Id, "expired_request", now, request.StallId, request.Id, request.AmountVnd,
                cancellationToken);
            await context.NotifyStallAsync(request.StallId, $"p{late}", cancellationToken);
            return true;
        }

        if (request.Status == "paid")
        {
            var extra = await Db.Payments.InsertTransferPaymentAsync(connection, tx, request.StallId, transfer, now, request.Id, "over", request.AmountVnd,
                cancellationToken);
            await Db.Payments.AddToInboxAsync(connection, tx, transfer.Id, "over", now, request.StallId, request.Id, request.AmountVnd, cancellationToken);
            await context.NotifyStallAsync(request.StallId, $"p{extra}", cancellationToken);
            return true;
        }

        var before = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, new Dapper.CommandDefinition(
            "SELECT COALESCE(sum(amount_vnd), 0) FROM stall_payments WHERE payment_request_id = @Id", new { request.Id }, tx,
            cancellationToken: cancellationToken));
        var received = before + transfer.AmountVnd;
        var check = received == request.AmountVnd ? "ok" : received < request.AmountVnd ? "short" : "over";
        var paymentId = await Db.Payments.InsertTransferPaymentAsync(connection, tx, request.StallId, transfer, now, request.Id, check, request.AmountVnd,
            cancellationToken);
        await Db.Payments.SetRequestStatusAsync(connection, tx, request.Id, check == "short" ? "underpaid" : "paid", check == "short" ? null : now,
            cancellationToken);
        if (check != "ok")
            await Db.Payments.AddToInboxAsync(connection, tx, transfer.Id, check, now, request.StallId, request.Id, request.AmountVnd, cancellationToken);
        await context.NotifyStallAsync(request.StallId, $"p{paymentId}", cancellationToken);
        await context.NotifyStallAsync(request.StallId, $"r{request.Id}", cancellationToken);
        return true;
    }
}

/// <summary>A static-sign payment: the transfer went to the account exactly one stall's sign pays into.</summary>
public sealed class StallAccountMatcher : IPaymentMatcher
{
    public int Order => 900;

    public async Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        if (context.Transfer.AccountNumber.Length == 0) return false;
        var stalls = await Db.Payments.StallsPaidIntoAsync(context.Connection, context.Transaction, context.Transfer.AccountNumber, cancellationToken);
        if (stalls.Count != 1) return false; // none, or an account shared by several stalls: a person decides
        var paymentId = await Db.Payments.InsertTransferPaymentAsync(context.Connection, context.Transaction, stalls[0], context.Transfer, context.Now,
            cancellationToken: cancellationToken);
        await context.NotifyStallAsync(stalls[0], $"p{paymentId}", cancellationToken);
        return true;
    }
}
