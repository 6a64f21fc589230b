using QRCoder;
using SkiaSharp;

namespace Cho40.Web.Printing;

/// <summary>An A4 sheet of sticker labels: label size, grid and margins in millimetres.</summary>
public sealed record LabelLayout(double LabelWidthMm, double LabelHeightMm, int Columns, int Rows,
    double MarginTopMm, double MarginLeftMm, double GapXMm = 0, double GapYMm = 0)
{
    public const double PageWidthMm = 210, PageHeightMm = 297;

    /// <summary>3 × 8 = 24 labels of 70 × 37 mm (e.g. Tomy/Decal A4 24 nhãn).</summary>
    public static readonly LabelLayout A4x24 = new(70, 37, 3, 8, 0.5, 0);

    /// <summary>4 × 10 = 40 labels of 52.5 × 29.7 mm.</summary>
    public static readonly LabelLayout A4x40 = new(52.5, 29.7, 4, 10, 0, 0);

    public int PerPage => Columns * Rows;

    /// <summary>Null when the grid fits on A4 with sane sizes; otherwise what is wrong (Vietnamese key).</summary>
    public string? Problem()
    {
        if (Columns is < 1 or > 10 || Rows is < 1 or > 30) return "Số cột từ 1 đến 10, số hàng từ 1 đến 30.";
        if (LabelWidthMm < 20 || LabelHeightMm < 15) return "Nhãn cần rộng ít nhất 20 mm và cao ít nhất 15 mm để mã QR còn đọc được.";
        if (MarginTopMm < 0 || MarginLeftMm < 0 || GapXMm < 0 || GapYMm < 0) return "Lề và khoảng cách không được âm.";
        var width = MarginLeftMm + Columns * LabelWidthMm + (Columns - 1) * GapXMm;
        var height = MarginTopMm + Rows * LabelHeightMm + (Rows - 1) * GapYMm;
        return width > PageWidthMm + 0.01 || height > PageHeightMm + 0.01 ? "Lưới nhãn không vừa khổ A4 (210 × 297 mm)." : null;
    }
}

public sealed record Label(string QrText, string ProductName, string Lot, string PrintedUrl);

/// <summary>
/// Label sheets as PDF through SkiaSharp's PDF backend: vector QR codes (QRCoder, ECC M, 4-module quiet
/// zone) and text in DejaVu Sans (embedded, so Vietnamese prints everywhere).
/// </summary>
public static class LabelSheet
{
    private sealed record QrShape(SKPath Path, int Size);

    private const float PointsPerMm = 72f / 25.4f;
    private static readonly Lazy<SKTypeface> Font = new(LoadFont);

