using System.Text;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Db.Domain;
using Npgsql;

namespace Cho40.Jobs.Payments;

/// <summary>
/// What a matcher works with: the stored transfer, inside the transaction that stored it, and whose account the bank
/// credited (resolved before any matcher runs). Stall money is booked only through <see cref="BookStallPaymentAsync"/>,
/// which books to the credited stall and no other (and the database refuses any other: stall_payments_credited_stall_fkey).
/// </summary>
public sealed record MatchContext(NpgsqlConnection Connection, NpgsqlTransaction Transaction, ProviderTransaction Transfer,
    DateTimeOffset Now, CreditedAccount Credited)
{
    /// <summary>The stall whose account was credited (only stall matchers are offered a transfer, so there is one).</summary>
    public long CreditedStallId => Credited is { Kind: CreditedTo.Stall, StallId: { } id }
        ? id : throw new InvalidOperationException($"the transfer was credited to {Credited.Kind}, not to a stall");

    /// <summary>Counts the transfer in the credited stall's takings (once: the transaction is unique per payment).</summary>
    public Task<long> BookStallPaymentAsync(long? requestId, string checkResult, long? expectedAmountVnd, CancellationToken cancellationToken) =>
        Db.Payments.InsertTransferPaymentAsync(Connection, Transaction, CreditedStallId, Transfer, Now, requestId, checkResult, expectedAmountVnd,
            cancellationToken);

    /// <summary>Flags the transfer in the inbox for the credited stall's market.</summary>
    public Task AddStallInboxAsync(string reason, long? requestId, long? expectedAmountVnd, CancellationToken cancellationToken) =>
        Db.Payments.AddToInboxAsync(Connection, Transaction, Transfer.Id, reason, Now, CreditedStallId, requestId, expectedAmountVnd,
            cancellationToken);

    /// <summary>Tells the credited stall's open screens (delivered when the transaction commits).</summary>
    public Task NotifyStallAsync(string what, CancellationToken cancellationToken) =>
        StallNotices.PublishAsync(Connection, Transaction, CreditedStallId, what, cancellationToken);
}

/// <summary>
/// One way of recognising what an incoming transfer pays for. A matcher is offered only transfers credited to the kind
/// of account it <see cref="Accepts"/> (the collection account's money → orders; a stall's → that stall's requests and
/// sign), tried in <see cref="Order"/>; the first that returns true has applied the transfer (its payment rows, inbox
/// entries and notifications, in the given transaction) and the rest are skipped. Register one with
/// <c>services.AddSingleton&lt;IPaymentMatcher, MyMatcher&gt;()</c>.
/// </summary>
public interface IPaymentMatcher
{
    int Order { get; }

    /// <summary><see cref="CreditedTo.Platform"/> or <see cref="CreditedTo.Stall"/>: the only transfers this matcher sees.</summary>
    CreditedTo Accepts { get; }

    Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken);
}

/// <summary>
/// First resolves whose account the transfer was credited to and records it, then runs the matchers that accept that
/// owner in turn. Money credited to an unknown account, to accounts of several owners, or that no matcher takes lands
/// in the inbox — never lost, never booked to anyone else. A stall payment above the ceiling
/// (<see cref="PaymentsOptions.StallPaymentCeilingVnd"/>) is booked and also flagged in its market's inbox.
/// </summary>
public sealed class PaymentMatching(IEnumerable<IPaymentMatcher> matchers, CreditedAccounts accounts, PaymentsOptions options)
{
    private readonly IReadOnlyList<IPaymentMatcher> ordered = matchers.OrderBy(m => m.Order).ToList();

