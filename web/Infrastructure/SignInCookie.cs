using System.Security.Claims;
using Cho40.Db;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cho40.Web.Infrastructure;

/// <summary>What the sign-in cookie carries, and how it is kept in step with the database.</summary>
public static class SignInCookie
{
    private static readonly TimeSpan RoleRefreshInterval = TimeSpan.FromMinutes(1);

    public static ClaimsPrincipal PrincipalFor(UserAccount user, IEnumerable<string> roles)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.DisplayName),
            new(ClaimTypes.MobilePhone, user.Phone),
        };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static long UserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);

    public static long? UserIdOrNull(this ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true ? principal.UserId() : null;

    /// <summary>
    /// Roles change (an admin approves a seller, revokes a manager): every minute the cookie's roles
    /// are re-read, and a locked or deleted account is signed out.
    /// </summary>
    public static async Task RefreshRolesAsync(CookieValidatePrincipalContext context)
    {
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        if (context.Properties.IssuedUtc is { } issued && now - issued < RoleRefreshInterval) return;

        var accounts = context.HttpContext.RequestServices.GetRequiredService<Accounts>();
        var cancellationToken = context.HttpContext.RequestAborted;
        var phone = context.Principal?.FindFirstValue(ClaimTypes.MobilePhone);
        var user = phone is null ? null : await accounts.FindByPhoneAsync(phone, cancellationToken);
        if (user is null || user.LockedUntil > now)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        context.ReplacePrincipal(PrincipalFor(user, await accounts.RolesOfAsync(user.Id, cancellationToken)));
        context.Properties.IssuedUtc = now;
        context.ShouldRenew = true;
    }
}
