using System.Security.Claims;
using Cho40.Db;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cho40.Web.Infrastructure;

/// <summary>What the sign-in cookie carries, and how it is kept in step with the database.</summary>
public static class SignInCookie
{
    /// <summary>The user's security stamp when the cookie was issued; a cookie whose stamp is no longer current is refused.</summary>
    public const string StampClaim = "cho40:stamp";

    public static ClaimsPrincipal PrincipalFor(long userId, string phone, string displayName, Guid securityStamp, IEnumerable<string> roles)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, userId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, displayName),
            new(ClaimTypes.MobilePhone, phone),
            new(StampClaim, securityStamp.ToString("N")),
        };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static ClaimsPrincipal PrincipalFor(UserAccount user, IEnumerable<string> roles) =>
        PrincipalFor(user.Id, user.Phone, user.DisplayName, user.SecurityStamp, roles);

    /// <summary>Signs the person in on this browser with the user's current stamp.</summary>
    public static Task SignInAsync(HttpContext context, ClaimsPrincipal principal, DateTimeOffset now) =>
        context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal,
            new AuthenticationProperties { IsPersistent = true, IssuedUtc = now });

    public static long UserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);

    public static long? UserIdOrNull(this ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true ? principal.UserId() : null;

    private static bool Matches(SessionState state, string? stamp) =>
        string.Equals(state.SecurityStamp.ToString("N"), stamp, StringComparison.Ordinal);

    /// <summary>
    /// Runs on every request with a cookie: a cookie whose stamp is not the user's current one (signed out, password
    /// changed, a role taken away, "sign out other devices") or whose user is gone is refused and deleted; a changed
    /// name or set of roles (an admin approves a seller) is written into a renewed cookie.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var stamp = principal?.FindFirstValue(StampClaim);
        var id = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionStamps>();
        var userId = long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var state = stamp is null || userId == 0 ? null : await sessions.GetAsync(userId, context.HttpContext.RequestAborted);
        // A cookie newer than this process's cached stamp (signed in again through another web process): read it fresh.
        if (state is not null && !Matches(state, stamp))
            state = await sessions.GetAsync(userId, context.HttpContext.RequestAborted, fresh: true);
        if (state is null || !Matches(state, stamp))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        var roles = principal!.FindAll(ClaimTypes.Role).Select(c => c.Value).Order(StringComparer.Ordinal);
        if (!roles.SequenceEqual(state.Roles.Order(StringComparer.Ordinal)) || principal.Identity?.Name != state.DisplayName
            || principal.FindFirstValue(ClaimTypes.MobilePhone) != state.Phone)
        {
            context.ReplacePrincipal(PrincipalFor(userId, state.Phone, state.DisplayName, state.SecurityStamp, state.Roles));
            context.ShouldRenew = true;
        }
    }
}

/// <summary>
/// The users' current stamps and roles, read once per user per <see cref="CacheFor"/> (the cookie check runs on every
/// request; one indexed query per user every few seconds keeps it cheap). This process forgets a user at once when it
/// changes the stamp itself; on other web processes a revoked cookie lives at most <see cref="CacheFor"/> longer. A
/// cookie whose stamp differs from the cached one is checked against the database at once, so a sign-in made through
/// another process is never refused for a stale cache.
/// </summary>
public sealed class SessionStamps(Accounts accounts, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 50_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (SessionState State, DateTimeOffset ReadAt)> cache = new();

    /// <summary>The user's state, from this process's cache when read less than <see cref="CacheFor"/> ago (unless <paramref name="fresh"/>).</summary>
    public async Task<SessionState?> GetAsync(long userId, CancellationToken cancellationToken, bool fresh = false)
    {
        var now = time.GetUtcNow();
        if (!fresh && cache.TryGetValue(userId, out var entry) && now - entry.ReadAt < CacheFor && now >= entry.ReadAt) return entry.State;
        var state = await accounts.SessionStateAsync(userId, cancellationToken);
        if (state is null) cache.TryRemove(userId, out _);
        else
        {
            // Bounded: past the limit, start afresh (entries are only seconds old anyway).
            if (cache.Count >= MaxEntries) cache.Clear();
            cache[userId] = (state, now);
        }
        return state;
    }

    /// <summary>After this process changed the user's stamp or roles: the next request reads them again.</summary>
    public void Forget(long userId) => cache.TryRemove(userId, out _);
}
