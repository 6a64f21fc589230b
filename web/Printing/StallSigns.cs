using Cho40.Web.Payments.VietQr;
using SkiaSharp;

namespace Cho40.Web.Printing;

/// <summary>What a printed stall sign shows. <see cref="Payload"/> is the VietQR payload (a static code for a sign).</summary>
public sealed record StallSignContent(string MarketName, string StallNumber, string StallName, string BankShortName,
    string MaskedAccountNumber, string AccountHolder, string Payload);

public enum SignPaper { A6, A5 }

/// <summary>
/// Printable "scan to pay" signs for market stalls: heading, market and stall, the QR code (vector, ECC M, 4-module quiet
/// zone, about 7.5 cm wide on A6 and 10.5 cm on A5 so a phone reads it from a metre away), bank, masked account and
/// account holder — so a payer can check whom they pay. Text in DejaVu Sans embedded from the assembly (Vietnamese glyphs
/// without relying on fonts installed on the server). Pure: no database, no I/O beyond the output.
/// </summary>
public static class StallSigns
{
    private const float PointsPerMm = 72f / 25.4f;
    private const float A6WidthMm = 105, A6HeightMm = 148;
    private static readonly Lazy<SKTypeface> Regular = new(() => LoadFont("fonts/DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => LoadFont("fonts/DejaVuSans-Bold.ttf"));

    /// <summary>One sign per page (a market's sheet is many signs).</summary>
    public static byte[] Pdf(IReadOnlyList<StallSignContent> signs, SignPaper paper)
    {
        ArgumentNullException.ThrowIfNull(signs);
        if (signs.Count == 0) throw new ArgumentException("At least one sign is needed.", nameof(signs));
        var (widthMm, heightMm) = Size(paper);
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
               {
                   Title = signs.Count == 1 ? $"Bảng QR sạp {signs[0].StallNumber}" : $"Bảng QR — {signs[0].MarketName}",
                   Creator = "Chợ 4.0", Producer = "Chợ 4.0", RasterDpi = 300,
               }))
        {
            foreach (var sign in signs)
            {
                var canvas = document.BeginPage(widthMm * PointsPerMm, heightMm * PointsPerMm);
                Draw(canvas, sign, paper);
                document.EndPage();
            }
            document.Close();
        }
        return output.ToArray();
    }

    public static byte[] Png(StallSignContent sign, SignPaper paper, int dpi = 200)
    {
        ArgumentNullException.ThrowIfNull(sign);
        if (dpi is < 72 or > 600) throw new ArgumentOutOfRangeException(nameof(dpi), "72–600 dpi");
        var (widthMm, heightMm) = Size(paper);
        var info = new SKImageInfo((int)Math.Round(widthMm / 25.4 * dpi), (int)Math.Round(heightMm / 25.4 * dpi), SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Scale(dpi / 72f);
        Draw(canvas, sign, paper);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Keeps only the last 4 characters of an account or card number: "0011001234567" → "•••• 4567".</summary>
    public static string MaskAccount(string accountNumber)
    {
        var compact = string.Concat((accountNumber ?? "").Where(c => !char.IsWhiteSpace(c)));
        if (compact.Length == 0) return "";
        var keep = compact.Length > 4 ? 4 : Math.Max(0, compact.Length - 2);
        return "•••• " + compact[^keep..];
    }

    private static (float WidthMm, float HeightMm) Size(SignPaper paper) => paper switch
    {
        SignPaper.A6 => (A6WidthMm, A6HeightMm),
        SignPaper.A5 => (148, 210),
        _ => throw new ArgumentOutOfRangeException(nameof(paper)),
    };

    /// <summary>Lays the sign out in millimetres on an A6 grid and scales it to the paper (A5 is A6 × √2).</summary>
    private static void Draw(SKCanvas canvas, StallSignContent sign, SignPaper paper)
    {
        var scale = Size(paper).WidthMm / A6WidthMm * PointsPerMm; // points per A6-millimetre
        canvas.Save();
        canvas.Scale(scale);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Fill };
        using var accent = new SKPaint { Color = new SKColor(0x0B, 0x5E, 0x3B), IsAntialias = true, Style = SKPaintStyle.Fill };
        using var grey = new SKPaint { Color = new SKColor(0x44, 0x44, 0x44), IsAntialias = true, Style = SKPaintStyle.Fill };
        const float center = A6WidthMm / 2, textWidth = A6WidthMm - 12;

        // Heading band
        canvas.DrawRect(0, 0, A6WidthMm, 17, accent);
        using (var white = new SKPaint { Color = SKColors.White, IsAntialias = true })
            Line(canvas, "Quét mã để thanh toán", center, 11.5f, 6.2f, Bold.Value, white, textWidth);

        Line(canvas, sign.MarketName, center, 23.5f, 3.6f, Regular.Value, grey, textWidth);
        var stall = string.IsNullOrWhiteSpace(sign.StallName) ? $"Sạp {sign.StallNumber}" : $"Sạp {sign.StallNumber} · {sign.StallName}";
        Line(canvas, stall, center, 29.5f, 4.6f, Bold.Value, ink, textWidth);

        // QR: the block includes the 4-module quiet zone, so nothing else is drawn inside it.
        const float qrTop = 31, qrSize = 88;
        DrawQr(canvas, sign.Payload, center - qrSize / 2, qrTop, qrSize);

        Line(canvas, sign.BankShortName, center, qrTop + qrSize + 5.5f, 5f, Bold.Value, ink, textWidth);
        Line(canvas, $"STK {sign.MaskedAccountNumber}", center, qrTop + qrSize + 11.5f, 4.4f, Regular.Value, ink, textWidth);
        Line(canvas, sign.AccountHolder.ToUpperInvariant(), center, qrTop + qrSize + 17.5f, 4.6f, Bold.Value, ink, textWidth);
        Line(canvas, "Trước khi chuyển, hãy xem đúng tên người nhận ở trên.", center, A6HeightMm - 5, 2.6f, Regular.Value, grey, textWidth);
        canvas.Restore();
    }

    private static void DrawQr(SKCanvas canvas, string payload, float left, float top, float size) =>
        PdfDrawing.DrawModules(canvas, VietQrImage.Modules(payload), left, top, size);

    private static void Line(SKCanvas canvas, string text, float x, float baseline, float sizeMm, SKTypeface typeface, SKPaint paint, float maxWidth) =>
        PdfDrawing.CentredLine(canvas, text, x, baseline, sizeMm, typeface, paint, maxWidth, minScale: 0.7f);

    private static SKTypeface LoadFont(string name) => PdfDrawing.LoadFont(name);
}
