using System.Security.Cryptography;
using Cho40.Db;
using SkiaSharp;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// Photos of trace events. An upload is accepted only when SkiaSharp decodes it as an image of sane
/// size; it is turned upright, scaled to at most 2048 px, re-encoded as WebP (which drops EXIF, GPS
/// included) and keyed by the SHA-256 of the result. Pages ask for it at a few fixed widths.
/// </summary>
public static class TracePhotos
{
    public const int MaxSide = 2048;
    public static readonly int[] Widths = [160, 640, 1280];
    private const long MaxPixels = 60_000_000;

    public static string Url(string sha256, int width) => $"/trace/img/{sha256}/{width}.webp";

    /// <summary>The normalised photo, or null when the bytes are not an image we can read.</summary>
    public static TraceImage? Normalize(byte[] upload)
    {
        using var data = SKData.CreateCopy(upload);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.Info.Width <= 0 || codec.Info.Height <= 0 ||
            (long)codec.Info.Width * codec.Info.Height > MaxPixels) return null;
        using var decoded = SKBitmap.Decode(codec);
        if (decoded is null) return null;
        using var upright = Upright(decoded, codec.EncodedOrigin);
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(upright.Width, upright.Height));
        var width = Math.Max(1, (int)Math.Round(upright.Width * scale));
        var height = Math.Max(1, (int)Math.Round(upright.Height * scale));
        var bytes = EncodeWebp(upright, width, height);
        return new TraceImage(Convert.ToHexStringLower(SHA256.HashData(bytes)), width, height, bytes);
    }

    /// <summary>A stored WebP scaled to <paramref name="width"/> pixels wide.</summary>
    public static byte[] Resize(byte[] webp, int width)
    {
        using var bitmap = SKBitmap.Decode(webp) ?? throw new InvalidOperationException("stored image does not decode");
        var height = Math.Max(1, (int)Math.Round((double)bitmap.Height * width / bitmap.Width));
        return EncodeWebp(bitmap, width, height);
    }

    private static byte[] EncodeWebp(SKBitmap source, int width, int height)
    {
        using var scaled = width == source.Width && height == source.Height
            ? source.Copy()
            : source.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var image = SKImage.FromBitmap(scaled);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, 80);
        return encoded.ToArray();
    }

    private static SKBitmap Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        var (degrees, swap) = origin switch
        {
            SKEncodedOrigin.BottomRight => (180, false),
            SKEncodedOrigin.RightTop => (90, true),
            SKEncodedOrigin.LeftBottom => (270, true),
            _ => (0, false),
        };
        if (degrees == 0) return bitmap.Copy();
        var result = new SKBitmap(swap ? bitmap.Height : bitmap.Width, swap ? bitmap.Width : bitmap.Height);
        using var canvas = new SKCanvas(result);
        canvas.Translate(result.Width / 2f, result.Height / 2f);
        canvas.RotateDegrees(degrees);
        canvas.Translate(-bitmap.Width / 2f, -bitmap.Height / 2f);
        canvas.DrawBitmap(bitmap, 0, 0);
        return result;
    }
}
