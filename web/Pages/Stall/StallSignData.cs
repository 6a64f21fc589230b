using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Payments.VietQr;
using Cho40.Web.Printing;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// What a stall's printed sign carries, from the stall and its linked bank account: the STATIC VietQR payload (no amount,
/// no purpose: the payer types the amount) and the sign's text. Shared by the stall's sign page, the market sheet and
/// "Kiểm tra bảng QR".
/// </summary>
public static class StallSignData
{
    public static VietQrService ServiceOf(StallBankAccount account) =>
        account.Service == "card" ? VietQrService.Card : VietQrService.Account;

    public static string StaticPayload(StallBankAccount account) =>
        VietQrPayload.Build(new VietQrRequest(account.BankBin, account.AccountNumber, ServiceOf(account)));

    /// <summary>The sign of a stall that has a bank account.</summary>
    public static StallSignContent Content(StallDetail stall, Banks banks)
    {
        var account = stall.BankAccount ?? throw new InvalidOperationException($"Stall {stall.Id} has no bank account.");
        return new StallSignContent(stall.MarketName, stall.StallNumber, stall.Name, BankName(banks, account.BankBin),
            StallSigns.MaskAccount(account.AccountNumber), account.AccountHolder, StaticPayload(account));
    }

    public static string BankName(Banks banks, string bin) => banks.FindByBin(bin)?.ShortName ?? bin;

    /// <summary>The paper asked for in the query (?paper=A5); A6 otherwise.</summary>
    public static SignPaper Paper(string? paper) =>
        string.Equals(paper, "A5", StringComparison.OrdinalIgnoreCase) ? SignPaper.A5 : SignPaper.A6;

    /// <summary>ASCII file name for Content-Disposition: "bang-qr-cho-thai-a01-a6.pdf".</summary>
    public static string FileName(string marketSlug, string? stallNumber, SignPaper paper, string extension)
    {
        var name = stallNumber is null ? $"bang-qr-{marketSlug}" : $"bang-qr-{marketSlug}-{Slug.From(stallNumber)}";
        return $"{Slug.From(name)}-{paper.ToString().ToLowerInvariant()}.{extension}";
    }
}
