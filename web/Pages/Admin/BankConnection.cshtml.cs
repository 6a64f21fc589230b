using Cho40.Db;
using Cho40.Jobs.Payments;
using Cho40.Web.Pages.Shop;
using Cho40.Web.Payments.Connections;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin;

/// <summary>"Kết nối ngân hàng" of the platform's collection account (admins only: the /Admin folder's policy).</summary>
public sealed class BankConnectionModel(CollectionAccount collection, BankConnections connections, BankConnectionSetup setup,
    PaymentsOptions options, TimeProvider time, Infrastructure.Cho40Options siteOptions, IStringLocalizer<SharedResource> t)
    : BankConnectionPage(connections, setup, options, time, siteOptions, t)
{
    protected override Task<ConnectionOwner?> OwnerAsync(CancellationToken cancellationToken) =>
        Task.FromResult<ConnectionOwner?>(new ConnectionOwner(null, T["Tài khoản thu của Chợ 4.0"], collection.AccountNumber, null, "/Admin",
            T["Quản trị"]));
}
