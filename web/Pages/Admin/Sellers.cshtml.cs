using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin;

public sealed class SellersModel(Sellers sellers, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    private static readonly string[] Statuses = ["pending", "approved", "rejected"];

    [BindProperty(SupportsGet = true)]
    public string Status { get; set; } = "pending";

    public IReadOnlyList<SellerApplication> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (!Statuses.Contains(Status)) Status = "pending";
        Items = await sellers.ListAsync(Status, cancellationToken);
    }

    public Task<IActionResult> OnPostApproveAsync(long sellerId, string? note, CancellationToken cancellationToken) =>
        ReviewAsync(sellerId, approve: true, note, cancellationToken);

    public Task<IActionResult> OnPostRejectAsync(long sellerId, string? note, CancellationToken cancellationToken) =>
        ReviewAsync(sellerId, approve: false, note, cancellationToken);

    private async Task<IActionResult> ReviewAsync(long sellerId, bool approve, string? note, CancellationToken cancellationToken)
    {
        var reviewed = await sellers.ReviewAsync(sellerId, approve, User.UserId(), note?.Trim(), time.GetUtcNow(), cancellationToken);
        TempData["Message"] = reviewed
            ? (approve ? t["Đã duyệt người bán."] : t["Đã từ chối hồ sơ."]).Value
            : t["Hồ sơ này đã được xử lý trước đó."].Value;
        return RedirectToPage(new { status = "pending" });
    }
}
