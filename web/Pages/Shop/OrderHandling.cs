using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// An order's page for the people who handle it: the seller's members (their own seller's orders only —
/// anyone else's id answers 404) or an admin. Each button posts an action; the database checks the
/// transition (no delivering a cancelled order) and records who did it.
/// </summary>
public abstract class OrderHandlingModel(Orders orders, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public OrderDetail? Order { get; private set; }

    protected abstract bool AsAdmin { get; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Order = AsAdmin ? await orders.ForAdminAsync(id, cancellationToken) : await orders.ForMemberAsync(User.UserId(), id, cancellationToken);
        return Order is null ? NotFound() : Page();
    }

    public Task<IActionResult> OnPostConfirmAsync(long id, CancellationToken cancellationToken) =>
        ActAsync(id, OrderAction.Confirm, cancellationToken: cancellationToken);
    public Task<IActionResult> OnPostDeliverAsync(long id, CancellationToken cancellationToken) =>
        ActAsync(id, OrderAction.Deliver, cancellationToken: cancellationToken);
    public Task<IActionResult> OnPostReturnAsync(long id, CancellationToken cancellationToken) =>
        ActAsync(id, OrderAction.Return, cancellationToken: cancellationToken);
    public Task<IActionResult> OnPostCancelAsync(long id, CancellationToken cancellationToken) =>
        ActAsync(id, OrderAction.Cancel, cancellationToken: cancellationToken);

    public async Task<IActionResult> OnPostShipAsync(long id, string? carrier, string? trackingCode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(carrier) || string.IsNullOrWhiteSpace(trackingCode) || carrier.Length > 100 || trackingCode.Length > 60)
        {
            TempData["Message"] = t["Vui lòng nhập đơn vị vận chuyển và mã vận đơn."].Value;
            return Redirect(Request.Path);
        }
        return await ActAsync(id, OrderAction.Ship, carrier, trackingCode, cancellationToken);
    }

    private async Task<IActionResult> ActAsync(long id, OrderAction action, string? carrier = null, string? trackingCode = null,
        CancellationToken cancellationToken = default)
    {
        var result = await orders.TransitionAsync(id, action, User.UserId(), AsAdmin, time.GetUtcNow(), carrier, trackingCode,
            cancellationToken: cancellationToken);
        if (result == TransitionResult.NotFound) return NotFound();
        TempData["Message"] = result == TransitionResult.Done
            ? t["Đã cập nhật đơn hàng."].Value
            : t["Không thể làm việc này ở trạng thái hiện tại của đơn."].Value;
        return Redirect(Request.Path);
    }
}
