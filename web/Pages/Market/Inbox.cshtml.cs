using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Market;

/// <summary>Transfers a person must look at (market managers: their markets' stalls and unmatched ones; admins: all).</summary>
public sealed class InboxModel(Db.Payments payments, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public IReadOnlyList<InboxItem> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Items = await payments.InboxAsync(User.UserId(), User.IsInRole(Roles.Admin), cancellationToken: cancellationToken);

    public async Task<IActionResult> OnPostResolveAsync(long itemId, CancellationToken cancellationToken)
    {
        var done = await payments.ResolveInboxItemAsync(itemId, User.UserId(), User.IsInRole(Roles.Admin), time.GetUtcNow(), cancellationToken);
        if (!done) return NotFound();
        TempData["Message"] = t["Đã đánh dấu đã xử lý."].Value;
        return RedirectToPage("/Market/Inbox");
    }
}
