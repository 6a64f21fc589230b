using System.Diagnostics;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Db.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// /tra-cuu-don-hang: a guest finds an order again with the phone number given at checkout and the order code. Rate-limited
/// per client address (RateLimits: the credential forms' budget); a pair that does not match gets one answer — the same
/// message, the same redirect, after the same minimum time — whether the code, the phone or neither exists.
/// </summary>
public sealed partial class FindOrderModel(Orders orders, IStringLocalizer<SharedResource> t) : PageModel
{
    /// <summary>Every lookup that reaches the database answers no sooner than this: found or not, known code or not.</summary>
    public static readonly TimeSpan MinimumAnswerTime = TimeSpan.FromMilliseconds(300);

    [BindProperty] public string? Phone { get; set; }
    [BindProperty] public string? Code { get; set; }

    public void OnGet() => Response.Headers.CacheControl = "no-store";

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var phone = VietnamesePhone.Normalize(Phone);
        if (phone is null) ModelState.AddModelError(nameof(Phone), t["Số di động Việt Nam gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."]);
        var code = NormalizeCode(Code);
        if (code is null) ModelState.AddModelError(nameof(Code), t["Mã đơn có dạng DH-7KQ3XM (6 ký tự sau DH-)."]);
        if (!ModelState.IsValid) return Page();

        var started = Stopwatch.GetTimestamp();
        var token = await orders.FindForGuestAsync(code!, phone!, cancellationToken);
        var remaining = MinimumAnswerTime - Stopwatch.GetElapsedTime(started);
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining, cancellationToken);
        if (token is not null) return RedirectToPage("/Shop/Order", new { token });
        TempData["Message"] = t["Không tìm thấy đơn hàng với số điện thoại và mã đơn này. Hãy kiểm tra lại cả hai (mã đơn có trong tin nhắn xác nhận và nội dung chuyển khoản)."].Value;
        return RedirectToPage();
    }

    /// <summary>"dh-7kq3xm", "DH 7KQ3XM", "7kq3xm" → "DH-7KQ3XM"; null when it cannot be an order code.</summary>
    public static string? NormalizeCode(string? input)
    {
        var cleaned = new string((input ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant).ToArray());
        if (cleaned.StartsWith("DH", StringComparison.Ordinal) && cleaned.Length == 8) cleaned = cleaned[2..];
        return CodeBody().IsMatch(cleaned) ? "DH-" + cleaned : null;
    }

    [GeneratedRegex("^[2-9A-HJKMNP-Z]{6}$")]
    private static partial Regex CodeBody();
}
