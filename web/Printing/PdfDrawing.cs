using System.Reflection;
using SkiaSharp;

namespace Cho40.Web.Printing;

/// <summary>What the printed pages (stall signs, the stallholder's guide, market posters, label sheets) draw alike.</summary>
internal static class PdfDrawing
{
    /// <summary>A font embedded in Cho40.Web (fonts/…, DejaVu: full Vietnamese).</summary>
    public static SKTypeface LoadFont(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Cho40.Web");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"{name} does not load");
    }

    /// <summary>
    /// A QR code's modules (true = dark, quiet zone included) as one vector path: the outlines of the dark areas, so
    /// crisp at any print resolution, no seams between modules, and fewer points (a smaller, faster PDF) than a
    /// rectangle per module or per run of modules.
    /// </summary>
    public static void DrawModules(SKCanvas canvas, bool[][] modules, float left, float top, float size)
    {
        using var path = QrOutline(modules);
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false, Style = SKPaintStyle.Fill };
        canvas.Save();
        canvas.Translate(left, top);
        canvas.Scale(size / modules.Length);
        canvas.DrawPath(path, black);
        canvas.Restore();
    }

    /// <summary>
    /// The outlines of the dark modules of a square matrix (true = dark), in module units (0 … side), filled nonzero.
    /// Every edge between a dark and a light module (or the border) becomes a directed edge with the dark module on its
    /// right; the edges are chained into closed polygons, keeping only the corners. Outer outlines and holes come out
    /// with opposite windings, so the nonzero fill is exactly the dark modules.
    /// </summary>
    public static SKPath QrOutline(bool[][] modules)
    {
        var n = modules.Length;
        var stride = n + 1;
        bool Dark(int x, int y) => (uint)x < (uint)n && (uint)y < (uint)n && modules[y][x];
        // Up to two edges leave a grid vertex (two dark modules touching at a corner); -1 when none.
        var next = new int[stride * stride * 2];
        Array.Fill(next, -1);
        void Edge(int from, int to) => next[next[from * 2] < 0 ? from * 2 : from * 2 + 1] = to;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                if (!modules[y][x]) continue;
                var v = y * stride + x; // top-left corner of the module
                if (!Dark(x, y - 1)) Edge(v, v + 1);
                if (!Dark(x + 1, y)) Edge(v + 1, v + 1 + stride);
                if (!Dark(x, y + 1)) Edge(v + 1 + stride, v + stride);
                if (!Dark(x - 1, y)) Edge(v + stride, v);
            }
        }
        var path = new SKPath { FillType = SKPathFillType.Winding };
        var corners = new List<SKPoint>();
        for (var start = 0; start < stride * stride; start++)
        {
            while (next[start * 2] >= 0 || next[start * 2 + 1] >= 0)
            {
                corners.Clear();
                var at = start;
                var (dx, dy) = (0, 0);
                do
                {
                    var slot = next[at * 2 + 1] >= 0 ? at * 2 + 1 : at * 2;
                    var to = next[slot];
                    next[slot] = -1;
                    var (ndx, ndy) = (to % stride - at % stride, to / stride - at / stride);
                    if ((ndx, ndy) != (dx, dy)) corners.Add(new SKPoint(at % stride, at / stride));
                    (dx, dy, at) = (ndx, ndy, to);
                } while (at != start);
                // The start is a corner only when the walk turns there (it may sit mid-way along a side).
                if (corners.Count > 1 && StraightThrough(corners, start % stride, start / stride, dx, dy)) corners.RemoveAt(0);
                // Left open: a fill closes every outline anyway, and a closed one costs the PDF a line back to the
                // start and an "h" per outline (same pixels, 3 % fewer bytes).
                path.AddPoly(corners.ToArray(), close: false);
            }
        }
        return path;
    }

    private static bool StraightThrough(List<SKPoint> corners, int x, int y, int dx, int dy)
    {
        // The walk arrived at the start moving (dx, dy); it left towards corners[1].
        var (ox, oy) = (Math.Sign(corners[1].X - x), Math.Sign(corners[1].Y - y));
        return (ox, oy) == (dx, dy);
    }

    /// <summary>
    /// One centred line: shrinks to fit <paramref name="maxWidth"/> down to <paramref name="minScale"/> of its size, then
    /// shortens with an ellipsis.
    /// </summary>
    public static void CentredLine(SKCanvas canvas, string text, float x, float baseline, float sizeMm, SKTypeface typeface, SKPaint paint,
        float maxWidth, float minScale)
    {
        text = (text ?? "").Trim();
        if (text.Length == 0) return;
        using var font = new SKFont(typeface, sizeMm) { Subpixel = true, Hinting = SKFontHinting.None };
        while (font.MeasureText(text) > maxWidth && font.Size > sizeMm * minScale) font.Size *= 0.95f;
        if (font.MeasureText(text) > maxWidth)
        {
            while (text.Length > 1 && font.MeasureText(text + "…") > maxWidth) text = text[..^1];
            text = text.TrimEnd() + "…";
        }
        canvas.DrawText(text, x, baseline, SKTextAlign.Center, font, paint);
    }
}
