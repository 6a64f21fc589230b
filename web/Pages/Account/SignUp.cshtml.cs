using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Account;

/// <summary>
/// Anyone can sign up as a shopper; seller, stall and manager roles are granted afterwards. The answer never says
/// whether the number already had an account: a new number and a registered one both go to the sign-in page with the
/// same words (the old account is left as it was), after the same work (the password is hashed either way).
/// </summary>
public sealed class SignUpModel(Accounts accounts, Passwords passwords, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public SignUpInput Input { get; set; } = new();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var phone = VietnamesePhone.Normalize(Input.Phone);
        if (!string.IsNullOrWhiteSpace(Input.Phone) && phone is null)
            ModelState.AddModelError("Input.Phone", t["Số điện thoại di động không hợp lệ (ví dụ 0912 345 678)."]);
        if (PasswordRules.Problem(Input.Password, phone) is { } weak && ModelState["Input.Password"]?.Errors.Count is null or 0)
            ModelState.AddModelError("Input.Password", t[weak]);
        if (!ModelState.IsValid) return Page();

        var hash = passwords.Hash(Input.Password);
        // Null when the number is taken: deliberately not told apart (see the class comment).
        await accounts.CreateAsync(phone!, Input.DisplayName.Trim(), hash, cancellationToken: cancellationToken);
        TempData["Message"] = t["Đã nhận đăng ký. Mời bạn đăng nhập bằng số điện thoại và mật khẩu vừa đặt. Nếu số này đã có tài khoản từ trước, tài khoản đó được giữ nguyên: hãy đăng nhập bằng mật khẩu cũ, hoặc xem mục “Quên mật khẩu”."].Value;
        return RedirectToPage("/Account/SignIn");
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
    [StringLength(PasswordRules.MaxLength, MinimumLength = PasswordRules.MinLength, ErrorMessage = "Mật khẩu cần từ {2} đến {1} ký tự.")]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Vui lòng nhập lại mật khẩu.")]
    [Compare(nameof(Password), ErrorMessage = "Hai mật khẩu không khớp.")]
    public string ConfirmPassword { get; set; } = "";
}
