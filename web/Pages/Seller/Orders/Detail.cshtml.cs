using Cho40.Web.Infrastructure;
using Cho40.Web.Pages.Shop;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Orders;

/// <summary>/Seller/Orders/{id}: one of the member's seller's orders (anyone else's answers 404).</summary>
[Authorize(Policy = Policies.SellerMember)]
public sealed class DetailModel(Db.Orders orders, TimeProvider time, IStringLocalizer<SharedResource> t)
    : OrderHandlingModel(orders, time, t)
{
    protected override bool AsAdmin => false;
}
