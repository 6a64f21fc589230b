using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// A browser that signed in to a phone number before carries a "trusted device" cookie for it (protected by the key
/// ring, so nobody can make one). Its attempts on that number are counted apart from everyone else's: when strangers
/// have run the number's shared allowance out, the owner still signs in from her own phone (docs/features/accounts.md).
/// </summary>
public sealed class SignInDevices(IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "c40.dev";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private readonly IDataProtector protector = protection.CreateProtector("Cho40.SignInDevice.v1");

    /// <summary>The device's id when the request carries a valid device cookie for <paramref name="phone"/>; else null.</summary>
    public string? TrustedDevice(HttpContext context, string? phone)
    {
        if (phone is null || context.Request.Cookies[CookieName] is not { Length: > 0 and < 500 } cookie) return null;
        try
        {
            var parts = protector.Unprotect(cookie).Split('|');
            return parts.Length == 2 && parts[0] == phone ? parts[1] : null;
        }
        catch (CryptographicException)
        {
            return null; // forged, damaged or from a retired key: simply not trusted
        }
    }

    /// <summary>After a successful sign-in: this browser is now a trusted device of <paramref name="phone"/> (keeping its id if it had one).</summary>
    public void Remember(HttpContext context, string phone)
    {
        var device = TrustedDevice(context, phone) ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        context.Response.Cookies.Append(CookieName, protector.Protect(phone + "|" + device), new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, IsEssential = true,
            Expires = time.GetUtcNow() + Lifetime, Path = "/",
        });
    }
}
