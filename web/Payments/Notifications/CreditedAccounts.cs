using Cho40.Db;
using Cho40.Web.Pages.Shop;
using Npgsql;

namespace Cho40.Web.Payments.Notifications;

/// <summary>Whose account a transfer was credited to: the owner kind, and the stall when it is a stall's.</summary>
public sealed record CreditedAccount(CreditedTo Kind, long? StallId = null)
{
    public static readonly CreditedAccount Unknown = new(CreditedTo.Unknown);
    public static readonly CreditedAccount Platform = new(CreditedTo.Platform);
    public static readonly CreditedAccount Ambiguous = new(CreditedTo.Ambiguous);

    public static CreditedAccount Stall(long stallId) => new(CreditedTo.Stall, stallId);
}

/// <summary>
/// The accounts one delivery may book money to. Today every provider has one secret, so an authentic delivery may
/// speak for any account the platform knows (<see cref="AnyKnownAccount"/>). With a connection per account (issue 14)
/// the delivery's scope is the accounts of the connection that authenticated it: the collection account's connection
/// gets <c>new(Collection: true, Stalls: [])</c>, a stall's connection <c>new(false, [stallId])</c>; an account outside
/// the scope then reads as unknown, so its money lands in the inbox.
/// </summary>
public sealed record AccountScope(bool Collection, IReadOnlyCollection<long>? Stalls)
{
    /// <summary>The collection account and every stall's accounts.</summary>
    public static readonly AccountScope AnyKnownAccount = new(true, null);
}

/// <summary>
/// Money goes only where it was sent: resolves whose account a transfer was credited to, before any matcher runs.
/// The identifiers the provider reported (the account number and, if any, the virtual account) are looked up among
/// the accounts in scope — the platform's collection account (configuration <c>Cho40:Collection</c>) and the stalls'
/// linked and virtual accounts. An identifier nobody owns says nothing; owners found: none → unknown, one → that
/// owner, more than one → ambiguous (a person decides; nothing is booked).
/// </summary>
public sealed class CreditedAccounts(CollectionAccount collection)
{
    public async Task<CreditedAccount> ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ProviderTransaction transfer,
        AccountScope scope, CancellationToken cancellationToken)
    {
        var reported = new[] { transfer.AccountNumber, transfer.VirtualAccount }
            .Select(a => a.Trim()).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (reported.Length == 0) return CreditedAccount.Unknown;
        var platform = scope.Collection && collection.AccountNumber.Length > 0 && reported.Contains(collection.AccountNumber, StringComparer.Ordinal);
        var stalls = scope.Stalls is { Count: 0 } ? []
            : await Db.Payments.StallsOwningAsync(connection, tx, reported, scope.Stalls, cancellationToken);
        return (platform, stalls.Count) switch
        {
            (false, 0) => CreditedAccount.Unknown,
            (true, 0) => CreditedAccount.Platform,
            (false, 1) => CreditedAccount.Stall(stalls[0]),
            _ => CreditedAccount.Ambiguous,
        };
    }
}
