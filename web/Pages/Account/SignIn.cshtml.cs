using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Account;

/// <summary>
/// Sign-in. Every attempt is counted by the throttle before the password is checked (docs/features/accounts.md); a
/// known and an unknown number cost the same work (one hash verification) and get the same answer.
/// </summary>
public sealed class SignInModel(Accounts accounts, Passwords passwords, SignInThrottle throttle, SignInDevices devices,
    Stalls stalls, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public SignInInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid) return Page();

        var now = time.GetUtcNow();
        var phone = VietnamesePhone.Normalize(Input.Phone);
        var keys = ThrottleKey.For(phone, RateLimits.ClientKey(HttpContext), devices.TrustedDevice(HttpContext, phone));
        var verdict = await throttle.ReserveAsync(keys, now, cancellationToken);
        if (!verdict.Allowed)
        {
            ModelState.AddModelError(string.Empty, TooManyMessage(t, verdict.RetryAt!.Value));
            return Page();
        }

        var user = phone is null ? null : await accounts.FindByPhoneAsync(phone, cancellationToken);
        var result = passwords.Verify(user?.PasswordHash, Input.Password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            ModelState.AddModelError(string.Empty, t["Số điện thoại hoặc mật khẩu không đúng."]);
            return Page();
        }

        await throttle.SucceededAsync(keys, now, cancellationToken);
        var rehash = result == PasswordVerificationResult.SuccessRehashNeeded ? passwords.Hash(Input.Password) : null;
        await accounts.RecordSuccessfulSignInAsync(user.Id, now, rehash, cancellationToken);
        var principal = SignInCookie.PrincipalFor(user, await accounts.RolesOfAsync(user.Id, cancellationToken));
        await SignInCookie.SignInAsync(HttpContext, principal, now);
        devices.Remember(HttpContext, user.Phone);
        // On the way somewhere: go there; otherwise to the person's own work (a bare "/" is no destination).
        if (Url.IsLocalUrl(ReturnUrl) && ReturnUrl != "/") return LocalRedirect(ReturnUrl);
        return LocalRedirect(await Landing.ForAsync(principal, user.Id, stalls, cancellationToken));
    }

    /// <summary>The same words for every throttled attempt: they say when to try again, not whose account it is.</summary>
    public static string TooManyMessage(IStringLocalizer t, DateTimeOffset retryAt) =>
        t["Bạn đã thử sai nhiều lần. Vui lòng thử lại sau {0}.", Formatting.VietnamDateTime(retryAt)];
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
