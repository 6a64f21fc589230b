using System.Security.Claims;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Account;

[Authorize]
public sealed class AccountIndexModel(Accounts accounts, SessionStamps sessions, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public string Phone { get; private set; } = "";
    public IReadOnlyList<string> Roles { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Phone = User.FindFirstValue(ClaimTypes.MobilePhone) ?? "";
        Roles = await accounts.RolesOfAsync(User.UserId(), cancellationToken);
    }

    /// <summary>"Đăng xuất khỏi các thiết bị khác": a new stamp ends every session; this browser gets a cookie with the new one.</summary>
    public async Task<IActionResult> OnPostSignOutOthersAsync(CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        var stamp = await accounts.RenewSecurityStampAsync(userId, cancellationToken);
        sessions.Forget(userId);
        var state = await sessions.GetAsync(userId, cancellationToken);
        if (state is null) return Forbid();
        await SignInCookie.SignInAsync(HttpContext, SignInCookie.PrincipalFor(userId, state.Phone, state.DisplayName, stamp, state.Roles),
            time.GetUtcNow());
        TempData["Message"] = t["Đã đăng xuất tài khoản khỏi mọi thiết bị khác."].Value;
        return RedirectToPage("/Account/Index");
    }
}
