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
public sealed class SignModel(Stalls stalls, Banks banks, TimeProvider time, Cho40Options options) : PageModel
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
        var pdf = StallSigns.Pdf([Sign], size);
        await stalls.RecordSignPrintsAsync([Stall.Id], User.UserId(), time.GetUtcNow(), cancellationToken);
        return File(pdf, "application/pdf", StallSignData.FileName(Stall.MarketSlug, Stall.StallNumber, size, "pdf"));
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
        var png = StallSigns.Png(Sign, size, dpi: 300);
        await stalls.RecordSignPrintsAsync([Stall.Id], User.UserId(), time.GetUtcNow(), cancellationToken);
        return File(png, "image/png", StallSignData.FileName(Stall.MarketSlug, Stall.StallNumber, size, "png"));
    }

    /// <summary>
    /// The stallholder's one-page A4 guide, printed by the helper who set the stall up: the stall's own sign QR and the three
    /// steps in large type (show the sign, Thu tiền, read the day), with how to sign in.
    /// </summary>
    public async Task<IActionResult> OnGetGuideAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken) || Sign is null) return NotFound();
        // Printed, so the configured public address (Cho40:PublicBaseUrl), as on trace labels.
        var site = PublicBaseUrl.Of(Request, options);
        var pdf = StallGuide.Pdf(new StallGuideContent(Sign, Stall.OwnerName ?? "", Stall.OwnerPhone ?? "", site, User.Identity?.Name ?? ""));
        return File(pdf, "application/pdf", StallSignData.FileName(Stall.MarketSlug, Stall.StallNumber, SignPaper.A6, "pdf").Replace("bang-qr", "huong-dan", StringComparison.Ordinal).Replace("-a6", "-a4", StringComparison.Ordinal));
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
