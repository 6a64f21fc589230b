using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Shop;

/// <summary>/don-hang/nhom/{token}: the orders one checkout became (one per seller).</summary>
public sealed class OrderGroupModel(Orders orders) : PageModel
{
    public IReadOnlyList<OrderSummary> Orders { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        var group = await orders.GroupAsync(token, cancellationToken);
        if (group is null) return NotFound();
        Orders = group;
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
