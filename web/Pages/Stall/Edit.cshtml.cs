using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// Sets a stall up (market, number, name, goods, the bank account its sign pays) or edits one the user keeps.
/// A community digital helper may set a stall up for an elderly owner: the owner's account is found by phone,
/// or created without a usable password plus a one-time activation code the helper hands over
/// (<c>/Stall/Activate</c>). The helper keeps managing the stall either way.
/// </summary>
public sealed partial class EditModel(Stalls stalls, Banks banks, ActivationCodes codes, TimeProvider time,
    Shop.CollectionAccount collection, IStringLocalizer<SharedResource> t) : PageModel
{
    public static readonly TimeSpan ActivationCodeLifetime = TimeSpan.FromDays(7);
    private static readonly PasswordHasher<object> Hasher = new();

    [BindProperty]
    public StallInput Input { get; set; } = new();

    public StallDetail? Existing { get; private set; }
    public bool IsNew => Existing is null;
    public bool IsHelper => User.IsInRole(Roles.DigitalHelper);
    public IReadOnlyList<MarketOption> Markets { get; private set; } = [];
    public IReadOnlyList<Bank> BankOptions => banks.All.Where(b => b.AcceptsVietQr).ToList();

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken cancellationToken)
    {
        if (id is { } stallId)
        {
            Existing = await stalls.FindKeptAsync(stallId, User.UserId(), cancellationToken);
            if (Existing is null) return NotFound();
            Input = new StallInput
            {
                Name = Existing.Name, Goods = Existing.Goods, BankBin = Existing.BankBin, AccountNumber = Existing.AccountNumber,
                Service = Existing.Service ?? "account", AccountHolder = Existing.AccountHolder, VirtualAccount = Existing.VirtualAccount,
            };
        }
        Markets = await stalls.MarketsAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        if (id is { } stallId)
        {
            Existing = await stalls.FindKeptAsync(stallId, userId, cancellationToken);
            if (Existing is null) return NotFound();
        }
        Markets = await stalls.MarketsAsync(cancellationToken);

        var account = ValidateBankAccount();
        string? ownerPhone = null, ownerName = null;
        if (IsNew)
        {
            if (Input.MarketId is null || Markets.All(m => m.Id != Input.MarketId))
                ModelState.AddModelError("Input.MarketId", t["Vui lòng chọn chợ."]);
            Input.StallNumber = (Input.StallNumber ?? "").Trim().ToUpperInvariant();
            if (!StallNumberPattern().IsMatch(Input.StallNumber))
                ModelState.AddModelError("Input.StallNumber", t["Số sạp gồm 1–20 chữ cái không dấu, chữ số hoặc dấu gạch ngang (ví dụ A01)."]);
            if (IsHelper && !string.IsNullOrWhiteSpace(Input.OwnerPhone))
            {
                ownerPhone = VietnamesePhone.Normalize(Input.OwnerPhone);
                if (ownerPhone is null) ModelState.AddModelError("Input.OwnerPhone", t["Số điện thoại di động không hợp lệ (ví dụ 0912 345 678)."]);
                ownerName = Input.OwnerName?.Trim();
                if (string.IsNullOrEmpty(ownerName) || ownerName.Length > 100)
                    ModelState.AddModelError("Input.OwnerName", t["Vui lòng nhập họ tên chủ sạp (tối đa 100 ký tự)."]);
            }
        }
        if (!ModelState.IsValid || account is null) return Page();

        var name = Input.Name.Trim();
        var goods = Input.Goods?.Trim() ?? "";
        if (!IsNew)
        {
            var updated = await stalls.UpdateAsync(Existing!.Id, userId, name, goods, account, cancellationToken);
            if (updated == StallSaveResult.NotFound) return NotFound();
            if (updated == StallSaveResult.VirtualAccountTaken) return VirtualAccountTaken();
            TempData["Message"] = t["Đã lưu sạp. Nếu đã đổi tài khoản, hãy in lại biển QR."].Value;
            return RedirectToPage("/Stall/Index");
        }

        var unusable = Hasher.HashPassword(new object(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var (result, newId, owner) = await stalls.CreateAsync(new NewStall(Input.MarketId!.Value, Input.StallNumber!, name, goods, account),
            userId, ownerPhone, ownerName, unusable, cancellationToken);
        if (result == StallSaveResult.VirtualAccountTaken) return VirtualAccountTaken();
        if (result == StallSaveResult.StallNumberTaken)
        {
            ModelState.AddModelError("Input.StallNumber", t["Chợ này đã có sạp số {0}.", Input.StallNumber!]);
            return Page();
        }
        if (owner is { Created: true })
        {
            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
            await codes.IssueAsync(owner.UserId, Hasher.HashPassword(new object(), code), userId, time.GetUtcNow() + ActivationCodeLifetime, cancellationToken);
            TempData["Message"] = t["Đã đăng ký sạp. Mã kích hoạt cho chủ sạp: {0} (dùng trong 7 ngày tại /Stall/Activate để tự đặt mật khẩu).", code].Value;
        }
        else
        {
            TempData["Message"] = t["Đã đăng ký sạp. Hãy in biển QR cho sạp."].Value;
        }
        return RedirectToPage("/Stall/Screen", new { id = newId });
    }

    /// <summary>Bank from the list, digits only (≤ 19; a card 16–19), holder name upper-case without diacritics.</summary>
    private StallBankAccount? ValidateBankAccount()
    {
        var bank = Input.BankBin is null ? null : banks.FindByBin(Input.BankBin);
        if (bank is null || !bank.AcceptsVietQr) ModelState.AddModelError("Input.BankBin", t["Vui lòng chọn ngân hàng trong danh sách."]);
        var service = Input.Service == "card" ? "card" : "account";
        var number = Regex.Replace(Input.AccountNumber ?? "", @"[\s.\-]", "");
        Input.AccountNumber = number;
        if (number.Length == 0)
            ModelState.AddModelError("Input.AccountNumber", t["Vui lòng nhập số tài khoản hoặc số thẻ."]);
        else if (!number.All(char.IsAsciiDigit) || number.Length > 19)
            ModelState.AddModelError("Input.AccountNumber", t["Số tài khoản chỉ gồm chữ số, tối đa 19 số."]);
        else if (service == "card" && number.Length < 16)
            ModelState.AddModelError("Input.AccountNumber", t["Số thẻ gồm 16 đến 19 chữ số."]);
        // Money credited to the platform's collection account pays shop orders; it can never also be a stall's.
        if (number.Length > 0 && number == collection.AccountNumber)
            ModelState.AddModelError("Input.AccountNumber", t["Đây là tài khoản thu của Chợ 4.0, không dùng làm tài khoản nhận tiền của sạp."]);
        var virtualAccount = Regex.Replace(Input.VirtualAccount ?? "", @"[\s.\-]", "");
        Input.VirtualAccount = virtualAccount;
        if (virtualAccount.Length > 0 && (virtualAccount.Length > 19 || !virtualAccount.All(char.IsAsciiLetterOrDigit)))
            ModelState.AddModelError("Input.VirtualAccount", t["Tài khoản ảo chỉ gồm chữ cái không dấu và chữ số, tối đa 19 ký tự."]);
        else if (virtualAccount.Length > 0 && virtualAccount == collection.AccountNumber)
            ModelState.AddModelError("Input.VirtualAccount", t["Đây là tài khoản thu của Chợ 4.0, không dùng làm tài khoản nhận tiền của sạp."]);
        var holder = NormalizeHolder(Input.AccountHolder);
        Input.AccountHolder = holder;
        if (!HolderPattern().IsMatch(holder))
            ModelState.AddModelError("Input.AccountHolder", t["Tên chủ tài khoản gồm 2–70 chữ cái (viết như trên thẻ, ví dụ LE THI HOA)."]);
        return ModelState.IsValid && bank is not null
            ? new StallBankAccount(bank.Bin, number, service, holder, virtualAccount.Length == 0 ? null : virtualAccount) : null;
    }

    private PageResult VirtualAccountTaken()
    {
        ModelState.AddModelError("Input.VirtualAccount", t["Tài khoản ảo này đã được một sạp khác dùng. Hãy kiểm tra lại với dịch vụ thông báo."]);
        return Page();
    }

    /// <summary>"Lê Thị Hoa " → "LE THI HOA": how banks show a holder's name.</summary>
    public static string NormalizeHolder(string? name) =>
        string.Join(' ', Slug.ToAscii(name ?? "").ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex("^[A-Z0-9-]{1,20}$")]
    private static partial Regex StallNumberPattern();

    [GeneratedRegex(@"^[A-Z0-9 .\-]{2,70}$")]
    private static partial Regex HolderPattern();
}

public sealed class StallInput
{
    public long? MarketId { get; set; }

    public string? StallNumber { get; set; }

    [Required(ErrorMessage = "Vui lòng nhập tên sạp.")]
    [StringLength(100, ErrorMessage = "Tên sạp tối đa {1} ký tự.")]
    public string Name { get; set; } = "";

    [StringLength(300, ErrorMessage = "Mặt hàng tối đa {1} ký tự.")]
    public string? Goods { get; set; }

    public string? BankBin { get; set; }

    public string Service { get; set; } = "account";

    public string? AccountNumber { get; set; }

    public string? AccountHolder { get; set; }

    /// <summary>Optional: the virtual account the stall's bank-notification service reports for its account.</summary>
    public string? VirtualAccount { get; set; }

    public string? OwnerPhone { get; set; }

    public string? OwnerName { get; set; }
}
