using System.Security.Cryptography;
using Cho40.Db;
using Cho40.Web.Catalog;
using SkiaSharp;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// Photos of trace events. An upload passes the same checks as a product photo (<see cref="ProductPhotos"/>); it is
/// turned upright, scaled to at most 2048 px, re-encoded as WebP (which drops EXIF, GPS included) and keyed by the
/// SHA-256 of the result. Pages ask for it at a few fixed widths.
/// </summary>
public static class TracePhotos
{
    public const int MaxSide = 2048;
    public static readonly int[] Widths = [160, 640, 1280];

    public static string Url(string sha256, int width) => $"/trace/img/{sha256}/{width}.webp";

    /// <summary>
    /// The normalised photo, or the Vietnamese reason (a <see cref="ProductPhotos"/> error text) it was refused. The upload
    /// is checked exactly as a product photo is (<see cref="ProductPhotos.InspectAsync(byte[], long, CancellationToken)"/>:
    /// recognised by decoding, pixel count read from the header before any pixel is decoded, so a decompression bomb is
    /// refused without allocating it; at most two decodes at a time), then rendered once at ≤ <see cref="MaxSide"/> px.
    /// </summary>
    public static async Task<(TraceImage? Image, string? Error)> NormalizeAsync(byte[] upload, long maxBytes, CancellationToken cancellationToken = default)
    {
        var check = await ProductPhotos.InspectAsync(upload, maxBytes, cancellationToken);
        if (check.Blob is not { } blob) return (null, check.Error);
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(blob.Width, blob.Height));
        var width = Math.Max(1, (int)Math.Round(blob.Width * scale));
        var rendered = await ProductPhotos.ThumbnailAsync(upload, width, cancellationToken);
        if (rendered is not ({ } bytes, "image/webp")) return (null, ProductPhotos.DamagedError);
        using var codec = SKCodec.Create(new SKMemoryStream(bytes));
        if (codec is null) return (null, ProductPhotos.DamagedError);
        return (new TraceImage(Convert.ToHexStringLower(SHA256.HashData(bytes)), codec.Info.Width, codec.Info.Height, bytes), null);
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
}
