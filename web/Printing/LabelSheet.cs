using System.Collections.Concurrent;
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
/// Label sheets as PDF through SkiaSharp's PDF backend: vector QR codes (QRCoder, ECC M, 4-module quiet zone, drawn as
/// the outlines of the dark areas) and text in DejaVu Sans (embedded, so Vietnamese prints everywhere).
/// </summary>
/// <remarks>
/// Speed (1,000 labels in ~300 ms on two free cores: bench/labels): the QR codes are encoded on the other cores while this
/// thread draws — page by page, in order, so drawing page p waits at most for page p's codes; the fonts and the wrapped
/// lines of text that repeat from label to label (product name, lot) are made once per sheet.
/// </remarks>
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
        using var codes = new QrCodes(labels, layout.PerPage);
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false, Style = SKPaintStyle.Fill };
        using var textPaint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var text = new LabelText(layout);
        for (var start = 0; start < Math.Max(1, labels.Count); start += layout.PerPage)
        {
            var canvas = document.BeginPage((float)LabelLayout.PageWidthMm * PointsPerMm, (float)LabelLayout.PageHeightMm * PointsPerMm);
            var page = labels.Count == 0 ? [] : codes.Page(start / layout.PerPage);
            for (var i = start; i < Math.Min(labels.Count, start + layout.PerPage); i++)
            {
                var cell = i - start;
                var x = (float)(layout.MarginLeftMm + cell % layout.Columns * (layout.LabelWidthMm + layout.GapXMm)) * PointsPerMm;
                var y = (float)(layout.MarginTopMm + cell / layout.Columns * (layout.LabelHeightMm + layout.GapYMm)) * PointsPerMm;
                DrawLabel(canvas, x, y, layout, labels[i], page[cell], black, textPaint, text);
            }
            document.EndPage();
        }
        document.Close();
    }

    /// <summary>
    /// The QR shapes of a sheet, page by page (one Lazy each). Helper tasks claim pages in order and encode them while
    /// the drawing thread draws; when the page it needs is not ready yet, the drawing thread claims and encodes the next
    /// unclaimed page meanwhile (the needed page itself when nobody has claimed it), so it never idles while work is
    /// left. Identical codes (a batch sheet: the same code on every label) are encoded once.
    /// </summary>
    private sealed class QrCodes : IDisposable
    {
        private readonly IReadOnlyList<Label> labels;
        private readonly int perPage;
        private readonly Lazy<QrShape[]>[] pages;
        private readonly ConcurrentDictionary<string, Lazy<QrShape>> byText = new();
        private readonly Task[] helpers;
        private int nextPage = -1;
        private volatile bool stopped;

        public QrCodes(IReadOnlyList<Label> labels, int perPage)
        {
            this.labels = labels;
            this.perPage = perPage;
            pages = Enumerable.Range(0, (labels.Count + perPage - 1) / perPage)
                .Select(p => new Lazy<QrShape[]>(() => Encode(p), LazyThreadSafetyMode.ExecutionAndPublication)).ToArray();
            var helperCount = pages.Length < 2 ? 0 : Math.Min(pages.Length - 1, Math.Max(1, Environment.ProcessorCount - 1));
            helpers = Enumerable.Range(0, helperCount).Select(_ => Task.Run(Help)).ToArray();
        }

        /// <summary>Page p's shapes; while a helper is still encoding them, this thread encodes a later page meanwhile.</summary>
        public QrShape[] Page(int page)
        {
            while (!pages[page].IsValueCreated)
            {
                var ahead = Interlocked.Increment(ref nextPage);
                if (ahead >= pages.Length) break;
                _ = pages[ahead].Value;
            }
            return pages[page].Value;
        }

        private void Help()
        {
            for (var p = Interlocked.Increment(ref nextPage); p < pages.Length && !stopped; p = Interlocked.Increment(ref nextPage))
                _ = pages[p].Value;
        }

        private QrShape[] Encode(int page)
        {
            var start = page * perPage;
            var shapes = new QrShape[Math.Min(perPage, labels.Count - start)];
            for (var i = 0; i < shapes.Length; i++)
                shapes[i] = byText.GetOrAdd(labels[start + i].QrText, t => new Lazy<QrShape>(() => QrPath(t))).Value;
            return shapes;
        }

        public void Dispose()
        {
            // On an exception while drawing: let the helpers finish their page, then free every path made.
            stopped = true;
            try { Task.WaitAll(helpers); } catch (AggregateException) { /* an encoding error surfaced on the drawing thread already */ }
            foreach (var shape in byText.Values.Where(l => l.IsValueCreated)) shape.Value.Path.Dispose();
        }
    }

    /// <summary>Fonts and the wrapped lines of text that repeat from label to label, made once per sheet.</summary>
    private sealed class LabelText(LabelLayout layout) : IDisposable
    {
        private readonly Dictionary<(string, bool, float, char, int), List<string>> wrapped = new();

        public float Width { get; } = (float)layout.LabelWidthMm * PointsPerMm;
        public float Height { get; } = (float)layout.LabelHeightMm * PointsPerMm;
        public float NameSize => NameFont.Size;
        public float SmallSize => SmallFont.Size;
        public SKFont NameFont { get; } = new(Font.Value, Math.Clamp((float)layout.LabelHeightMm * PointsPerMm * 0.085f, 5.5f, 10f));
        public SKFont SmallFont { get; } = new(Font.Value, Math.Clamp((float)layout.LabelHeightMm * PointsPerMm * 0.085f, 5.5f, 10f) * 0.8f);

        /// <summary>Wrapped lines; kept for the texts every label shares (name, lot), worked out afresh for the rest.</summary>
        public List<string> Lines(string text, bool small, float width, char breakAfter, int maxLines, bool repeats)
        {
            var font = small ? SmallFont : NameFont;
            if (!repeats) return Wrap(text, font, width, breakAfter, maxLines);
            var key = (text, small, width, breakAfter, maxLines);
            if (!wrapped.TryGetValue(key, out var lines)) wrapped[key] = lines = Wrap(text, font, width, breakAfter, maxLines);
            return lines;
        }

        public void Dispose()
        {
            NameFont.Dispose();
            SmallFont.Dispose();
        }
    }

    private static void DrawLabel(SKCanvas canvas, float x, float y, LabelLayout layout, Label label, QrShape qr,
        SKPaint black, SKPaint textPaint, LabelText text)
    {
        var width = text.Width;
        var height = text.Height;
        var pad = 1.5f * PointsPerMm;
        // The QR takes the label's height (its own quiet zone is the white margin); text gets the rest.
        var qrSize = Math.Min(height - 2 * pad + 2 * PointsPerMm, width * 0.55f);
        canvas.Save();
        canvas.Translate(x + pad / 2, y + (height - qrSize) / 2);
        canvas.Scale(qrSize / qr.Size);
        canvas.DrawPath(qr.Path, black);
        canvas.Restore();

        var textLeft = x + pad / 2 + qrSize + pad / 2;
        var textWidth = x + width - pad - textLeft;
        var nameSize = text.NameSize;
        var smallSize = text.SmallSize;
        var lineY = y + pad + nameSize;
        foreach (var line in text.Lines(label.ProductName, small: false, textWidth, ' ', maxLines: 3, repeats: true))
        {
            canvas.DrawText(line, textLeft, lineY, SKTextAlign.Left, text.NameFont, textPaint);
            lineY += nameSize * 1.15f;
        }
        lineY += smallSize * 0.3f;
        foreach (var line in text.Lines("Lô/Lot: " + label.Lot, small: true, textWidth, ' ', maxLines: 2, repeats: true))
        {
            canvas.DrawText(line, textLeft, lineY, SKTextAlign.Left, text.SmallFont, textPaint);
            lineY += smallSize * 1.15f;
        }
        // The address people can type, at the bottom; broken after "/" when it does not fit.
        var urlLines = text.Lines(label.PrintedUrl, small: true, textWidth, '/', maxLines: 3, repeats: false);
        var urlY = y + height - pad - (urlLines.Count - 1) * smallSize * 1.15f;
        foreach (var line in urlLines)
        {
            canvas.DrawText(line, textLeft, Math.Max(urlY, lineY), SKTextAlign.Left, text.SmallFont, textPaint);
            urlY += smallSize * 1.15f;
            lineY += smallSize * 1.15f;
        }
    }

    /// <summary>The QR's dark modules as one outline path in module units (quiet zone included).</summary>
    private static QrShape QrPath(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var modules = new bool[matrix.Count][];
        for (var row = 0; row < modules.Length; row++)
        {
            var bits = matrix[row];
            modules[row] = new bool[bits.Length];
            for (var col = 0; col < bits.Length; col++) modules[row][col] = bits[col];
        }
        return new QrShape(PdfDrawing.QrOutline(modules), modules.Length);
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
