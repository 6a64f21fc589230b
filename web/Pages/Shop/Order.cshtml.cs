using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Shop;

/// <summary>What a transfer order's page shows: the platform's collection account, the exact amount and the order code.</summary>
public sealed record TransferInstructions(string OrderCode, string BankName, string AccountNumber, string AccountName, long AmountVnd,
    string Purpose, string? QrImageUrl)
{
    /// <summary>The transfer purpose: the order code, which the payment matcher looks for (≤ 25 ASCII characters).</summary>
    public static string PurposeFor(string orderCode) => "Cho40 " + orderCode;

    public static TransferInstructions For(OrderDetail order, CollectionAccount account, Banks banks, string? qrImageUrl) =>
        new(order.Code, banks.FindByBin(account.Bin)?.ShortName ?? account.Bin, account.AccountNumber, account.AccountName,
            order.TotalVnd, PurposeFor(order.Code), qrImageUrl);
}

/// <summary>/don-hang/{token}: the shopper's order page; the token in the link is the key (128 random bits).</summary>
public sealed class OrderModel(Orders orders, CollectionAccount account, Banks banks) : PageModel
{
    public OrderDetail? Order { get; private set; }
    public TransferInstructions? Transfer { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token)
    {
        Order = await orders.ByTokenAsync(token);
        if (Order is null) return NotFound();
        // The VietQR image comes with the vietqr branch's encoder (VietQrPayload / VietQrImage).
        Transfer = TransferInstructions.For(Order, account, banks, qrImageUrl: null);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
