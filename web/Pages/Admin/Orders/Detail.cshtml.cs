using Cho40.Web.Pages.Shop;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Orders;

/// <summary>/Admin/Orders/{id}: any order; an admin can act on it too (recorded as the admin).</summary>
public sealed class DetailModel(Db.Orders orders, TimeProvider time, IStringLocalizer<SharedResource> t)
    : OrderHandlingModel(orders, time, t)
{
    protected override bool AsAdmin => true;
}
