using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Account;

/// <summary>"Đơn hàng của tôi": the orders a signed-in shopper placed, each linking to its order page.</summary>
[Authorize]
public sealed class OrdersModel(Orders orders) : PageModel
{
    public IReadOnlyList<OrderSummary> Orders { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Orders = await orders.ListForCustomerAsync(User.UserId(), cancellationToken: cancellationToken);
}