    public static void Write(Stream output, LabelLayout layout, IReadOnlyList<Label> labels, string title)
    {
        using var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
        {
            Title = title, Creator = "Chợ 4.0", Producer = "Chợ 4.0", RasterDpi = 300,
        });
        var qrCache = new Dictionary<string, QrShape>();
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false, Style = SKPaintStyle.Fill };
        using var textPaint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        try
        {
            for (var start = 0; start < Math.Max(1, labels.Count); start += layout.PerPage)
            {
                var canvas = document.BeginPage((float)LabelLayout.PageWidthMm * PointsPerMm, (float)LabelLayout.PageHeightMm * PointsPerMm);
                for (var i = start; i < Math.Min(labels.Count, start + layout.PerPage); i++)
                {
                    var cell = i - start;
                    var x = (float)(layout.MarginLeftMm + cell % layout.Columns * (layout.LabelWidthMm + layout.GapXMm)) * PointsPerMm;
                    var y = (float)(layout.MarginTopMm + cell / layout.Columns * (layout.LabelHeightMm + layout.GapYMm)) * PointsPerMm;
                    DrawLabel(canvas, x, y, layout, labels[i], qrCache, black, textPaint);
                }
                document.EndPage();
            }
            document.Close();
        }
        finally
        {
            foreach (var shape in qrCache.Values) shape.Path.Dispose();
        }
    }

    private static void DrawLabel(SKCanvas canvas, float x, float y, LabelLayout layout, Label label,
        Dictionary<string, QrShape> qrCache, SKPaint black, SKPaint textPaint)
    {
        var width = (float)layout.LabelWidthMm * PointsPerMm;
        var height = (float)layout.LabelHeightMm * PointsPerMm;
        var pad = 1.5f * PointsPerMm;
        // The QR takes the label's height (its own quiet zone is the white margin); text gets the rest.
        var qrSize = Math.Min(height - 2 * pad + 2 * PointsPerMm, width * 0.55f);
        if (!qrCache.TryGetValue(label.QrText, out var qr))
        {
            qr = QrPath(label.QrText);
            qrCache[label.QrText] = qr;
        }
        canvas.Save();
        canvas.Translate(x + pad / 2, y + (height - qrSize) / 2);
        canvas.Scale(qrSize / qr.Size);
        canvas.DrawPath(qr.Path, black);
        canvas.Restore();

        var textLeft = x + pad / 2 + qrSize + pad / 2;
        var textWidth = x + width - pad - textLeft;
        var nameSize = Math.Clamp(height * 0.085f, 5.5f, 10f);
        var smallSize = nameSize * 0.8f;
        using var nameFont = new SKFont(Font.Value, nameSize);
        using var smallFont = new SKFont(Font.Value, smallSize);
        var lineY = y + pad + nameSize;
        var nameLines = Wrap(label.ProductName, nameFont, textWidth, ' ', maxLines: 3);
        foreach (var line in nameLines)
        {
            canvas.DrawText(line, textLeft, lineY, SKTextAlign.Left, nameFont, textPaint);
            lineY += nameSize * 1.15f;
        }
        lineY += smallSize * 0.3f;
        foreach (var line in Wrap("Lô/Lot: " + label.Lot, smallFont, textWidth, ' ', maxLines: 2))
        {
            canvas.DrawText(line, textLeft, lineY, SKTextAlign.Left, smallFont, textPaint);
            lineY += smallSize * 1.15f;
        }
        // The address people can type, at the bottom; broken after "/" when it does not fit.
        var urlLines = Wrap(label.PrintedUrl, smallFont, textWidth, '/', maxLines: 3);
        var urlY = y + height - pad - (urlLines.Count - 1) * smallSize * 1.15f;
        foreach (var line in urlLines)
        {
            canvas.DrawText(line, textLeft, Math.Max(urlY, lineY), SKTextAlign.Left, smallFont, textPaint);
            urlY += smallSize * 1.15f;
            lineY += smallSize * 1.15f;
        }
    }

    /// <summary>The QR's dark modules as one path in module units (quiet zone included), runs merged per row.</summary>
    private static QrShape QrPath(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var path = new SKPath();
        for (var row = 0; row < matrix.Count; row++)
        {
            var bits = matrix[row];
            for (var col = 0; col < bits.Length; col++)
            {
                if (!bits[col]) continue;
                var end = col;
                while (end + 1 < bits.Length && bits[end + 1]) end++;
                path.AddRect(new SKRect(col, row, end + 1, row + 1));
                col = end;
            }
        }
        return new QrShape(path, matrix.Count);
    }

    /// <summary>Greedy wrap at <paramref name="breakAfter"/>; the last allowed line is shortened with "…".</summary>
    private static List<string> Wrap(string text, SKFont font, float width, char breakAfter, int maxLines)
    {
        var lines = new List<string>();
        var rest = text.Trim();
        while (rest.Length > 0 && lines.Count < maxLines)
        {
            if (font.MeasureText(rest) <= width) { lines.Add(rest); break; }
            var cut = -1;
            for (var i = rest.Length - 1; i > 0; i--)
            {
                if (rest[i - 1] != breakAfter && !(breakAfter == ' ' && rest[i] == ' ')) continue;
                if (font.MeasureText(rest[..i].TrimEnd()) <= width) { cut = i; break; }
            }
            if (lines.Count == maxLines - 1 || cut < 0)
            {
                if (lines.Count == maxLines - 1 || cut < 0 && lines.Count == maxLines - 1)
                {
                    var shortened = rest;
                    while (shortened.Length > 1 && font.MeasureText(shortened + "…") > width) shortened = shortened[..^1];
                    lines.Add(shortened == rest ? rest : shortened + "…");
                    break;
                }
                // No break point fits: cut by width.
                var n = rest.Length;
                while (n > 1 && font.MeasureText(rest[..n]) > width) n--;
                cut = n;
            }
            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        return lines;
    }

    private static SKTypeface LoadFont() => PdfDrawing.LoadFont("fonts/DejaVuSans.ttf");
}
