using Cho40.Db;
using Cho40.Db.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Shop;

/// <summary>The order list filters (status, payment method, Vietnam days from/to) shared by the seller's and the admin's lists.</summary>
public abstract class OrderListModel : PageModel
{
    [FromQuery(Name = "status")] public string? Status { get; set; }
    [FromQuery(Name = "payment")] public string? Payment { get; set; }
    [FromQuery(Name = "from")] public DateOnly? From { get; set; }
    [FromQuery(Name = "to")] public DateOnly? To { get; set; }
    [FromQuery(Name = "before")] public long? Before { get; set; }

    public IReadOnlyList<OrderSummary> Items { get; protected set; } = [];

    public const int PageSize = 50;

    /// <summary>Where each order's detail page is.</summary>
    public abstract string DetailPath { get; }

    protected OrderFilter Filter() => new(
        OrderStatus.All.Contains(Status) ? Status : null,
        PaymentMethods.All.Contains(Payment) ? Payment : null,
        From is { } from ? VietnamTime.DayBounds(from).Start : null,
        To is { } to ? VietnamTime.DayBounds(to).End : null,
        Before, PageSize);

    public string? NextPageUrl() => Items.Count < PageSize ? null
        : Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(Request.Path, new Dictionary<string, string?>
        {
            ["status"] = Status, ["payment"] = Payment, ["from"] = From?.ToString("yyyy-MM-dd"),
            ["to"] = To?.ToString("yyyy-MM-dd"), ["before"] = Items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Where(kv => !string.IsNullOrEmpty(kv.Value)));
}
