using System.Xml.Linq;
using Cho40.Web.Payments.VietQr;
using Cho40.Web.Printing;
using SkiaSharp;
using Cho40.Db.Domain;

namespace Cho40.Tests.Payments;

/// <summary>Rendered codes are read back by an independent decoder (zbarimg), never by our own parser.</summary>
public sealed class VietQrImageTests
{
    private static IEnumerable<string> SamplePayloads()
    {
        yield return VietQrPayload.Build(new VietQrRequest("970436", "0011001234567"));
        yield return VietQrPayload.Build(new VietQrRequest("970415", "0011001932418", AmountVnd: 120000, Purpose: "ủng hộ lũ lụt"));
        yield return VietQrPayload.Build(new VietQrRequest("970405", "1", AmountVnd: 1));
        yield return VietQrPayload.Build(new VietQrRequest("970422", "1234567890123456789", AmountVnd: 499_999_999,
            Purpose: "Thanh toán sạp A01 chợ TN", BillNumber: "B234567890123456789012345", Reference: "R234567890123456789012345"));
        yield return VietQrPayload.Build(new VietQrRequest("970436", "9704366800123456789", VietQrService.Card, AmountVnd: 200000, Purpose: "C40 7KQ3XM"));
        yield return VietQrPayload.Build(new VietQrRequest("970418", "21510001234567", AmountVnd: 35000, Purpose: "Rau muống, cải; ớt (2kg)!"));
        yield return VietQrPayload.Build(new VietQrRequest("970407", "19031234567890", AmountVnd: 1_500_000, Purpose: "Đặc sản Đồng Hỷ".Normalize(System.Text.NormalizationForm.FormD)));
        yield return VietQrPayload.Build(new VietQrRequest("970454", "99887766", Purpose: "Tra Tan Cuong"));
    }

    [Fact]
    public async Task Every_png_decodes_to_exactly_its_payload()
    {
        var n = 0;
        foreach (var payload in SamplePayloads())
        foreach (var pixels in new[] { 3, 10 })
        {
            var png = VietQrImage.Png(payload, pixels);
            Assert.Equal(payload, await QrTools.DecodePngAsync(png));
            n++;
        }
        Assert.Equal(16, n);
    }

    [Fact]
    public void Png_has_a_four_module_quiet_zone_and_the_requested_module_size()
    {
        var payload = SamplePayloads().First();
        var modules = VietQrImage.ModulesPerSide(payload);
        using var bitmap = SKBitmap.Decode(VietQrImage.Png(payload, 10));
        Assert.Equal(modules * 10, bitmap.Width);
        Assert.Equal(bitmap.Width, bitmap.Height);
        // The outer 4 modules are white all round; the finder pattern starts right after them.
        for (var i = 0; i < bitmap.Width; i++)
        for (var edge = 0; edge < 40; edge += 9)
        {
            Assert.Equal(SKColors.White, Rgb(bitmap.GetPixel(i, edge)));
            Assert.Equal(SKColors.White, Rgb(bitmap.GetPixel(edge, i)));
            Assert.Equal(SKColors.White, Rgb(bitmap.GetPixel(i, bitmap.Height - 1 - edge)));
        }
        Assert.Equal(SKColors.Black, Rgb(bitmap.GetPixel(41, 41)));
    }

    [Fact]
    public async Task Svg_is_a_scalable_image_of_the_same_modules()
    {
        var payload = SamplePayloads().Skip(1).First();
        var svg = VietQrImage.Svg(payload, 4);
        var root = XDocument.Parse(svg).Root!;
        Assert.Equal("svg", root.Name.LocalName);
        var modules = VietQrImage.ModulesPerSide(payload);
        Assert.Equal($"0 0 {modules} {modules}", root.Attribute("viewBox")!.Value);
        Assert.Equal((modules * 4).ToString(), root.Attribute("width")!.Value);
        // Rasterise the SVG's own path (4 px per module) and decode it: what the SVG draws is the code.
        var side = modules * 4;
        var dark = root.Descendants(root.Name.Namespace + "path").Single(p => (string?)p.Attribute("fill") == "#000000");
        using var bitmap = new SKBitmap(side, side);
        using (var canvas = new SKCanvas(bitmap))
        using (var path = SKPath.ParseSvgPathData(dark.Attribute("d")!.Value))
        using (var black = new SKPaint { Color = SKColors.Black })
        {
            canvas.Clear(SKColors.White);
            canvas.Scale(4);
            canvas.DrawPath(path, black);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Assert.Equal(payload, await QrTools.DecodePngAsync(data.ToArray()));
    }

    private static SKColor Rgb(SKColor c) => new(c.Red, c.Green, c.Blue);
}
