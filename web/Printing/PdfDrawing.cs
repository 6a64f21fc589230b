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
    /// A QR code's modules (true = dark, quiet zone included) as one vector path, runs of dark modules merged into one
    /// rectangle: crisp at any print resolution and a fraction of the PDF size of a module per rectangle.
    /// </summary>
    public static void DrawModules(SKCanvas canvas, bool[][] modules, float left, float top, float size)
    {
        var module = size / modules.Length;
        using var path = new SKPath();
        for (var y = 0; y < modules.Length; y++)
        {
            var row = modules[y];
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
