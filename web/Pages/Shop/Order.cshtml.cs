using Cho40.Db;
using Cho40.Web.Payments.VietQr;
using Cho40.Web.Payments.Connections;
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

/// <summary>
/// /don-hang/{token}: the shopper's order page; the token in the link is the key (128 random bits). A transfer order
/// shows the VietQR of the collection account — or, when the collection account is on payOS, its payOS payment link (QR
/// and checkout page) once the job has made it: "being prepared" until then (the page reloads itself), and the plain
/// transfer details if payOS could not make one.
/// </summary>
public sealed class OrderModel(Orders orders, CollectionAccount account, Banks banks, PayOsCheckout payOs, PayOsLinks links,
    Jobs.Payments.PaymentsOptions paymentOptions, Infrastructure.Cho40Options siteOptions) : PageModel
{
    public OrderDetail? Order { get; private set; }
    public TransferInstructions? Transfer { get; private set; }

    /// <summary>The order's payOS link (null: the collection account is not on payOS, or the order is not an unpaid transfer).</summary>
    public PayOsLink? PayOsLink { get; private set; }

    public long TransferWarningVnd => paymentOptions.TransferWarningVnd;

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        Order = await orders.ByTokenAsync(token, cancellationToken);
        if (Order is null) return NotFound();
        Transfer = TransferInstructions.For(Order, account, banks,
            Payload(Order) is null ? null : $"/don-hang/{Uri.EscapeDataString(token)}?handler=VietQr");
        if (Payload(Order) is not null && await payOs.PlatformPayOsAsync(cancellationToken) is { } payos)
        {
            PayOsLink = await links.FindAsync(Order.Id, cancellationToken);
            if (PayOsLink is null)
            {
                // Checkout's request was lost (or the collection account moved to payOS since): ask again.
                await payOs.RequestAsync(payos, Order.Id, Order.Code, Order.AccessToken, Order.TotalVnd, Infrastructure.PublicBaseUrl.Of(Request, siteOptions),
                    cancellationToken);
                PayOsLink = await links.FindAsync(Order.Id, cancellationToken);
            }
        }
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    /// <summary>The QR of the order's payOS link (payOS's own VietQR text, drawn here).</summary>
    public async Task<IActionResult> OnGetPayOsQrAsync(string token, CancellationToken cancellationToken)
    {
        var order = await orders.ByTokenAsync(token, cancellationToken);
        if (order is null || Payload(order) is null) return NotFound();
        var link = await links.FindAsync(order.Id, cancellationToken);
        if (link is not { Status: "created", QrCode: { } qr } || !VietQrPayload.Parse(qr).IsValid) return NotFound();
        Response.Headers.CacheControl = "private, max-age=300";
        return File(VietQrImage.PngWithin(qr, 480), "image/png");
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
