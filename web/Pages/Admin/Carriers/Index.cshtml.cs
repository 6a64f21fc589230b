using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Carriers;

/// <summary>
/// Carrier accounts whose status webhooks the platform receives: add one (the secret generated, or pasted when the
/// carrier issues it), rotate its secret (the previous one keeps working for 7 days). A secret is shown once, when made.
/// </summary>
public sealed class IndexModel(Shipments shipments, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class AccountInput
    {
        [Required(ErrorMessage = "Hãy chọn đơn vị vận chuyển.")]
        public string? Carrier { get; set; }

        [Required(ErrorMessage = "Hãy đặt tên cho tài khoản (ví dụ: GHN — HTX Chè Tân Cương).")]
        [StringLength(100, MinimumLength = 2, ErrorMessage = "Tên dài từ 2 đến 100 ký tự.")]
        public string? Name { get; set; }

        /// <summary>Empty: one is generated. Viettel Post's TOKEN is the carrier's, pasted here.</summary>
        [StringLength(200, MinimumLength = 16, ErrorMessage = "Khoá dài từ 16 đến 200 ký tự (để trống để hệ thống tạo).")]
        public string? Secret { get; set; }
    }

    [BindProperty]
    public AccountInput Input { get; set; } = new();

    public IReadOnlyList<CarrierAccount> Accounts { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Accounts = await shipments.AccountsAsync(cancellationToken);

    /// <summary>The address (and where the secret goes) to give the carrier.</summary>
    public string WebhookSetup(string carrier, string secret)
    {
        var url = $"{Request.Scheme}://{Request.Host}/api/carrier-notifications/{carrier}";
        return carrier switch
        {
            WebhookCarriers.Ghn => string.Format(t["Địa chỉ webhook cho GHN: {0}"].Value, $"{url}?token={Uri.EscapeDataString(secret)}"),
            WebhookCarriers.Ghtk => string.Format(t["Địa chỉ webhook cho GHTK: {0}"].Value, $"{url}?hash={Uri.EscapeDataString(secret)}"),
            _ => string.Format(t["Địa chỉ webhook cho Viettel Post: {0} — TOKEN: {1}"].Value, url, secret),
        };
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Input.Carrier is not null && !WebhookCarriers.Names.ContainsKey(Input.Carrier))
            ModelState.AddModelError("Input.Carrier", t["Đơn vị vận chuyển không có trong danh sách."]);
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var secret = string.IsNullOrWhiteSpace(Input.Secret) ? Shipments.NewSecret() : Input.Secret.Trim();
        try
        {
            await shipments.CreateAccountAsync(Input.Carrier!, Input.Name!, secret, User.UserId(), time.GetUtcNow(), cancellationToken);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
        {
            ModelState.AddModelError("Input.Name", t["Đã có tài khoản cùng tên của đơn vị vận chuyển này."]);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        TempData["Message"] = t["Đã thêm tài khoản. Khoá chỉ hiện một lần — hãy cấu hình ngay bên đơn vị vận chuyển."].Value + " " + WebhookSetup(Input.Carrier!, secret);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRotateAsync(long id, CancellationToken cancellationToken)
    {
        var account = (await shipments.AccountsAsync(cancellationToken)).FirstOrDefault(a => a.Id == id);
        if (account is null) return NotFound();
        var secret = Shipments.NewSecret();
        await shipments.RotateAsync(id, secret, time.GetUtcNow(), cancellationToken);
        TempData["Message"] = t["Đã đổi khoá. Khoá cũ còn dùng được 7 ngày; khoá mới chỉ hiện một lần."].Value + " " + WebhookSetup(account.Carrier, secret);
        return RedirectToPage();
    }
}
