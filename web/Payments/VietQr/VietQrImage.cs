using QRCoder;

namespace Cho40.Web.Payments.VietQr;

/// <summary>QR images of a payload: error correction level M (survives a scuffed sign), 4-module quiet zone.</summary>
public static class VietQrImage
{
    public const int QuietZoneModules = 4;

    public static byte[] Png(string payload, int pixelsPerModule = 10)
    {
        using var data = Matrix(payload);
        return new PngByteQRCode(data).GetGraphic(Check(pixelsPerModule), drawQuietZones: true);
    }

    public static string Svg(string payload, int pixelsPerModule = 10)
    {
        using var data = Matrix(payload);
        return new SvgQRCode(data).GetGraphic(Check(pixelsPerModule), "#000000", "#ffffff", drawQuietZones: true,
            SvgQRCode.SizingMode.WidthHeightAttribute);
    }

    /// <summary>A PNG at most <paramref name="maxPixels"/> wide, with whole pixels per module (sharp edges); one QR computation.</summary>
    public static byte[] PngWithin(string payload, int maxPixels)
    {
        using var data = Matrix(payload);
        return new PngByteQRCode(data).GetGraphic(Fit(data, maxPixels), drawQuietZones: true);
    }

    /// <summary>An SVG whose width/height are at most <paramref name="maxPixels"/>, whole pixels per module.</summary>
    public static string SvgWithin(string payload, int maxPixels)
    {
        using var data = Matrix(payload);
        return new SvgQRCode(data).GetGraphic(Fit(data, maxPixels), "#000000", "#ffffff", drawQuietZones: true,
            SvgQRCode.SizingMode.WidthHeightAttribute);
    }

    private static int Fit(QRCodeData data, int maxPixels) => Math.Clamp(maxPixels / data.ModuleMatrix.Count, 1, 100);

    /// <summary>Modules per side including the quiet zone (what a caller needs to choose pixels per module).</summary>
    public static int ModulesPerSide(string payload)
    {
        using var data = Matrix(payload);
        return data.ModuleMatrix.Count;
    }

    /// <summary>The module matrix with the quiet zone (true = dark), for renderers that draw the modules themselves.</summary>
    public static bool[][] Modules(string payload)
    {
        using var data = Matrix(payload);
        return data.ModuleMatrix.Select(row => Enumerable.Range(0, row.Length).Select(i => row[i]).ToArray()).ToArray();
    }

    private static QRCodeData Matrix(string payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(payload);
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M);
    }

    private static int Check(int pixelsPerModule) =>
        pixelsPerModule is >= 1 and <= 100 ? pixelsPerModule : throw new ArgumentOutOfRangeException(nameof(pixelsPerModule));
}
