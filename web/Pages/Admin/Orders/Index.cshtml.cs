using Cho40.Web.Pages.Shop;

namespace Cho40.Web.Pages.Admin.Orders;

/// <summary>/Admin/Orders: every seller's orders, with the same filters as the seller's list.</summary>
public sealed class IndexModel(Db.Orders orders) : OrderListModel
{
    public override string DetailPath => "/Admin/Orders/";

    public async Task OnGetAsync(CancellationToken cancellationToken) => Items = await orders.ListAllAsync(Filter(), cancellationToken);
}
