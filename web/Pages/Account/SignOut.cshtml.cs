using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Account;

/// <summary>
/// Signing out ends the session for real: the user gets a new security stamp, so this cookie — and any copy of it
/// taken earlier — is refused from now on, on this device and on every other one.
/// </summary>
public sealed class SignOutModel(Accounts accounts, SessionStamps sessions) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (User.UserIdOrNull() is { } userId)
        {
            await accounts.RenewSecurityStampAsync(userId, cancellationToken);
            sessions.Forget(userId);
        }
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return RedirectToPage("/Index");
    }
}
