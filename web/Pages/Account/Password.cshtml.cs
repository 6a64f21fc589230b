using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Account;

/// <summary>
/// "Đổi mật khẩu": the current password (counted by the sign-in throttle like any guess), a new one that passes the
/// same rules as at sign-up. The new password gets a new security stamp: every other device is signed out, this one
/// is signed in again with the new stamp.
/// </summary>
[Authorize]
public sealed class PasswordModel(Accounts accounts, Passwords passwords, SignInThrottle throttle, SignInDevices devices,
    SessionStamps sessions, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public ChangePasswordInput Input { get; set; } = new();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var phone = User.FindFirstValue(ClaimTypes.MobilePhone);
        if (PasswordRules.Problem(Input.NewPassword, phone) is { } weak && ModelState["Input.NewPassword"]?.Errors.Count is null or 0)
            ModelState.AddModelError("Input.NewPassword", t[weak]);
        if (Input.NewPassword.Length > 0 && Input.NewPassword == Input.CurrentPassword)
            ModelState.AddModelError("Input.NewPassword", t["Mật khẩu mới phải khác mật khẩu đang dùng."]);
        if (!ModelState.IsValid) return Page();

        var now = time.GetUtcNow();
        var keys = ThrottleKey.For(phone, RateLimits.ClientKey(HttpContext), devices.TrustedDevice(HttpContext, phone));
        var verdict = await throttle.ReserveAsync(keys, now, cancellationToken);
        if (!verdict.Allowed)
        {
            ModelState.AddModelError(string.Empty, SignInModel.TooManyMessage(t, verdict.RetryAt!.Value));
            return Page();
        }
        var user = await accounts.FindByIdAsync(User.UserId(), cancellationToken);
        if (user is null) return Forbid();
        if (passwords.Verify(user.PasswordHash, Input.CurrentPassword) == PasswordVerificationResult.Failed)
        {
            ModelState.AddModelError("Input.CurrentPassword", t["Mật khẩu đang dùng không đúng."]);
            return Page();
        }
        await throttle.SucceededAsync(keys, now, cancellationToken);

        var stamp = await accounts.ChangePasswordAsync(user.Id, passwords.Hash(Input.NewPassword), cancellationToken);
        sessions.Forget(user.Id);
        await SignInCookie.SignInAsync(HttpContext,
            SignInCookie.PrincipalFor(user.Id, user.Phone, user.DisplayName, stamp, await accounts.RolesOfAsync(user.Id, cancellationToken)), now);
        TempData["Message"] = t["Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất."].Value;
        return RedirectToPage("/Account/Index");
    }
}

public sealed class ChangePasswordInput
{
    [Required(ErrorMessage = "Vui lòng nhập mật khẩu đang dùng.")]
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập mật khẩu mới.")]
    [StringLength(PasswordRules.MaxLength, MinimumLength = PasswordRules.MinLength, ErrorMessage = "Mật khẩu cần từ {2} đến {1} ký tự.")]
    public string NewPassword { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập lại mật khẩu mới.")]
    [Compare(nameof(NewPassword), ErrorMessage = "Hai mật khẩu không khớp.")]
    public string ConfirmPassword { get; set; } = "";
}
