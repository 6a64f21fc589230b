using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Catalog;
using Cho40.Web.Infrastructure;
using Cho40.Web.Printing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Market;

/// <summary>
/// A market's public details as its manager edits them (name, address in 2025 units, opening hours, description in
/// Vietnamese and English, photo) and its gate poster (PDF, A4 or A3). Managers of that market and admins; anyone else
/// gets 404 from every handler.
/// </summary>
[RequestSizeLimit(ProductPhotos.MaxBytes + 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = ProductPhotos.MaxBytes + 1024 * 1024)]
public sealed class DetailsModel(Stalls stalls, MarketPages markets, MarketDetails details, AdminUnits units, TimeProvider time,
    Cho40Options options, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public MarketDetailsInput Input { get; set; } = new();

    public PublicMarket Market { get; private set; } = null!;
    public AddressPicker Address { get; private set; } = null!;
    public string PublicUrl { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long marketId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(marketId, cancellationToken) is { } notFound) return notFound;
        var m = Market;
        Input = new MarketDetailsInput
        {
            Name = m.Name, ProvinceCode = m.ProvinceCode, CommuneCode = m.CommuneCode, AddressLine = m.AddressLine,
            OpensAt = m.OpensAt, ClosesAt = m.ClosesAt, HoursNote = m.HoursNote, HoursNoteEn = m.HoursNoteEn,
            Description = m.Description, DescriptionEn = m.DescriptionEn,
        };
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, cancellationToken: cancellationToken);
        return Page();
    }

    /// <summary>The "Chọn" button of the address picker: the same form again with the chosen province's communes.</summary>
    public async Task<IActionResult> OnPostProvinceAsync(long marketId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(marketId, cancellationToken) is { } notFound) return notFound;
        ModelState.Clear();
        Input.CommuneCode = null;
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, null, cancellationToken: cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long marketId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(marketId, cancellationToken) is { } notFound) return notFound;
        string? provinceError = null, communeError = null;
        if (string.IsNullOrEmpty(Input.ProvinceCode) || !(await units.ProvincesAsync(cancellationToken)).Any(p => p.Code == Input.ProvinceCode))
            provinceError = t["Vui lòng chọn tỉnh / thành phố."];
        else if (!string.IsNullOrEmpty(Input.CommuneCode) && !await units.CommuneBelongsToAsync(Input.CommuneCode, Input.ProvinceCode, cancellationToken))
            communeError = t["Xã / phường không thuộc tỉnh đã chọn."];
        if (provinceError is not null) ModelState.AddModelError("Input.ProvinceCode", provinceError);
        if (communeError is not null) ModelState.AddModelError("Input.CommuneCode", communeError);
        if (!MarketHours.TryParse(Input.OpensAt, out var opens)) ModelState.AddModelError("Input.OpensAt", t[MarketHours.Error]);
        if (!MarketHours.TryParse(Input.ClosesAt, out var closes)) ModelState.AddModelError("Input.ClosesAt", t[MarketHours.Error]);
        if (ModelState.IsValid && (opens is null) != (closes is null))
            ModelState.AddModelError(opens is null ? "Input.OpensAt" : "Input.ClosesAt", t["Nhập cả giờ mở và giờ đóng cửa, hoặc bỏ trống cả hai."]);
        if (ModelState.IsValid && opens is not null && opens == closes)
            ModelState.AddModelError("Input.ClosesAt", t["Giờ đóng cửa phải khác giờ mở cửa."]);
        if (!ModelState.IsValid)
        {
            Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, provinceError, communeError, cancellationToken);
            return Page();
        }
        var change = new MarketDetailsChange(Input.Name.Trim(), Input.ProvinceCode!, string.IsNullOrEmpty(Input.CommuneCode) ? null : Input.CommuneCode,
            Clean(Input.AddressLine), Clean(Input.Description), Clean(Input.DescriptionEn), opens, closes, Clean(Input.HoursNote), Clean(Input.HoursNoteEn));
        if (!await details.UpdateAsync(marketId, User.UserId(), User.IsInRole(Roles.Admin), change, time.GetUtcNow(), cancellationToken))
            return NotFound();
        TempData["Message"] = t["Đã lưu thông tin chợ. Trang công khai đã cập nhật."].Value;
        return RedirectToPage("/Market/Details", new { marketId });
    }

    public async Task<IActionResult> OnPostPhotoAsync(long marketId, IFormFile? photo, CancellationToken cancellationToken)
    {
        if (await LoadAsync(marketId, cancellationToken) is { } notFound) return notFound;
        string message;
        if (photo is null || photo.Length == 0) message = t["Vui lòng chọn ảnh."];
        else if (photo.Length > ProductPhotos.MaxBytes) message = t[ProductPhotos.TooLargeError];
        else
        {
            var bytes = new byte[photo.Length];
            await using (var stream = photo.OpenReadStream()) await stream.ReadExactlyAsync(bytes, cancellationToken);
            var check = await ProductPhotos.InspectAsync(bytes, cancellationToken);
            if (check.Blob is null) message = t[check.Error!];
            else if (!await details.SetPhotoAsync(marketId, User.UserId(), User.IsInRole(Roles.Admin), check.Blob, time.GetUtcNow(), cancellationToken))
                return NotFound();
            else message = t["Đã cập nhật ảnh chợ."];
        }
        TempData["Message"] = message;
        return RedirectToPage("/Market/Details", null, new { marketId }, "photo");
    }

    public async Task<IActionResult> OnPostRemovePhotoAsync(long marketId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(marketId, cancellationToken) is { } notFound) return notFound;
        if (!await details.SetPhotoAsync(marketId, User.UserId(), User.IsInRole(Roles.Admin), null, time.GetUtcNow(), cancellationToken))
            return NotFound();
        TempData["Message"] = t["Đã bỏ ảnh chợ."].Value;
        return RedirectToPage("/Market/Details", null, new { marketId }, "photo");
    }

    /// <summary>The gate poster (?paper=A4|A3, default A4) with the QR code of the market's public page.</summary>
    public async Task<IActionResult> OnGetPosterAsync(long marketId, string? paper, CancellationToken cancellationToken)
    {
        if (await LoadAsync(marketId, cancellationToken) is { } notFound) return notFound;
        var size = string.Equals(paper, "A3", StringComparison.OrdinalIgnoreCase) ? PosterPaper.A3 : PosterPaper.A4;
        var m = Market;
        var poster = new MarketPosterContent(m.Name, PublicUrl,
            PublicUrl.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal),
            m.AddressLine, string.Join(", ", new[] { m.CommuneName, m.ProvinceName }.Where(s => !string.IsNullOrEmpty(s))),
            m.OpensAt is null ? null : $"{m.OpensAt}–{m.ClosesAt}", m.HoursNote, m.HoursNoteEn);
        return File(MarketPoster.Pdf(poster, size), "application/pdf", $"ap-phich-{m.Slug}-{size.ToString().ToLowerInvariant()}.pdf");
    }

    /// <summary>The market when this user manages it (or is an admin); 404 otherwise.</summary>
    private async Task<IActionResult?> LoadAsync(long marketId, CancellationToken cancellationToken)
    {
        if (await stalls.FindManagedMarketAsync(marketId, User.UserId(), User.IsInRole(Roles.Admin), cancellationToken) is null
            || await markets.ByIdAsync(marketId, cancellationToken) is not { } market)
            return NotFound();
        Market = market;
        PublicUrl = PublicUrls.BaseUrl(Request, options) + PublicUrls.MarketPath(market.Slug);
        return null;
    }

    private static string Clean(string? text) => (text ?? "").Trim().ReplaceLineEndings("\n");
}
