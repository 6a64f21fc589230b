using System.Reflection;
using SkiaSharp;

namespace Cho40.Web.Printing;

/// <summary>What the stallholder's guide shows: her stall's sign and how she signs in.</summary>
public sealed record StallGuideContent(StallSignContent Sign, string OwnerName, string OwnerPhone, string SiteUrl, string HelperName);

/// <summary>
/// A one-page A4 guide a community digital helper prints for a stallholder: large Vietnamese type (DejaVu Sans embedded),
/// the stall's own sign QR (a STATIC VietQR: the payer types the amount), and the three steps she needs — show the sign,
/// "Thu tiền", read the day. Pure: no database, no I/O beyond the output.
/// </summary>
public static class StallGuide
{
    private const float Mm = 72f / 25.4f;
    private const float PageWidthMm = 210, PageHeightMm = 297, MarginMm = 16;
    private static readonly Lazy<SKTypeface> Regular = new(() => LoadFont("fonts/DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => LoadFont("fonts/DejaVuSans-Bold.ttf"));

    public static byte[] Pdf(StallGuideContent guide)
    {
        ArgumentNullException.ThrowIfNull(guide);
        var sign = guide.Sign;
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
               {
                   Title = $"Hướng dẫn nhận tiền — Sạp {sign.StallNumber}", Creator = "Chợ 4.0", Producer = "Chợ 4.0", RasterDpi = 300,
               }))
        {
            var canvas = document.BeginPage(PageWidthMm * Mm, PageHeightMm * Mm);
            canvas.Scale(Mm); // draw in millimetres
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var green = new SKPaint { Color = new SKColor(0x14, 0x52, 0x2D), IsAntialias = true };
            using var grey = new SKPaint { Color = new SKColor(0x44, 0x44, 0x44), IsAntialias = true };
            const float width = PageWidthMm - 2 * MarginMm;
            var y = MarginMm + 8;

            y = Text(canvas, "Hướng dẫn nhận tiền bằng mã QR", MarginMm, y, 9, Bold.Value, green, width);
            var stall = string.IsNullOrWhiteSpace(sign.StallName) ? $"Sạp {sign.StallNumber}" : $"Sạp {sign.StallNumber} · {sign.StallName}";
            y = Text(canvas, $"{stall} — {sign.MarketName}", MarginMm, y + 2, 6.5f, Bold.Value, ink, width);

            // The stall's sign QR, with whom it pays, on the left; how to sign in on the right.
            const float qrSize = 62;
            var qrTop = y + 3;
            DrawQr(canvas, sign.Payload, MarginMm, qrTop, qrSize);
            var rightX = MarginMm + qrSize + 6;
            var rightWidth = width - qrSize - 6;
            var ry = qrTop + 8;
            ry = Text(canvas, "Mã QR của sạp (giống biển in)", rightX, ry, 5, Bold.Value, ink, rightWidth);
            ry = Text(canvas, $"{sign.BankShortName} · STK {sign.MaskedAccountNumber}", rightX, ry + 1, 5, Regular.Value, ink, rightWidth);
            ry = Text(canvas, sign.AccountHolder.ToUpperInvariant(), rightX, ry + 1, 5, Bold.Value, ink, rightWidth);
            ry = Text(canvas, "Đăng nhập Chợ 4.0:", rightX, ry + 5, 5, Bold.Value, ink, rightWidth);
            ry = Text(canvas, guide.SiteUrl, rightX, ry + 1, 4.6f, Regular.Value, ink, rightWidth);
            if (guide.OwnerPhone.Length > 0)
                ry = Text(canvas, $"Số điện thoại: {guide.OwnerPhone}", rightX, ry + 1, 5, Regular.Value, ink, rightWidth);
            y = Math.Max(qrTop + qrSize, ry) + 6;

            (string Title, string Body)[] steps =
            [
                ("1. Đưa biển QR cho khách quét", "Khách quét mã trên biển và tự gõ số tiền. Điện thoại của sạp đọc to: «Đã nhận … đồng». Nghe đủ cả số tiền rồi mới giao hàng."),
                ("2. Thu tiền", "Mở Chợ 4.0, bấm «Thu tiền», gõ số tiền như khi nói (ví dụ 120k hoặc 1tr2). Xem lại số tiền bằng chữ, bấm «Đúng, hiện mã QR» và đưa khách quét. Lần đầu bấm «Bật âm thanh»."),
                ("3. Xem tiền trong ngày", "Bấm «Màn hình sạp»: tiền chuyển khoản, tiền mặt và tổng hôm nay. Ghi nhầm tiền mặt thì bấm «Ghi nhầm?» để huỷ trong ngày. Mất mạng vẫn ghi được, có mạng sẽ tự gửi."),
            ];
            foreach (var (title, body) in steps)
            {
                y = Text(canvas, title, MarginMm, y + 4, 7.5f, Bold.Value, green, width);
                y = Text(canvas, body, MarginMm, y + 1.5f, 5.6f, Regular.Value, ink, width);
            }
            var footer = guide.HelperName.Length > 0 ? $"Người hỗ trợ: {guide.HelperName} · Chợ 4.0" : "Chợ 4.0";
            Text(canvas, footer, MarginMm, PageHeightMm - MarginMm, 4, Regular.Value, grey, width);
            document.EndPage();
            document.Close();
        }
        return output.ToArray();
    }

    /// <summary>Wrapped text from the top-left; returns the baseline of the last line.</summary>
    private static float Text(SKCanvas canvas, string text, float x, float top, float sizeMm, SKTypeface typeface, SKPaint paint, float width)
    {
        using var font = new SKFont(typeface, sizeMm) { Subpixel = true, Hinting = SKFontHinting.None };
        var lineHeight = sizeMm * 1.3f;
        var y = top + sizeMm;
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && font.MeasureText(candidate) > width)
            {
                canvas.DrawText(line, x, y, SKTextAlign.Left, font, paint);
                y += lineHeight;
                line = word;
            }
            else line = candidate;
        }
        if (line.Length > 0) canvas.DrawText(line, x, y, SKTextAlign.Left, font, paint);
        return y;
    }

    private static void DrawQr(SKCanvas canvas, string payload, float left, float top, float size)
    {
        var modules = Payments.VietQr.VietQrImage.Modules(payload);
        var module = size / modules.Length;
        using var path = new SKPath();
        for (var y = 0; y < modules.Length; y++)
            for (var x = 0; x < modules[y].Length; x++)
                if (modules[y][x]) path.AddRect(new SKRect(left + x * module, top + y * module, left + (x + 1) * module, top + (y + 1) * module));
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false, Style = SKPaintStyle.Fill };
        canvas.DrawPath(path, black);
    }

    private static SKTypeface LoadFont(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Cho40.Web");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"{name} does not load");
    }
}
