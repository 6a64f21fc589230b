using Cho40.Db;
using Npgsql;

namespace Cho40.Jobs.Payments;

/// <summary>Whose account a transfer was credited to: the owner kind, and the stall when it is a stall's.</summary>
public sealed record CreditedAccount(CreditedTo Kind, long? StallId = null)
{
    public static readonly CreditedAccount Unknown = new(CreditedTo.Unknown);
    public static readonly CreditedAccount Platform = new(CreditedTo.Platform);
    public static readonly CreditedAccount Ambiguous = new(CreditedTo.Ambiguous);

    public static CreditedAccount Stall(long stallId) => new(CreditedTo.Stall, stallId);
}

/// <summary>
/// The accounts one delivery may book money to: those of the connection that authenticated it — the collection
/// account's connection <see cref="Platform"/>, a stall's connection <see cref="OfStall"/>. An account outside the scope
/// reads as unknown (its money lands in the inbox), and one owned by someone outside the scope next to one inside it
/// as ambiguous: a delivery authenticated for one connection can only ever book money to that connection's accounts.
/// </summary>
public sealed record AccountScope(bool Collection, IReadOnlyCollection<long>? Stalls)
{
    /// <summary>The collection account and every stall's accounts (tests of the resolution rule itself).</summary>
    public static readonly AccountScope AnyKnownAccount = new(true, null);

    public static readonly AccountScope Platform = new(true, []);

    public static AccountScope OfStall(long stallId) => new(false, [stallId]);

    public static AccountScope Of(BankConnection connection) => connection.StallId is { } stallId ? OfStall(stallId) : Platform;
}

/// <summary>The platform's collection account number (configuration <c>Cho40:Collection:AccountNumber</c>).</summary>
public sealed record PlatformAccount(string AccountNumber)
{
    /// <summary>The demo's collection account (the web's CollectionAccount has the same default).</summary>
    public const string DemoAccountNumber = "1020040040";
}

/// <summary>
/// Money goes only where it was sent: resolves whose account a transfer was credited to, before any matcher runs.
/// The identifiers the provider reported (the account number and, if any, the virtual account) are looked up among
/// every account the platform knows — its collection account (configuration <c>Cho40:Collection</c>, and the accounts of
/// the payOS links it created) and the stalls' linked and virtual accounts. An identifier nobody owns says nothing;
/// owners found: none, or only outside the delivery's scope → unknown; one, inside the scope → that owner; more than one
/// (or one inside the scope and one outside) → ambiguous (a person decides; nothing is booked).
/// </summary>
public sealed class CreditedAccounts(PlatformAccount collection)
{
    public async Task<CreditedAccount> ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ProviderTransaction transfer,
        AccountScope scope, CancellationToken cancellationToken)
    {
        var reported = new[] { transfer.AccountNumber, transfer.VirtualAccount }
            .Select(a => a.Trim()).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (reported.Length == 0) return CreditedAccount.Unknown;
        var platform = (collection.AccountNumber.Length > 0 && reported.Contains(collection.AccountNumber, StringComparer.Ordinal))
            || await Db.Payments.IsPayOsLinkAccountAsync(connection, tx, reported, cancellationToken);
        var stalls = await Db.Payments.StallsOwningAsync(connection, tx, reported, null, cancellationToken);
        var inScope = (platform && scope.Collection ? 1 : 0) + stalls.Count(s => scope.Stalls is null || scope.Stalls.Contains(s));
        var outOfScope = (platform && !scope.Collection ? 1 : 0) + stalls.Count(s => scope.Stalls is not null && !scope.Stalls.Contains(s));
        return (inScope, outOfScope) switch
        {
            (0, _) => CreditedAccount.Unknown,
            (1, 0) when platform && scope.Collection => CreditedAccount.Platform,
            (1, 0) => CreditedAccount.Stall(stalls.Single(s => scope.Stalls is null || scope.Stalls.Contains(s))),
            _ => CreditedAccount.Ambiguous,
        };
    }
}
