using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Settlement;

/// <summary>Where a seller is paid: bank (by BIN), account number, account holder. Members of the seller only (404 otherwise).</summary>
public sealed class AccountModel(Db.Settlement settlement, SellerMemberships memberships, Banks banks, TimeProvider time,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class AccountInput
    {
        [Required(ErrorMessage = "Hãy chọn ngân hàng.")]
        public string? BankBin { get; set; }

        [Required(ErrorMessage = "Nhập số tài khoản.")]
        [RegularExpression("^[0-9A-Za-z]{4,19}$", ErrorMessage = "Số tài khoản gồm 4–19 chữ số hoặc chữ cái, không dấu cách.")]
        public string? AccountNumber { get; set; }

        [Required(ErrorMessage = "Nhập tên chủ tài khoản.")]
        [StringLength(100, MinimumLength = 2, ErrorMessage = "Tên chủ tài khoản dài từ 2 đến 100 ký tự.")]
        public string? AccountName { get; set; }
    }

    [BindProperty]
    public AccountInput Input { get; set; } = new();

    public IReadOnlyList<Bank> Banks => banks.All;

    public async Task<IActionResult> OnGetAsync(long sellerId, CancellationToken cancellationToken)
    {
        if (!await memberships.CanActForAsync(User.UserId(), sellerId, cancellationToken)) return NotFound();
        if (await settlement.PayoutAccountAsync(sellerId, cancellationToken) is { } a)
            Input = new AccountInput { BankBin = a.BankBin, AccountNumber = a.AccountNumber, AccountName = a.AccountName };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long sellerId, CancellationToken cancellationToken)
    {
        if (!await memberships.CanActForAsync(User.UserId(), sellerId, cancellationToken)) return NotFound();
        if (Input.BankBin is not null && banks.FindByBin(Input.BankBin) is null)
            ModelState.AddModelError("Input.BankBin", t["Ngân hàng không có trong danh sách."]);
        if (!ModelState.IsValid) return Page();
        await settlement.SavePayoutAccountAsync(sellerId,
            new PayoutAccount(Input.BankBin!, Input.AccountNumber!.Trim(), Input.AccountName!.Trim()), time.GetUtcNow(), cancellationToken);
        TempData["Message"] = t["Đã lưu tài khoản nhận tiền."].Value;
        return RedirectToPage("Index");
    }
}
