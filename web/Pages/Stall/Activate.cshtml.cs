using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Pages.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// A person sets their own password with a one-time code: a stall owner whose account a digital helper created, or
/// anyone an admin gave a reset code (/Admin/Accounts). Every guess is counted before the code is checked, twice: by
/// the sign-in throttle (per number and client, like a wrong password) and on the code itself, which dies after
/// <see cref="ActivationCodes.MaxAttemptsPerCode"/> guesses — so parallel guesses cannot get past either count.
/// </summary>
public sealed class ActivateModel(ActivationCodes codes, Passwords passwords, SignInThrottle throttle, SessionStamps sessions,
    TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public ActivateInput Input { get; set; } = new();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var phone = VietnamesePhone.Normalize(Input.Phone);
        if (PasswordRules.Problem(Input.Password, phone) is { } weak && ModelState["Input.Password"]?.Errors.Count is null or 0)
            ModelState.AddModelError("Input.Password", t[weak]);
        if (!ModelState.IsValid) return Page();

        var now = time.GetUtcNow();
        var keys = ThrottleKey.For(phone, RateLimits.ClientKey(HttpContext), trustedDevice: null);
        var verdict = await throttle.ReserveAsync(keys, now, cancellationToken);
        if (!verdict.Allowed)
        {
            ModelState.AddModelError(string.Empty, SignInModel.TooManyMessage(t, verdict.RetryAt!.Value));
            return Page();
        }
        var code = phone is null ? null : await codes.TakeAttemptAsync(phone, now, cancellationToken);
        // One hash verification whether or not there is a code to check (no number is told apart by the time it takes).
        if (passwords.Verify(code?.CodeHash, Input.Code.Trim()) == PasswordVerificationResult.Failed
            || !await codes.RedeemAsync(code!.UserId, passwords.Hash(Input.Password), cancellationToken))
        {
            ModelState.AddModelError("Input.Code", t["Số điện thoại hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn hay bị nhập sai quá nhiều lần (khi đó hãy xin mã mới)."]);
            return Page();
        }
        await throttle.SucceededAsync(keys, now, cancellationToken);
        sessions.Forget(code.UserId);
        TempData["Message"] = t["Đã đặt mật khẩu. Mời bạn đăng nhập."].Value;
        return RedirectToPage("/Account/SignIn");
    }
}

public sealed class ActivateInput
{
    [Required(ErrorMessage = "Vui lòng nhập số điện thoại.")]
    public string Phone { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập mã kích hoạt.")]
    public string Code { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập mật khẩu.")]
    [StringLength(PasswordRules.MaxLength, MinimumLength = PasswordRules.MinLength, ErrorMessage = "Mật khẩu cần từ {2} đến {1} ký tự.")]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessage = "Hai mật khẩu không khớp.")]
    public string ConfirmPassword { get; set; } = "";
}