    public IReadOnlyList<IPaymentMatcher> Matchers => ordered;

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ProviderTransaction transfer, DateTimeOffset now,
        AccountScope scope, CancellationToken cancellationToken)
    {
        var credited = await accounts.ResolveAsync(connection, tx, transfer, scope, cancellationToken);
        await Db.Payments.RecordCreditAsync(connection, tx, transfer.Id, credited.Kind, credited.StallId, cancellationToken);
        var context = new MatchContext(connection, tx, transfer, now, credited);
        foreach (var matcher in ordered)
        {
            if (matcher.Accepts == credited.Kind && await matcher.TryApplyAsync(context, cancellationToken))
            {
                // Counted as sent, and shown to a person: more than a stall normally takes in one transfer.
                if (credited.Kind == CreditedTo.Stall && transfer.AmountVnd > options.StallPaymentCeilingVnd)
                    await context.AddStallInboxAsync("above_ceiling", null, null, cancellationToken);
                return;
            }
        }
        await Db.Payments.AddToInboxAsync(connection, tx, transfer.Id, credited.Kind == CreditedTo.Ambiguous ? "ambiguous_account" : "unmatched",
            now, cancellationToken: cancellationToken);
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
/// Accepts: transfers credited to a stall's linked or virtual account, and only that stall's requests — a reference
/// of another stall's request in the content is not looked at (the money is still this stall's, as a sign payment).
/// A dynamic QR's request, by the reference in the content and the exact amount. Short and over payments are applied
/// (the money is in the stallholder's account) and flagged in the inbox; a transfer for an expired or cancelled
/// request pays the stall but not the request.
/// </summary>
public sealed class PaymentRequestMatcher : IPaymentMatcher
{
    public int Order => 100;

    public CreditedTo Accepts => CreditedTo.Stall;

    public async Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        var transfer = context.Transfer;
        var candidates = ReferenceText.Candidates(transfer.Content);
        if (candidates.Count == 0) return false;
        var requests = await Db.Payments.LockRequestsAsync(context.Connection, context.Transaction, context.CreditedStallId, candidates,
            cancellationToken);
        if (requests.Count == 0) return false;
        var request = requests.OrderBy(r => r.Status == "pending" ? 0 : 1).First();
        var (connection, tx, now) = (context.Connection, context.Transaction, context.Now);
        // The bank's time says when the customer paid; a notification arriving late does not expire a paid request.
        var paidAt = transfer.TransactionTime < now ? transfer.TransactionTime : now;

        if (request.Status == "cancelled" || (request.Status is "pending" or "underpaid" && paidAt >= request.ExpiresAt))
        {
            var late = await context.BookStallPaymentAsync(null, "ok", null, cancellationToken);
            await context.AddStallInboxAsync("expired_request", request.Id, request.AmountVnd, cancellationToken);
            await context.NotifyStallAsync($"p{late}", cancellationToken);
            return true;
        }

        if (request.Status == "paid")
        {
            var extra = await context.BookStallPaymentAsync(request.Id, "over", request.AmountVnd, cancellationToken);
            await context.AddStallInboxAsync("over", request.Id, request.AmountVnd, cancellationToken);
            await context.NotifyStallAsync($"p{extra}", cancellationToken);
            return true;
        }

        var before = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, new Dapper.CommandDefinition(
            "SELECT COALESCE(sum(amount_vnd), 0) FROM stall_payments WHERE payment_request_id = @Id", new { request.Id }, tx,
            cancellationToken: cancellationToken));
        var received = before + transfer.AmountVnd;
        var check = received == request.AmountVnd ? "ok" : received < request.AmountVnd ? "short" : "over";
        var paymentId = await context.BookStallPaymentAsync(request.Id, check, request.AmountVnd, cancellationToken);
        await Db.Payments.SetRequestStatusAsync(connection, tx, request.Id, check == "short" ? "underpaid" : "paid", check == "short" ? null : now,
            cancellationToken);
        if (check != "ok") await context.AddStallInboxAsync(check, request.Id, request.AmountVnd, cancellationToken);
        await context.NotifyStallAsync($"p{paymentId}", cancellationToken);
        await context.NotifyStallAsync($"r{request.Id}", cancellationToken);
        return true;
    }
}

/// <summary>
/// Accepts: transfers credited to a stall's linked or virtual account. Whatever the content says, money that arrived
/// in a stall's account is that stall's takings: a static-sign payment. (An account shared by several stalls, or a
/// stall's that is also the collection account, never gets here: it resolves as ambiguous and goes to the inbox.)
/// </summary>
public sealed class StallAccountMatcher : IPaymentMatcher
{
    public int Order => 900;

    public CreditedTo Accepts => CreditedTo.Stall;

    public async Task<bool> TryApplyAsync(MatchContext context, CancellationToken cancellationToken)
    {
        var paymentId = await context.BookStallPaymentAsync(null, "ok", null, cancellationToken);
        await context.NotifyStallAsync($"p{paymentId}", cancellationToken);
        return true;
    }
}
