using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Account;

public sealed class SignInModel(Accounts accounts, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    private static readonly PasswordHasher<object> Hasher = new();

    [BindProperty]
    public SignInInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid) return Page();

        var phone = VietnamesePhone.Normalize(Input.Phone);
        var user = phone is null ? null : await accounts.FindByPhoneAsync(phone, cancellationToken);
        var now = time.GetUtcNow();

        if (user?.LockedUntil > now)
        {
            ModelState.AddModelError(string.Empty, LockedMessage(user.LockedUntil.Value));
            return Page();
        }

        var verdict = user is null
            ? PasswordVerificationResult.Failed
            : Hasher.VerifyHashedPassword(user, user.PasswordHash, Input.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            if (user is not null && await accounts.RecordFailedSignInAsync(user.Id, now, cancellationToken) is { } lockedUntil && lockedUntil > now)
                ModelState.AddModelError(string.Empty, LockedMessage(lockedUntil));
            else
                ModelState.AddModelError(string.Empty, t["Số điện thoại hoặc mật khẩu không đúng."]);
            return Page();
        }

        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(user, Input.Password) : null;
        await accounts.RecordSuccessfulSignInAsync(user.Id, now, rehash, cancellationToken);
        var roles = await accounts.RolesOfAsync(user.Id, cancellationToken);
        var principal = SignInCookie.PrincipalFor(user, roles);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal,
            new AuthenticationProperties { IsPersistent = true, IssuedUtc = now });
        // A province viewer's work is the province dashboard.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : roles.Contains(Roles.ProvinceViewer) ? "/Province" : "/");
    }

    private string LockedMessage(DateTimeOffset until) =>
        t["Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau {0}.", Formatting.VietnamDateTime(until)];
}

public sealed class SignInInput
{
    [Required(ErrorMessage = "Vui lòng nhập số điện thoại.")]
    [Display(Name = "Số điện thoại")]
    public string Phone { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập mật khẩu.")]
    [Display(Name = "Mật khẩu")]
    public string Password { get; set; } = "";
}
