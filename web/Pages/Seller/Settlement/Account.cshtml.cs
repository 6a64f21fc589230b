using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Settlement;

/// <summary>Where a seller is paid: bank (by BIN), account number, account holder. Members of the seller only (404 otherwise).</summary>
public sealed partial class AccountModel(Db.Settlement settlement, SellerMemberships memberships, Banks banks, TimeProvider time,
    Shop.CollectionAccount collection, IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class AccountInput
    {
        [Required(ErrorMessage = "Hãy chọn ngân hàng.")]
        public string? BankBin { get; set; }

        public string? AccountNumber { get; set; }

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
        // Validated like the stall form: a bank of the list, digits only (spaces, dots and dashes dropped), the holder
        // written as banks write it (upper case, no diacritics) — a payout to a misspelt holder is refused by the bank.
        if (Input.BankBin is not null && banks.FindByBin(Input.BankBin) is null)
            ModelState.AddModelError("Input.BankBin", t["Ngân hàng không có trong danh sách."]);
        var number = Regex.Replace(Input.AccountNumber ?? "", @"[\s.\-]", "");
        Input.AccountNumber = number;
        if (number.Length == 0)
            ModelState.AddModelError("Input.AccountNumber", t["Nhập số tài khoản."]);
        else if (!number.All(char.IsAsciiDigit) || number.Length is < 4 or > 19)
            ModelState.AddModelError("Input.AccountNumber", t["Số tài khoản gồm 4–19 chữ số."]);
        else if (number == collection.AccountNumber)
            ModelState.AddModelError("Input.AccountNumber", t["Đây là tài khoản thu của Chợ 4.0, không dùng làm tài khoản nhận tiền."]);
        var holder = Stall.EditModel.NormalizeHolder(Input.AccountName);
        Input.AccountName = holder;
        if (!HolderPattern().IsMatch(holder))
            ModelState.AddModelError("Input.AccountName", t["Tên chủ tài khoản gồm 2–70 chữ cái (viết như trên thẻ, ví dụ LE THI HOA)."]);
        if (!ModelState.IsValid) return Page();
        await settlement.SavePayoutAccountAsync(sellerId, new PayoutAccount(Input.BankBin!, number, holder), time.GetUtcNow(), cancellationToken);
        TempData["Message"] = t["Đã lưu tài khoản nhận tiền."].Value;
        return RedirectToPage("Index");
    }

    [GeneratedRegex(@"^[A-Z0-9 .\-]{2,70}$")]
    private static partial Regex HolderPattern();
}
