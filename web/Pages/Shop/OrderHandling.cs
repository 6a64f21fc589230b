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
    /// <summary>Cancelling needs a reason (one of <see cref="CancelReasons"/>; "other" needs a note): it is shown to the shopper.</summary>
    public async Task<IActionResult> OnPostCancelAsync(long id, string? reason, string? note, CancellationToken cancellationToken)
    {
        // Whose order it is comes first: another seller's id answers 404 whatever was (not) filled in.
        if ((AsAdmin ? await orders.ForAdminAsync(id, cancellationToken) : await orders.ForMemberAsync(User.UserId(), id, cancellationToken)) is null)
            return NotFound();
        note = note?.Trim() ?? "";
        if (reason is null || !CancelReasons.All.Contains(reason) || (reason == CancelReasons.Other && note.Length == 0) || note.Length > 300)
        {
            TempData["Message"] = t["Chưa hủy đơn: hãy chọn lý do hủy (và ghi chú nếu chọn “Lý do khác”, tối đa 300 ký tự)."].Value;
            return Redirect(Request.Path);
        }
        // Stored in Vietnamese, the language of the record (the shopper's page shows it as written).
        var detail = "Lý do: " + CancelReasons.Vietnamese[reason] + (note.Length > 0 ? " — " + note : "");
        return await ActAsync(id, OrderAction.Cancel, note: detail, cancellationToken: cancellationToken);
    }

    public async Task<IActionResult> OnPostShipAsync(long id, string? carrier, string? trackingCode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(carrier) || string.IsNullOrWhiteSpace(trackingCode) || carrier.Length > 100 || trackingCode.Length > 60)
        {
            TempData["Message"] = t["Vui lòng nhập đơn vị vận chuyển và mã vận đơn."].Value;
            return Redirect(Request.Path);
        }
        return await ActAsync(id, OrderAction.Ship, carrier, trackingCode, cancellationToken: cancellationToken);
    }

    private async Task<IActionResult> ActAsync(long id, OrderAction action, string? carrier = null, string? trackingCode = null,
        string? note = null, CancellationToken cancellationToken = default)
    {
        var result = await orders.TransitionAsync(id, action, User.UserId(), AsAdmin, time.GetUtcNow(), carrier, trackingCode, note,
            cancellationToken: cancellationToken);
        if (result == TransitionResult.NotFound) return NotFound();
        TempData["Message"] = result == TransitionResult.Done
            ? t["Đã cập nhật đơn hàng."].Value
            : t["Không thể làm việc này ở trạng thái hiện tại của đơn."].Value;
        return Redirect(Request.Path);
    }
}

/// <summary>Why a seller or an admin cancels an order (shown to the shopper in the order's history).</summary>
public static class CancelReasons
{
    public const string OutOfStock = "out-of-stock";
    public const string ShopperAsked = "shopper-asked";
    public const string Unreachable = "unreachable";
    public const string BadAddress = "bad-address";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [OutOfStock, ShopperAsked, Unreachable, BadAddress, Other];

    public static readonly IReadOnlyDictionary<string, string> Vietnamese = new Dictionary<string, string>
    {
        [OutOfStock] = "Hết hàng", [ShopperAsked] = "Người mua yêu cầu hủy", [Unreachable] = "Không liên lạc được người mua",
        [BadAddress] = "Không giao được đến địa chỉ này", [Other] = "Lý do khác",
    };
}
