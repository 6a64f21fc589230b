using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Pages.Stall;
using Cho40.Web.Printing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Market;

/// <summary>
/// A market's sign sheet: which stalls have a linked bank account (and so a sign) and which do not, and one PDF with the
/// sign of every stall that has one, one per page. Managers of that market (market_managers, checked in SQL) and admins;
/// another market's manager gets 404.
/// </summary>
public sealed class SignsModel(Stalls stalls, Banks banks, TimeProvider time) : PageModel
{
    public ManagedMarket Market { get; private set; } = null!;
    public IReadOnlyList<StallDetail> WithAccount { get; private set; } = [];
    public IReadOnlyList<StallDetail> WithoutAccount { get; private set; } = [];
    public Func<string, string> BankName => bin => StallSignData.BankName(banks, bin);

    public async Task<IActionResult> OnGetAsync(long marketId, CancellationToken cancellationToken)
    {
        var market = await FindMarketAsync(marketId, cancellationToken);
        if (market is null) return NotFound();
        Market = market;
        var all = await stalls.InMarketAsync(marketId, cancellationToken);
        WithAccount = all.Where(s => s.BankAccount is not null).ToList();
        WithoutAccount = all.Where(s => s.BankAccount is null).ToList();
        return Page();
    }

    /// <summary>Every sign of the market in one PDF (?paper=A6|A5), one sign per page, in stall-number order.</summary>
    public async Task<IActionResult> OnGetPdfAsync(long marketId, string? paper, CancellationToken cancellationToken)
    {
        var market = await FindMarketAsync(marketId, cancellationToken);
        if (market is null) return NotFound();
        var withAccount = await stalls.WithBankAccountInMarketAsync(marketId, cancellationToken);
        if (withAccount.Count == 0) return NotFound();
        var size = StallSignData.Paper(paper);
        var pdf = StallSigns.Pdf(withAccount.Select(s => StallSignData.Content(s, banks)).ToList(), size);
        await stalls.RecordSignPrintsAsync(withAccount.Select(s => s.Id).ToList(), User.UserId(), time.GetUtcNow(), cancellationToken);
        return File(pdf, "application/pdf", StallSignData.FileName(market.Slug, null, size, "pdf"));
    }

    private Task<ManagedMarket?> FindMarketAsync(long marketId, CancellationToken cancellationToken) =>
        stalls.FindManagedMarketAsync(marketId, User.UserId(), User.IsInRole(Roles.Admin), cancellationToken);
}
