using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// A stall owner whose account a digital helper created sets their own password with the one-time code.
/// Wrong codes count as failed sign-ins (the account locks after five), so the code cannot be guessed.
/// </summary>
public sealed class ActivateModel(ActivationCodes codes, Accounts accounts, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    private static readonly PasswordHasher<object> Hasher = new();

    [BindProperty]
    public ActivateInput Input { get; set; } = new();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid) return Page();
        var now = time.GetUtcNow();
        var phone = VietnamesePhone.Normalize(Input.Phone);
        var user = phone is null ? null : await accounts.FindByPhoneAsync(phone, cancellationToken);
        if (user?.LockedUntil > now)
        {
            ModelState.AddModelError(string.Empty, t["Tài khoản tạm khoá do nhập sai nhiều lần. Vui lòng thử lại sau."]);
            return Page();
        }
        var code = phone is null ? null : await codes.FindAsync(phone, now, cancellationToken);
        if (user is null || code is null ||
            Hasher.VerifyHashedPassword(new object(), code.CodeHash, Input.Code.Trim()) == PasswordVerificationResult.Failed)
        {
            if (user is not null) await accounts.RecordFailedSignInAsync(user.Id, now, cancellationToken);
            ModelState.AddModelError("Input.Code", t["Số điện thoại hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn."]);
            return Page();
        }
        if (!await codes.RedeemAsync(code.UserId, Hasher.HashPassword(phone!, Input.Password), cancellationToken))
        {
            ModelState.AddModelError("Input.Code", t["Số điện thoại hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn."]);
            return Page();
        }
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
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Mật khẩu cần từ {2} đến {1} ký tự.")]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessage = "Hai mật khẩu không khớp.")]
    public string ConfirmPassword { get; set; } = "";
}
