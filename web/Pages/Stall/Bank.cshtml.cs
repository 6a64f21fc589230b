using Cho40.Db;
using Cho40.Jobs.Payments;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments.Connections;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// "Kết nối ngân hàng" of a stall (<c>/Stall/{id}/Bank</c>): the stallholder, or the helper who set the stall up, connects
/// the service that watches the stall's own bank account. Anyone else gets 404 (checked in SQL: Stalls.FindKeptAsync).
/// </summary>
public sealed class BankModel(Stalls stalls, BankConnections connections, BankConnectionSetup setup, PaymentsOptions options, TimeProvider time,
    Cho40Options siteOptions, IStringLocalizer<SharedResource> t)
    : BankConnectionPage(connections, setup, options, time, siteOptions, t)
{
    public StallDetail? Stall { get; private set; }

    protected override async Task<ConnectionOwner?> OwnerAsync(CancellationToken cancellationToken)
    {
        if (!long.TryParse(RouteData.Values["id"]?.ToString(), out var id)) return null;
        Stall = await stalls.FindKeptAsync(id, User.UserId(), cancellationToken);
        return Stall is null ? null : new ConnectionOwner(Stall.Id, T["Sạp {0} · {1}", Stall.StallNumber, Stall.Name], Stall.AccountNumber ?? "",
            Stall.VirtualAccount, "/Stall", T["Sạp của tôi"]);
    }
}
