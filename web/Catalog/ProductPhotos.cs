using System.Security.Cryptography;
using Cho40.Db;
using SkiaSharp;

namespace Cho40.Web.Catalog;

/// <summary>The outcome of checking an upload: the blob to store, or a Vietnamese error key.</summary>
public sealed record PhotoCheck(MediaBlob? Blob, string? Error);

/// <summary>
/// Product photos: uploads are checked by decoding them with SkiaSharp (never by their name), and shown as
/// resized WebP thumbnails. Image rules: JPEG, PNG or WebP; at most <see cref="MaxBytes"/> bytes and
/// <see cref="MaxPixels"/> pixels — the pixel count is read from the file header before any pixel is decoded,
/// so a small file that claims to be a huge image (a decompression bomb) is refused without allocating it.
/// </summary>
public static class ProductPhotos
{
    public const long MaxBytes = 8 * 1024 * 1024;
    public const long MaxPixels = 40_000_000;
    public const int MaxPhotosPerProduct = 12;

    /// <summary>The thumbnail widths of <c>GET /img/p/{imageId}/{width}.webp</c>.</summary>
    public static readonly IReadOnlyList<int> Widths = [160, 480, 960];

    public const string NotAnImageError = "Tệp không phải ảnh JPEG, PNG hoặc WebP.";
    public const string TooLargeError = "Ảnh quá lớn: tối đa 8 MB.";
    public const string TooManyPixelsError = "Ảnh quá lớn: tối đa 40 megapixel.";
    public const string DamagedError = "Ảnh bị hỏng hoặc tải lên chưa hết, vui lòng chọn lại.";

    // Decoding a 40-megapixel photo takes ~160 MB: at most two at a time per process.
    private static readonly SemaphoreSlim DecodeGate = new(2, 2);

    public static Task<PhotoCheck> InspectAsync(byte[] bytes, CancellationToken cancellationToken = default) =>
        InspectAsync(bytes, MaxBytes, cancellationToken);

    /// <summary>As above with another byte limit (trace photos have their own, configured; the caller says so first).</summary>
    public static async Task<PhotoCheck> InspectAsync(byte[] bytes, long maxBytes, CancellationToken cancellationToken = default)
    {
        if (bytes.Length == 0) return new PhotoCheck(null, NotAnImageError);
        if (bytes.Length > maxBytes) return new PhotoCheck(null, TooLargeError);

        string contentType;
        int width, height;
        using (var header = SKCodec.Create(new SKMemoryStream(bytes)))
        {
            // SKCodec.Create reads only the header: format and dimensions, no pixels.
            if (header is null) return new PhotoCheck(null, NotAnImageError);
            contentType = header.EncodedFormat switch
            {
                SKEncodedImageFormat.Jpeg => "image/jpeg",
                SKEncodedImageFormat.Png => "image/png",
                SKEncodedImageFormat.Webp => "image/webp",
                _ => "",
            };
            if (contentType.Length == 0) return new PhotoCheck(null, NotAnImageError);
            width = header.Info.Width;
            height = header.Info.Height;
            if (width <= 0 || height <= 0) return new PhotoCheck(null, NotAnImageError);
            if ((long)width * height > MaxPixels) return new PhotoCheck(null, TooManyPixelsError);
        }

        // The header is plausible: decode the whole image once (small) to be sure the file is not truncated or corrupt.
        await DecodeGate.WaitAsync(cancellationToken);
        try
        {
            using var thumbnail = Render(bytes, 160, strict: true);
            if (thumbnail is null) return new PhotoCheck(null, DamagedError);
        }
        finally
        {
            DecodeGate.Release();
        }

        if (OrientationSwapsSides(bytes)) (width, height) = (height, width);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new PhotoCheck(new MediaBlob(sha, contentType, width, height, bytes), null);
    }

    /// <summary>A thumbnail <paramref name="width"/> pixels wide (never enlarged), upright, as WebP (JPEG if WebP encoding is missing).</summary>
    public static async Task<(byte[] Bytes, string ContentType)?> ThumbnailAsync(byte[] original, int width, CancellationToken cancellationToken = default)
    {
        await DecodeGate.WaitAsync(cancellationToken);
        try
        {
            using var image = Render(original, width, strict: false);
            if (image is null) return null;
            using var webp = image.Encode(SKEncodedImageFormat.Webp, 80);
            if (webp is not null) return (webp.ToArray(), "image/webp");
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 82);
            return jpeg is null ? null : (jpeg.ToArray(), "image/jpeg");
        }
        finally
        {
            DecodeGate.Release();
        }
    }

    private static bool OrientationSwapsSides(byte[] bytes)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes));
        return codec?.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom
            or SKEncodedOrigin.LeftBottom;
    }

    /// <summary>Decodes at the smallest size the codec offers that is still at least twice the target, then scales down with mipmaps.</summary>
    private static SKImage? Render(byte[] bytes, int targetWidth, bool strict)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes));
        if (codec is null) return null;
        var info = codec.Info;
        if ((long)info.Width * info.Height > MaxPixels) return null;

        var origin = codec.EncodedOrigin;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var uprightWidth = swap ? info.Height : info.Width;
        var uprightHeight = swap ? info.Width : info.Height;
        var outWidth = Math.Min(targetWidth, uprightWidth);
        var outHeight = Math.Max(1, (int)Math.Round((double)uprightHeight * outWidth / uprightWidth));

        var scale = Math.Min(1f, 2f * outWidth / uprightWidth);
        var decodeSize = codec.GetScaledDimensions(scale);
        if (decodeSize.Width < 1 || decodeSize.Height < 1) decodeSize = info.Size;
        var decodeInfo = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(decodeInfo);
        var result = codec.GetPixels(decodeInfo, bitmap.GetPixels());
        if (result != SKCodecResult.Success && (strict || result != SKCodecResult.IncompleteInput)) return null;

        using var surface = SKSurface.Create(new SKImageInfo(outWidth, outHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (surface is null) return null;
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        switch (origin)
        {
            case SKEncodedOrigin.BottomRight: canvas.Translate(outWidth, outHeight); canvas.RotateDegrees(180); break;
            case SKEncodedOrigin.RightTop: canvas.Translate(outWidth, 0); canvas.RotateDegrees(90); break;
            case SKEncodedOrigin.LeftBottom: canvas.Translate(0, outHeight); canvas.RotateDegrees(270); break;
            case SKEncodedOrigin.TopRight: canvas.Translate(outWidth, 0); canvas.Scale(-1, 1); break;
            case SKEncodedOrigin.BottomLeft: canvas.Translate(0, outHeight); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.LeftTop: canvas.RotateDegrees(90); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.RightBottom: canvas.Translate(outWidth, outHeight); canvas.RotateDegrees(90); canvas.Scale(-1, 1); break;
        }
        var destination = swap ? new SKRect(0, 0, outHeight, outWidth) : new SKRect(0, 0, outWidth, outHeight);
        using var source = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(source, destination, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        return surface.Snapshot();
    }
}
