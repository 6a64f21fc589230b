using System.ComponentModel.DataAnnotations;
using Cho40.Web.Payments.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin;

/// <summary>"Giả lập chuyển khoản": a provider-format body signed with the configured secret, through PaymentIntake.</summary>
public sealed class SimulateTransferModel(PaymentIntake intake, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public SimulateInput Input { get; set; } = new();

    public IReadOnlyList<string> Providers =>
        intake.Providers.Select(p => p.Name).Where(n => intake.SecretOf(n) is not null).Order().ToList();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var account = new string((Input.AccountNumber ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (account.Length is 0 or > 19 || !account.All(char.IsAsciiDigit))
            ModelState.AddModelError("Input.AccountNumber", t["Số tài khoản chỉ gồm chữ số, tối đa 19 số."]);
        var amount = Infrastructure.MoneyInput.Read(Input.Amount, Db.Domain.MoneyField.StallPayment, t, out var amountError);
        if (amount is null) ModelState.AddModelError("Input.Amount", amountError!);
        if (!Providers.Contains(Input.Provider))
            ModelState.AddModelError("Input.Provider", t["Nhà cung cấp này chưa được cấu hình khoá bí mật."]);
        if (!ModelState.IsValid) return Page();

        var id = string.IsNullOrWhiteSpace(Input.TransactionId)
            ? time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Input.TransactionId.Trim();
        var result = await intake.SimulateAsync(Input.Provider, new SimulatedTransfer(id, account, amount!.Value, Input.Content ?? "", time.GetUtcNow()),
            cancellationToken);
        TempData["Message"] = result.Status == IntakeStatus.Accepted
            ? t["Đã gửi giao dịch {0}: {1} mới, {2} trùng.", id, result.NewTransfers, result.Duplicates].Value
            : t["Không nhận: {0}.", result.Status.ToString()].Value;
        return RedirectToPage("/Admin/SimulateTransfer");
    }
}

public sealed class SimulateInput
{
    public string Provider { get; set; } = "sepay";

    public string? AccountNumber { get; set; }

    public string? Amount { get; set; } = "50.000";

    [StringLength(200, ErrorMessage = "Nội dung tối đa {1} ký tự.")]
    public string? Content { get; set; }

    public string? TransactionId { get; set; }
}
