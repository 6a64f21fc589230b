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

/// <summary>Anyone can sign up as a shopper; seller, stall and manager roles are granted afterwards.</summary>
public sealed class SignUpModel(Accounts accounts, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    private static readonly PasswordHasher<object> Hasher = new();

    [BindProperty]
    public SignUpInput Input { get; set; } = new();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var phone = VietnamesePhone.Normalize(Input.Phone);
        if (!string.IsNullOrWhiteSpace(Input.Phone) && phone is null)
            ModelState.AddModelError("Input.Phone", t["Số điện thoại di động không hợp lệ (ví dụ 0912 345 678)."]);
        if (!ModelState.IsValid) return Page();

        var displayName = Input.DisplayName.Trim();
        var id = await accounts.CreateAsync(phone!, displayName, Hasher.HashPassword(phone!, Input.Password), cancellationToken: cancellationToken);
        if (id is null)
        {
            ModelState.AddModelError("Input.Phone", t["Số điện thoại này đã được đăng ký."]);
            return Page();
        }

        var user = new UserAccount(id.Value, phone!, displayName, "", 0, null);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, SignInCookie.PrincipalFor(user, []),
            new AuthenticationProperties { IsPersistent = true, IssuedUtc = time.GetUtcNow() });
        TempData["Message"] = t["Chào mừng {0}! Tài khoản đã được tạo.", displayName].Value;
        return RedirectToPage("/Account/Index");
    }
}

public sealed class SignUpInput
{
    [Required(ErrorMessage = "Vui lòng nhập họ và tên.")]
    [StringLength(100, ErrorMessage = "Họ và tên tối đa {1} ký tự.")]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập số điện thoại.")]
    public string Phone { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập mật khẩu.")]
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Mật khẩu cần từ {2} đến {1} ký tự.")]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập lại mật khẩu.")]
    [Compare(nameof(Password), ErrorMessage = "Hai mật khẩu không khớp.")]
    public string ConfirmPassword { get; set; } = "";
}
