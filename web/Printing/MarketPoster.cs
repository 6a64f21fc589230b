using System.Reflection;
using QRCoder;
using SkiaSharp;

namespace Cho40.Web.Printing;

/// <summary>
/// What the market gate poster shows: the market, the URL its QR code carries (its public page, from the configured public
/// base URL) and the same URL printed for people to type, the address, and the opening hours already written out.
/// </summary>
public sealed record MarketPosterContent(string MarketName, string Url, string PrintedUrl, string AddressLine, string Place,
    string? Hours, string HoursNote, string HoursNoteEn);

public enum PosterPaper { A4, A3 }

/// <summary>
/// The printable poster for a market's gate, in Vietnamese and English: the market's name, a large QR code (vector, ECC Q,
/// 4-module quiet zone; 130 mm wide on A4, 184 mm on A3, read from several metres) pointing at the market's public page,
/// the page's address printed under it, the address and opening hours, and how to pay at the stalls. Text in DejaVu Sans
/// embedded from the assembly (Vietnamese glyphs everywhere). Laid out on A4 in millimetres; A3 is the same scaled by √2.
/// Pure: no database, no I/O beyond the output.
/// </summary>
public static class MarketPoster
{
    private const float PointsPerMm = 72f / 25.4f;
    private const float A4WidthMm = 210, A4HeightMm = 297;
    private static readonly Lazy<SKTypeface> Regular = new(() => LoadFont("fonts/DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => LoadFont("fonts/DejaVuSans-Bold.ttf"));

    public static byte[] Pdf(MarketPosterContent poster, PosterPaper paper)
    {
        ArgumentNullException.ThrowIfNull(poster);
        var (widthMm, heightMm) = Size(paper);
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
               {
                   Title = $"Áp phích cổng chợ — {poster.MarketName}", Subject = poster.Url,
                   Creator = "Chợ 4.0", Producer = "Chợ 4.0", RasterDpi = 300,
               }))
        {
            var canvas = document.BeginPage(widthMm * PointsPerMm, heightMm * PointsPerMm);
            Draw(canvas, poster, paper);
            document.EndPage();
            document.Close();
        }
        return output.ToArray();
    }

    public static (float WidthMm, float HeightMm) Size(PosterPaper paper) => paper switch
    {
        PosterPaper.A4 => (A4WidthMm, A4HeightMm),
        PosterPaper.A3 => (297, 420),
        _ => throw new ArgumentOutOfRangeException(nameof(paper)),
    };

    private static void Draw(SKCanvas canvas, MarketPosterContent poster, PosterPaper paper)
    {
        var scale = Size(paper).WidthMm / A4WidthMm * PointsPerMm; // points per A4-millimetre
        canvas.Save();
        canvas.Scale(scale);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Fill };
        using var accent = new SKPaint { Color = new SKColor(0x1F, 0x6F, 0x3F), IsAntialias = true, Style = SKPaintStyle.Fill };
        using var grey = new SKPaint { Color = new SKColor(0x44, 0x44, 0x44), IsAntialias = true, Style = SKPaintStyle.Fill };
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Fill };
        const float center = A4WidthMm / 2, textWidth = A4WidthMm - 20;

        canvas.DrawRect(0, 0, A4WidthMm, 42, accent);
        Line(canvas, "CHỢ 4.0 · CHỢ KHÔNG DÙNG TIỀN MẶT · CASHLESS MARKET", center, 13, 5f, Bold.Value, white, textWidth);
        Line(canvas, poster.MarketName, center, 32, 11f, Bold.Value, white, textWidth);

        Line(canvas, "Quét mã để xem thông tin chợ và các sạp", center, 55, 7f, Bold.Value, ink, textWidth);
        Line(canvas, "Scan for market information — English inside", center, 64, 6f, Regular.Value, grey, textWidth);

        const float qrSize = 130, qrTop = 68;
        DrawQr(canvas, poster.Url, center - qrSize / 2, qrTop, qrSize);
        Line(canvas, poster.PrintedUrl, center, qrTop + qrSize + 9, 6.5f, Bold.Value, accent, textWidth);

        var y = qrTop + qrSize + 24;
        if (poster.AddressLine.Length > 0)
        {
            Line(canvas, poster.AddressLine, center, y, 5f, Regular.Value, ink, textWidth);
            y += 7.5f;
        }
        Line(canvas, poster.Place, center, y, 5f, Regular.Value, ink, textWidth);
        y += 10;
        if (poster.Hours is { } hours)
        {
            Line(canvas, $"Giờ mở cửa {hours} · Open {hours}", center, y, 6f, Bold.Value, ink, textWidth);
            y += 7.5f;
        }
        if (poster.HoursNote.Length > 0)
        {
            Line(canvas, poster.HoursNote, center, y, 4.6f, Regular.Value, ink, textWidth);
            y += 6.5f;
        }
        if (poster.HoursNoteEn.Length > 0)
        {
            Line(canvas, poster.HoursNoteEn, center, y, 4.6f, Regular.Value, grey, textWidth);
        }

        Line(canvas, "Trả tiền bằng mã QR ở các sạp có biển QR — kiểm tra tên người nhận trước khi chuyển.", center, 272, 4.4f,
            Regular.Value, ink, textWidth);
        Line(canvas, "Pay by bank QR at stalls showing a QR sign — check the payee's name before you pay.", center, 279, 4.4f,
            Regular.Value, grey, textWidth);
        Line(canvas, "Chợ 4.0", center, 291, 3.6f, Bold.Value, accent, textWidth);
        canvas.Restore();
    }

    /// <summary>The QR code as one vector path (runs of dark modules merged), the quiet zone included in <paramref name="size"/>.</summary>
    private static void DrawQr(SKCanvas canvas, string text, float left, float top, float size)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.Q);
        var matrix = data.ModuleMatrix;
        var module = size / matrix.Count;
        using var path = new SKPath();
        for (var y = 0; y < matrix.Count; y++)
        {
            var row = matrix[y];
            for (var x = 0; x < row.Length; x++)
            {
                if (!row[x]) continue;
                var run = x;
                while (run + 1 < row.Length && row[run + 1]) run++;
                path.AddRect(new SKRect(left + x * module, top + y * module, left + (run + 1) * module, top + (y + 1) * module));
                x = run;
            }
        }
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false, Style = SKPaintStyle.Fill };
        canvas.DrawPath(path, black);
    }

    /// <summary>One centred line; shrinks to fit the width, then shortens with an ellipsis.</summary>
    private static void Line(SKCanvas canvas, string text, float x, float baseline, float sizeMm, SKTypeface typeface, SKPaint paint, float maxWidth)
    {
        text = (text ?? "").Trim();
        if (text.Length == 0) return;
        using var font = new SKFont(typeface, sizeMm) { Subpixel = true, Hinting = SKFontHinting.None };
        while (font.MeasureText(text) > maxWidth && font.Size > sizeMm * 0.6f) font.Size *= 0.95f;
        if (font.MeasureText(text) > maxWidth)
        {
            while (text.Length > 1 && font.MeasureText(text + "…") > maxWidth) text = text[..^1];
            text = text.TrimEnd() + "…";
        }
        canvas.DrawText(text, x, baseline, SKTextAlign.Center, font, paint);
    }

    private static SKTypeface LoadFont(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Cho40.Web");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"{name} does not load");
    }
}
