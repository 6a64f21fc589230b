using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments.VietQr;
using Cho40.Web.Printing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Cho40.Db.Domain;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// "Kiểm tra bảng QR": the stallholder scans their printed sign with any QR scanner and pastes the text it reads; the page
/// says which bank and account the code pays and whether that is the stall's own linked account — against stickers pasted
/// over a stall's code. A check, not a change: the form is a GET (nothing is stored).
/// </summary>
public sealed class CheckSignModel(Stalls stalls, Banks banks, IStringLocalizer<SharedResource> t) : PageModel
{
    public const int MaxCodeLength = 1000;

    public StallDetail Stall { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    public string? CodeError { get; private set; }
    public VietQrParseResult? Result { get; private set; }
    public bool Matches { get; private set; }
    public string BankName { get; private set; } = "";
    public string MaskedAccount { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return NotFound();
        Stall = stall;
        if (!Request.Query.ContainsKey(nameof(Code))) return Page(); // the empty form; a blank submission binds as null

        var code = (Code ?? "").Trim();
        if (code.Length == 0)
        {
            CodeError = t["Dán nội dung mã QR mà điện thoại đọc được từ biển."];
            return Page();
        }
        if (code.Length > MaxCodeLength)
        {
            CodeError = t["Nội dung quá dài để là mã VietQR (tối đa {0} ký tự).", MaxCodeLength];
            return Page();
        }
        Result = VietQrPayload.Parse(code);
        if (Result.Value is { } parsed)
        {
            BankName = banks.FindByBin(parsed.Bin)?.ShortName ?? t["Ngân hàng không có trong danh sách (mã BIN {0})", parsed.Bin];
            MaskedAccount = StallSigns.MaskAccount(parsed.AccountNumber);
            Matches = Stall.BankAccount is { } account
                      && parsed.Bin == account.BankBin
                      && parsed.AccountNumber == account.AccountNumber
                      && parsed.Service == StallSignData.ServiceOf(account);
        }
        return Page();
    }
}
