using Cho40.Db;
using Cho40.Web.Payments.VietQr;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Cho40.Db.Domain;

namespace Cho40.Web.Pages.Shop;

/// <summary>What a transfer order's page shows: the platform's collection account, the exact amount and the order code.</summary>
public sealed record TransferInstructions(string OrderCode, string BankName, string AccountNumber, string AccountName, long AmountVnd,
    string Purpose, string? QrImageUrl, DateTimeOffset? ReservedUntil = null)
{
    /// <summary>The transfer purpose: the order code, which the payment matcher looks for (≤ 25 ASCII characters).</summary>
    public static string PurposeFor(string orderCode) => "Cho40 " + orderCode;

    /// <summary>The order's reservation (orders.reserved_until, set at checkout) is shown as "Đơn được giữ đến …".</summary>
    public static TransferInstructions For(OrderDetail order, CollectionAccount account, Banks banks, string? qrImageUrl) =>
        new(order.Code, banks.FindByBin(account.Bin) is { } bank ? $"{bank.ShortName} — {bank.Name}" : account.Bin, account.AccountNumber,
            account.AccountName, order.TotalVnd, PurposeFor(order.Code), qrImageUrl, order.ReservedUntil);
}

/// <summary>/don-hang/{token}: the shopper's order page; the token in the link is the key (128 random bits).</summary>
public sealed class OrderModel(Orders orders, CollectionAccount account, Banks banks) : PageModel
{
    public OrderDetail? Order { get; private set; }
    public TransferInstructions? Transfer { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        Order = await orders.ByTokenAsync(token, cancellationToken);
        if (Order is null) return NotFound();
        Transfer = TransferInstructions.For(Order, account, banks,
            Payload(Order) is null ? null : $"/don-hang/{Uri.EscapeDataString(token)}?handler=VietQr");
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    /// <summary>The dynamic VietQR (PNG) of an unpaid transfer order: collection account, exact amount, order code in the purpose.</summary>
    public async Task<IActionResult> OnGetVietQrAsync(string token, bool download, CancellationToken cancellationToken)
    {
        var order = await orders.ByTokenAsync(token, cancellationToken);
        if (order is null || Payload(order) is not string payload) return NotFound();
        Response.Headers.CacheControl = "private, max-age=300";
        // "Lưu mã QR": the same image as an attachment, so a phone saves it where the bank app can open it.
        return download ? File(VietQrImage.PngWithin(payload, 480), "image/png", $"cho40-{order.Code}.png")
            : File(VietQrImage.PngWithin(payload, 480), "image/png");
    }

    private string? Payload(OrderDetail order)
    {
        if (order.PaymentMethod != PaymentMethods.Transfer || order.PaymentStatus == "paid" || order.Status == OrderStatus.Cancelled) return null;
        try
        {
            return VietQrPayload.Build(new VietQrRequest(account.Bin, account.AccountNumber, VietQrService.Account, order.TotalVnd,
                TransferInstructions.PurposeFor(order.Code)));
        }
        catch (VietQrException)
        {
            return null; // e.g. above the NAPAS single-transfer cap: the account details are still shown as text
        }
    }
}
