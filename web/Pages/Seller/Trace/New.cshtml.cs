using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace Cho40.Web.Pages.Seller.Trace;

/// <summary>A new batch (lot) of one of the seller's products; it gets its public code at once.</summary>
public sealed class NewBatchModel(Db.Trace trace, SellerMemberships memberships, TimeProvider clock, IStringLocalizer<SharedResource> t) : PageModel
{
    public SellerMembership Seller { get; private set; } = null!;
    public IReadOnlyList<TraceProduct> Products { get; private set; } = [];

    [BindProperty]
    public NewBatchInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(long? sellerId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(sellerId, cancellationToken)) return NotFound();
        var today = VietnamTime.DayOf(clock.GetUtcNow());
        Input.ProducedOn = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Input.LotCode = today.ToString("yyMMdd", CultureInfo.InvariantCulture) + "-" + (char)('A' + (clock.GetUtcNow().Second % 26));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? sellerId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(sellerId, cancellationToken)) return NotFound();
        var lot = Input.LotCode?.Trim() ?? "";
        if (!System.Text.RegularExpressions.Regex.IsMatch(lot, "^[A-Za-z0-9.-]{1,20}$"))
            ModelState.AddModelError("Input.LotCode", t["Số lô gồm 1–20 ký tự: chữ không dấu, số, dấu chấm hoặc gạch ngang."]);
        if (!DateOnly.TryParseExact(Input.ProducedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var produced))
            ModelState.AddModelError("Input.ProducedOn", t["Vui lòng nhập ngày sản xuất."]);
        DateOnly? expires = null;
        if (!string.IsNullOrEmpty(Input.ExpiresOn))
        {
            if (DateOnly.TryParseExact(Input.ExpiresOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e) && e >= produced) expires = e;
            else ModelState.AddModelError("Input.ExpiresOn", t["Hạn sử dụng phải sau ngày sản xuất."]);
        }
        var quantity = ParseDecimal(Input.Quantity);
        if (quantity is not (> 0 and < 1_000_000_000)) ModelState.AddModelError("Input.Quantity", t["Số lượng phải lớn hơn 0."]);
        if (!Products.Any(p => p.Id == Input.ProductId)) ModelState.AddModelError("Input.ProductId", t["Vui lòng chọn sản phẩm."]);
        if (!ModelState.IsValid) return Page();

        long? id;
        try
        {
            id = await trace.CreateBatchAsync(User.UserId(), new NewBatch(Input.ProductId, lot, quantity!.Value, Input.Unit.Trim(), produced, expires, Input.Note?.Trim() ?? ""),
                cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            ModelState.AddModelError("Input.LotCode", t["Sản phẩm này đã có lô số {0}.", lot]);
            return Page();
        }
        if (id is null) return NotFound();
        TempData["Message"] = t["Đã tạo lô {0}. Hãy ghi các bước: thu hái, chế biến, đóng gói…", lot].Value;
        return RedirectToPage("/Seller/Trace/Batch", new { id });
    }

    public static decimal? ParseDecimal(string? text) =>
        decimal.TryParse(text?.Trim().Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;

    private async Task<bool> LoadAsync(long? sellerId, CancellationToken cancellationToken)
    {
        var seller = await TraceSeller.CurrentAsync(memberships, User, sellerId, cancellationToken);
        if (seller is null) return false;
        Seller = seller;
        Products = await trace.ProductsAsync(User.UserId(), seller.SellerId, cancellationToken);
        return true;
    }
}

public sealed class NewBatchInput
{
    public long ProductId { get; set; }

    public string? LotCode { get; set; }

    /// <summary>Text, parsed with either "." or "," as the decimal mark (a number input sends ".", people type ",").</summary>
    public string? Quantity { get; set; }

    [Required(ErrorMessage = "Vui lòng nhập đơn vị.")]
    [StringLength(20, ErrorMessage = "Đơn vị tối đa {1} ký tự.")]
    public string Unit { get; set; } = "kg";

    public string? ProducedOn { get; set; }

    public string? ExpiresOn { get; set; }

    [StringLength(2000, ErrorMessage = "Ghi chú tối đa {1} ký tự.")]
    public string? Note { get; set; }
}
