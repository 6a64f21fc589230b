using System.Globalization;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Catalog;
using Cho40.Web.Pages.Trace;
using Cho40.Web.Printing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace Cho40.Web.Pages.Seller.Trace;

/// <summary>
/// One batch: its code, its timeline, and the quick field form (kind buttons; time defaults to now, place
/// and actor to the last ones recorded) with photos; serialised pack codes; label sheets as PDF.
/// </summary>
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class BatchModel(Db.Trace trace, AdminUnits units, TraceOptions options, Cho40Options siteOptions, TimeProvider clock, IStringLocalizer<SharedResource> t) : PageModel
{
    private const int MaxUploadBytes = 80 * 1024 * 1024;
    private const int MaxPhotos = 6;
    public const int MaxUnits = 10_000;

    public SellerBatch Batch { get; private set; } = null!;
    public IReadOnlyList<TraceEventView> Events { get; private set; } = [];
    public AddressPicker Address { get; private set; } = null!;
    public string CodeUrl { get; private set; } = "";
    public string ShortUrl { get; private set; } = "";

    [BindProperty]
    public EventInput Input { get; set; } = new();

    /// <summary>Drawn by the page (or the phone's outbox when recorded offline): the same event sent twice is stored once.</summary>
    [BindProperty]
    public Guid? IdempotencyKey { get; set; }

    /// <summary>The time the form's "now" default was written (the phone replaces it with its own clock when offline).</summary>
    public string DefaultOccurredAt { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        var last = await trace.LastPlaceAsync(User.UserId(), id, cancellationToken);
        Input.Kind = NextKind();
        Input.OccurredAt = VietnamTime.ToVietnam(clock.GetUtcNow()).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        DefaultOccurredAt = Input.OccurredAt;
        IdempotencyKey = Guid.NewGuid();
        Input.ProvinceCode = last?.ProvinceCode ?? Batch.SellerProvinceCode;
        Input.CommuneCode = last is null ? Batch.SellerCommuneCode : last.CommuneCode;
        Input.Actor = last?.Actor is { Length: > 0 } actor ? actor : User.Identity?.Name;
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, Input.CommuneCode, cancellationToken: cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostProvinceAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        ModelState.Clear();
        Address = await AddressPicker.LoadAsync(units, "Input", Input.ProvinceCode, null, cancellationToken: cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, List<IFormFile>? photos, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        if (!TraceEventKinds.All.Contains(Input.Kind ?? "")) ModelState.AddModelError("Input.Kind", t["Vui lòng chọn loại sự kiện."]);

        DateTimeOffset occurredAt = default;
        if (!DateTime.TryParseExact(Input.OccurredAt, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
            ModelState.AddModelError("Input.OccurredAt", t["Vui lòng nhập thời gian."]);
        else
        {
            occurredAt = new DateTimeOffset(local, VietnamTime.Zone.GetUtcOffset(local)).ToUniversalTime();
            if (occurredAt > clock.GetUtcNow().AddHours(1)) ModelState.AddModelError("Input.OccurredAt", t["Thời gian không được ở tương lai."]);
        }

        string? provinceError = null, communeError = null;
        var province = string.IsNullOrEmpty(Input.ProvinceCode) ? null : Input.ProvinceCode;
        var commune = string.IsNullOrEmpty(Input.CommuneCode) ? null : Input.CommuneCode;
        if (province is null) provinceError = t["Vui lòng chọn tỉnh / thành phố."];
        else if (commune is not null && !await units.CommuneBelongsToAsync(commune, province, cancellationToken))
            communeError = t["Xã / phường không thuộc tỉnh đã chọn."];
        if (provinceError is not null) ModelState.AddModelError("Input.ProvinceCode", provinceError);
        if (communeError is not null) ModelState.AddModelError("Input.CommuneCode", communeError);

        var latitude = NewBatchModel.ParseDecimal(Input.Latitude);
        var longitude = NewBatchModel.ParseDecimal(Input.Longitude);
        var hasLat = !string.IsNullOrWhiteSpace(Input.Latitude);
        var hasLon = !string.IsNullOrWhiteSpace(Input.Longitude);
        if (hasLat != hasLon || (hasLat && latitude is not (>= -90 and <= 90)) || (hasLon && longitude is not (>= -180 and <= 180)))
            ModelState.AddModelError("Input.Latitude", t["Tọa độ GPS: vĩ độ từ -90 đến 90 và kinh độ từ -180 đến 180, nhập cả hai hoặc để trống cả hai."]);
        if ((Input.Actor?.Length ?? 0) > 200) ModelState.AddModelError("Input.Actor", t["Người thực hiện tối đa 200 ký tự."]);
        if ((Input.Note?.Length ?? 0) > 2000) ModelState.AddModelError("Input.Note", t["Ghi chú tối đa 2000 ký tự."]);

        var images = new List<TraceImage>();
        var files = (photos ?? []).Where(f => f.Length > 0).ToList();
        if (files.Count > MaxPhotos) ModelState.AddModelError("Input.Photos", t["Tối đa {0} ảnh cho một sự kiện.", MaxPhotos]);
        foreach (var file in files.Take(MaxPhotos))
        {
            if (file.Length > options.MaxPhotoMegabytes * 1024L * 1024L)
            {
                ModelState.AddModelError("Input.Photos", t["Ảnh {0} lớn hơn {1} MB.", file.FileName, options.MaxPhotoMegabytes]);
                continue;
            }
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            var (image, error) = await TracePhotos.NormalizeAsync(buffer.ToArray(), options.MaxPhotoMegabytes * 1024L * 1024L, HttpContext.RequestAborted);
            if (image is not null) images.Add(image);
            else if (error == ProductPhotos.NotAnImageError)
                ModelState.AddModelError("Input.Photos", t["Tệp {0} không phải là ảnh đọc được (JPEG, PNG, WebP).", file.FileName]);
            else ModelState.AddModelError("Input.Photos", $"{Path.GetFileName(file.FileName)}: {t[error!]}");
        }

        if (!ModelState.IsValid)
        {
            if (WantsJson)
            {
                var problems = ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).Distinct();
                var detail = string.Join(" ", problems);
                return new ObjectResult(new ProblemDetails { Title = detail, Detail = detail, Status = 400 }) { StatusCode = 400, ContentTypes = { "application/problem+json" } };
            }
            Address = await AddressPicker.LoadAsync(units, "Input", province, commune, provinceError, communeError, cancellationToken);
            IdempotencyKey = Guid.NewGuid();
            return Page();
        }

        var (eventId, duplicate) = await trace.AddEventOnceAsync(User.UserId(), id, new NewTraceEvent(Input.Kind!, occurredAt, province, commune,
            hasLat ? latitude : null, hasLon ? longitude : null, Input.Actor?.Trim() ?? "", Input.Note?.Trim() ?? ""), images,
            IdempotencyKey ?? Guid.NewGuid(), cancellationToken);
        if (eventId is null) return NotFound();
        await Cho40.Web.Pages.Trace.TracePageCache.EvictAsync(HttpContext, cancellationToken);
        if (WantsJson)
        {
            // The phone reloads the page to show the timeline: the message goes with it.
            TempData["Message"] = t["Đã ghi: {0}.", t["event:" + Input.Kind]].Value;
            return new JsonResult(new { status = duplicate ? "duplicate" : "stored", id = eventId });
        }
        TempData["Message"] = t["Đã ghi: {0}.", t["event:" + Input.Kind]].Value;
        return RedirectToPage("/Seller/Trace/Batch", new { id });
    }

    public async Task<IActionResult> OnPostUnitsAsync(long id, int count, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        if (count is < 1 or > MaxUnits)
        {
            TempData["Message"] = t["Số mã từ 1 đến {0}.", MaxUnits].Value;
            return RedirectToPage("/Seller/Trace/Batch", new { id });
        }
        var added = await trace.GenerateUnitsAsync(User.UserId(), id, count, cancellationToken);
        if (added is null) return NotFound();
        TempData["Message"] = t["Đã tạo {0} mã cho từng gói.", added].Value;
        return RedirectToPage("/Seller/Trace/Batch", new { id });
    }

    /// <summary>The batch's QR code as PNG, for a preview on screen.</summary>
    public async Task<IActionResult> OnGetQrAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(CodeUrl, QRCodeGenerator.ECCLevel.M);
        return File(new PngByteQRCode(data).GetGraphic(8), "image/png");
    }

    /// <summary>A label sheet: the batch code on every label, or one pack code per label.</summary>
    public async Task<IActionResult> OnGetLabelsAsync(long id, LabelInput labels, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken)) return NotFound();
        var layout = labels.Layout switch
        {
            "a4x40" => LabelLayout.A4x40,
            "custom" => new LabelLayout(labels.WidthMm, labels.HeightMm, labels.Columns, labels.Rows, labels.TopMm, labels.LeftMm, labels.GapXMm, labels.GapYMm),
            _ => LabelLayout.A4x24,
        };
        if (layout.Problem() is string problem)
        {
            TempData["Message"] = t[problem].Value;
            return RedirectToPage("/Seller/Trace/Batch", null, new { id }, "labels");
        }
        var baseUrl = TraceLinks.BaseUrl(Request, siteOptions);
        List<Label> sheet;
        if (labels.What == "units")
        {
            var serials = await trace.SerialsAsync(id, MaxUnits, cancellationToken);
            if (serials.Count == 0)
            {
                TempData["Message"] = t["Lô này chưa có mã cho từng gói."].Value;
                return RedirectToPage("/Seller/Trace/Batch", null, new { id }, "labels");
            }
            sheet = serials.Select(s => new Label(TraceLinks.CodeUrl(baseUrl, Batch.Gtin, Batch.LotCode, Batch.Code, s), Batch.ProductName,
                Batch.LotCode, TraceLinks.PrintedUrl(baseUrl, Batch.Code, s))).ToList();
        }
        else
        {
            var count = Math.Clamp(labels.Count ?? layout.PerPage, 1, MaxUnits);
            var label = new Label(CodeUrl, Batch.ProductName, Batch.LotCode, ShortUrl);
            sheet = Enumerable.Repeat(label, count).ToList();
        }
        var pdf = new MemoryStream();
        LabelSheet.Write(pdf, layout, sheet, $"{Batch.ProductName} — {Batch.LotCode}");
        pdf.Position = 0;
        return File(pdf, "application/pdf", $"nhan-{Batch.Code}-{labels.Layout}.pdf");
    }

    private bool WantsJson => Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal);

    private string NextKind()
    {
        // The step after the last one recorded: what a person in the field most likely records next.
        var last = Events.Count == 0 ? -1 : TraceEventKinds.All.ToList().IndexOf(Events[^1].Kind);
        return TraceEventKinds.All[Math.Min(last + 1, TraceEventKinds.All.Count - 1)];
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        var batch = await trace.BatchAsync(User.UserId(), id, cancellationToken);
        if (batch is null) return false;
        Batch = batch;
        Events = await trace.EventsAsync(id, cancellationToken);
        var baseUrl = TraceLinks.BaseUrl(Request, siteOptions);
        CodeUrl = TraceLinks.CodeUrl(baseUrl, batch.Gtin, batch.LotCode, batch.Code);
        ShortUrl = TraceLinks.PrintedUrl(baseUrl, batch.Code);
        return true;
    }
}

public sealed class EventInput
{
    public string? Kind { get; set; }
    public string? OccurredAt { get; set; }
    public string? ProvinceCode { get; set; }
    public string? CommuneCode { get; set; }
    public string? Latitude { get; set; }
    public string? Longitude { get; set; }
    public string? Actor { get; set; }
    public string? Note { get; set; }
}

public sealed class LabelInput
{
    public string Layout { get; set; } = "a4x24";
    public string What { get; set; } = "batch";
    public int? Count { get; set; }
    public double WidthMm { get; set; } = 70;
    public double HeightMm { get; set; } = 37;
    public int Columns { get; set; } = 3;
    public int Rows { get; set; } = 8;
    public double TopMm { get; set; }
    public double LeftMm { get; set; }
    public double GapXMm { get; set; }
    public double GapYMm { get; set; }
}
