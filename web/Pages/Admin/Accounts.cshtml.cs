using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin;

/// <summary>
/// "Quên mật khẩu": there is no SMS, so a person who forgot her password shows her papers to an admin, who gives her a
/// one-time code here; she sets a new password with it at /Stall/Activate (the same code machinery as a stall owner's
/// activation: 5 guesses per code, counted by the sign-in throttle, one use). Only the hash is kept.
/// </summary>
public sealed class AccountsModel(Accounts accounts, ActivationCodes codes, Passwords passwords, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public static readonly TimeSpan ResetCodeLifetime = TimeSpan.FromHours(24);

    [BindProperty]
    [Required(ErrorMessage = "Vui lòng nhập số điện thoại.")]
    public string Phone { get; set; } = "";

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid) return Page();
        var phone = VietnamesePhone.Normalize(Phone);
        var user = phone is null ? null : await accounts.FindByPhoneAsync(phone, cancellationToken);
        if (user is null)
        {
            ModelState.AddModelError(nameof(Phone), t["Không có tài khoản nào với số điện thoại này."]);
            return Page();
        }
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        await codes.IssueAsync(user.Id, passwords.Hash(code), User.UserId(), time.GetUtcNow() + ResetCodeLifetime, cancellationToken);
        TempData["Message"] = t["Mã đặt lại mật khẩu cho {0} ({1}): {2}. Đưa tận tay chủ tài khoản; mã dùng một lần trong 24 giờ tại trang “Đặt mật khẩu bằng mã”.",
            user.DisplayName, user.Phone, code].Value;
        return RedirectToPage();
    }
}
