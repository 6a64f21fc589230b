using Cho40.Web.Infrastructure;
using Cho40.Web.Pages.Shop;
using Microsoft.AspNetCore.Authorization;

namespace Cho40.Web.Pages.Seller.Orders;

/// <summary>/Seller/Orders: the orders of every seller the signed-in member acts for.</summary>
[Authorize(Policy = Policies.SellerMember)]
public sealed class IndexModel(Db.Orders orders) : OrderListModel
{
    public override string DetailPath => "/Seller/Orders/";

    public async Task OnGetAsync(CancellationToken cancellationToken) => Items = await orders.ListForMemberAsync(User.UserId(), Filter(), cancellationToken);
}
