using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Web.Printing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// The stall's printable sign ("Biển QR"): a preview and downloads — PDF A6, PDF A5, PNG — of a STATIC VietQR code
/// for the stall's own bank account. Only the stall's owner and the helper who set it up (checked in SQL); others 404.
/// </summary>
public sealed class SignModel(Stalls stalls, Banks banks) : PageModel
{
    public StallDetail Stall { get; private set; } = null!;
    public StallSignContent? Sign { get; private set; }
    public string BankName { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        return Page();
    }

    /// <summary>PDF, one sign on one page (?paper=A6|A5), as a download.</summary>
    public async Task<IActionResult> OnGetPdfAsync(long id, string? paper, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken) || Sign is null) return NotFound();
        var size = StallSignData.Paper(paper);
        return File(StallSigns.Pdf([Sign], size), "application/pdf", StallSignData.FileName(Stall.MarketSlug, Stall.StallNumber, size, "pdf"));
    }

    /// <summary>PNG at 300 dpi as a download, or (?preview=true) a lighter inline image for the page.</summary>
    public async Task<IActionResult> OnGetPngAsync(long id, string? paper, bool preview = false, CancellationToken cancellationToken = default)
    {
        if (!await LoadAsync(id, cancellationToken) || Sign is null) return NotFound();
        var size = StallSignData.Paper(paper);
        if (preview)
        {
            Response.Headers.CacheControl = "private, no-cache";
            return File(StallSigns.Png(Sign, size, dpi: 120), "image/png");
        }
        return File(StallSigns.Png(Sign, size, dpi: 300), "image/png", StallSignData.FileName(Stall.MarketSlug, Stall.StallNumber, size, "png"));
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        if (stall is null) return false;
        Stall = stall;
        if (stall.BankAccount is { } account)
        {
            Sign = StallSignData.Content(stall, banks);
            BankName = StallSignData.BankName(banks, account.BankBin);
        }
        return true;
    }
}
