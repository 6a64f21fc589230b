using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Cho40.Db.Domain;

namespace Cho40.Web.Payments.VietQr;

/// <summary>
/// The public VietQR API for integrators: build a payload (JSON, PNG, SVG) and check one. No sign-in; every endpoint is
/// under the "public-api" rate-limit policy. Errors are problem+json whose <c>errors</c> name the query field and the rule.
/// </summary>
public static class VietQrApi
{
    public const int MinImageSize = 128, MaxImageSize = 2048, DefaultImageSize = 512;
    private const int MaxParseBodyBytes = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Vietnamese bank names as UTF-8, not \u escapes.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static WebApplication MapVietQrApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").RequireRateLimiting(RateLimits.PublicApiPolicy).AllowAnonymous();

        api.MapGet("/vietqr", (HttpRequest request, Banks banks) =>
        {
            var (built, problem) = BuildFromQuery(request.Query, banks);
            if (problem is not null) return problem;
            return Results.Json(new
            {
                payload = built!.Value.Payload,
                bank = new { bin = built.Value.Bank.Bin, shortName = built.Value.Bank.ShortName, name = built.Value.Bank.Name },
                @static = built.Value.Static,
            }, Json);
        });

        api.MapGet("/vietqr.png", (HttpRequest request, HttpResponse response, Banks banks) =>
        {
            var (built, problem) = BuildFromQuery(request.Query, banks);
            if (problem is not null) return problem;
            var (size, sizeProblem) = ImageSize(request.Query);
            if (sizeProblem is not null) return sizeProblem;
            response.Headers.CacheControl = "public, max-age=86400";
            return Results.Bytes(VietQrImage.PngWithin(built!.Value.Payload, size), "image/png");
        });

        api.MapGet("/vietqr.svg", (HttpRequest request, HttpResponse response, Banks banks) =>
        {
            var (built, problem) = BuildFromQuery(request.Query, banks);
            if (problem is not null) return problem;
            var (size, sizeProblem) = ImageSize(request.Query);
            if (sizeProblem is not null) return sizeProblem;
            response.Headers.CacheControl = "public, max-age=86400";
            return Results.Text(VietQrImage.SvgWithin(built!.Value.Payload, size), "image/svg+xml", Encoding.UTF8);
        });

        api.MapPost("/vietqr/parse", async (HttpRequest request, Banks banks, CancellationToken cancel) =>
        {
            if (request.ContentLength > MaxParseBodyBytes)
                return Problem("payload", $"Nội dung gửi lên quá dài: một mã VietQR không vượt quá {MaxParseBodyBytes} byte.");
            var buffer = new byte[MaxParseBodyBytes + 1];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancel);
                if (n == 0) break;
                read += n;
            }
            if (read > MaxParseBodyBytes)
                return Problem("payload", $"Nội dung gửi lên quá dài: một mã VietQR không vượt quá {MaxParseBodyBytes} byte.");
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, read);
            }
            catch (DecoderFallbackException)
            {
                return Problem("payload", "Nội dung gửi lên không phải văn bản UTF-8.");
            }

            var result = VietQrPayload.Parse(text);
            if (result.Value is not { } v)
                return Problem(result.ErrorField ?? "payload", result.Error ?? "Mã VietQR không hợp lệ.", "Mã VietQR không hợp lệ");
            var bank = banks.FindByBin(v.Bin);
            return Results.Json(new
            {
                bin = v.Bin,
                bank = bank is null ? null : new { bin = bank.Bin, shortName = bank.ShortName, name = bank.Name },
                account = v.AccountNumber,
                service = v.Service == VietQrService.Card ? "card" : "account",
                amount = v.AmountVnd,
                purpose = v.Purpose,
                bill = v.BillNumber,
                reference = v.Reference,
                @static = !v.IsDynamic,
                crc = v.Crc,
                currency = v.Currency,
                country = v.Country,
            }, Json);
        });
        return app;
    }

    private readonly record struct Built(string Payload, Bank Bank, bool Static);

    private static (Built? Built, IResult? Problem) BuildFromQuery(IQueryCollection query, Banks banks)
    {
        string? Get(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;

        var bin = Get("bin");
        var account = Get("account");
        if (bin is null) return (null, Problem("bin", "Thiếu mã BIN ngân hàng (bin, 6 chữ số, ví dụ 970436)."));
        if (account is null) return (null, Problem("account", "Thiếu số tài khoản hoặc số thẻ nhận tiền (account)."));

        VietQrService service;
        switch (Get("service")?.ToLowerInvariant())
        {
            case null or "account" or "qribftta": service = VietQrService.Account; break;
            case "card" or "qribfttc": service = VietQrService.Card; break;
            default: return (null, Problem("service", "Dịch vụ (service) phải là account (chuyển đến tài khoản) hoặc card (chuyển đến thẻ)."));
        }

        long? amount = null;
        if (Get("amount") is { } amountText)
        {
            if (!long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return (null, Problem("amount", "Số tiền (amount) phải là số đồng nguyên, chỉ gồm chữ số, không có dấu chấm hay dấu phẩy (ví dụ 50000)."));
            amount = value;
        }

        string payload;
        try
        {
            payload = VietQrPayload.Build(new VietQrRequest(bin, account, service, amount, Get("purpose"), Get("bill"), Get("reference")));
        }
        catch (VietQrException e)
        {
            return (null, Problem(e.Field, e.Message));
        }

        var bank = banks.FindByBin(bin);
        if (bank is null)
            return (null, Problem("bin", $"Không có ngân hàng nào mang mã BIN {bin} trong danh bạ NAPAS."));
        if (!bank.AcceptsVietQr)
            return (null, Problem("bin", $"Ngân hàng {bank.ShortName} (BIN {bin}) chưa nhận chuyển khoản nhanh qua VietQR."));
        return (new Built(payload, bank, amount is null), null);
    }

    /// <summary>The image is at most <c>size</c> pixels wide (whole pixels per module keep the edges sharp).</summary>
    private static (int Size, IResult? Problem) ImageSize(IQueryCollection query)
    {
        var size = DefaultImageSize;
        if (query.TryGetValue("size", out var sizeText) && !string.IsNullOrWhiteSpace(sizeText.ToString()))
        {
            if (!int.TryParse(sizeText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < MinImageSize || size > MaxImageSize)
                return (0, Problem("size", $"Kích thước ảnh (size) phải là số điểm ảnh từ {MinImageSize} đến {MaxImageSize}."));
        }
        return (size, null);
    }

    private static IResult Problem(string field, string message, string title = "Thông tin mã VietQR không hợp lệ") =>
        Results.Json(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Title = title,
            Detail = message,
            Status = StatusCodes.Status400BadRequest,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        }, Json, "application/problem+json", StatusCodes.Status400BadRequest);
}
