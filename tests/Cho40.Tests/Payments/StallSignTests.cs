using Cho40.Web.Payments.VietQr;
using Cho40.Web.Printing;
using SkiaSharp;
using Cho40.Db.Domain;

namespace Cho40.Tests.Payments;

public sealed class StallSignTests
{
    private static StallSignContent Sign(string stall, string account, string holder = "Nguyễn Thị Hoa") =>
        new("Chợ Thái Nguyên", stall, "Rau sạch cô Hoa", "Vietcombank", StallSigns.MaskAccount(account), holder,
            VietQrPayload.Build(new VietQrRequest("970436", account)));

    [Fact]
    public async Task A_market_sheet_has_one_scannable_sign_per_page_with_the_font_embedded()
    {
        var signs = new[]
        {
            Sign("A01", "0011001234567"),
            Sign("A02", "1903123456789012", "Trần Văn Đức"),
            new StallSignContent("Chợ Đồng Hỷ — khu thực phẩm tươi sống phía đông cổng chính", "B12",
                "Thịt lợn sạch, gà đồi, trứng vịt lộn và các loại đặc sản miền núi", "BIDV", StallSigns.MaskAccount("21510001234567"),
                "Hoàng Thị Phương Thảo Nguyễn Ngọc Ánh",
                VietQrPayload.Build(new VietQrRequest("970418", "21510001234567", Purpose: "Thanh toan sap B12"))),
        };
        var pdf = StallSigns.Pdf(signs, SignPaper.A6);
        var pages = await QrTools.PdfPagesAsync(pdf, 150);
        Assert.Equal(signs.Length, pages.Count);
        for (var i = 0; i < signs.Length; i++)
            Assert.Equal(signs[i].Payload, await QrTools.DecodePngAsync(pages[i]));

        var fonts = await QrTools.PdfFontsAsync(pdf);
        var rows = fonts.Split('\n').Where(l => l.Contains("DejaVuSans")).ToList();
        Assert.Contains(rows, r => r.Contains("DejaVuSans-Bold"));
        Assert.All(rows, r => Assert.Matches(@"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", r)); // emb, sub
    }

    [Theory]
    [InlineData(SignPaper.A6, 105, 148, 70)]
    [InlineData(SignPaper.A5, 148, 210, 98)]
    public async Task The_code_is_large_enough_to_scan_from_a_metre(SignPaper paper, int widthMm, int heightMm, int minQrMm)
    {
        var sign = Sign("A01", "0011001234567");
        var pages = await QrTools.PdfPagesAsync(StallSigns.Pdf([sign], paper), 150);
        using var page = SKBitmap.Decode(pages.Single());
        var pxPerMm = 150 / 25.4;
        Assert.InRange(page.Width, (widthMm - 1) * pxPerMm, (widthMm + 1) * pxPerMm);
        Assert.InRange(page.Height, (heightMm - 1) * pxPerMm, (heightMm + 1) * pxPerMm);
        // Width of the black module area of the QR (finder patterns on both sides) on the middle row of the top finder.
        var (left, right) = QrExtent(page);
        Assert.True((right - left) / pxPerMm >= minQrMm, $"QR is {(right - left) / pxPerMm:F1} mm wide");
        Assert.Equal(sign.Payload, await QrTools.DecodePngAsync(pages.Single()));
    }

    [Fact]
    public async Task Png_sign_decodes_too()
    {
        var sign = Sign("C07", "0071000123456", "Lê Văn Bình");
        var png = StallSigns.Png(sign, SignPaper.A6, dpi: 200);
        using (var bitmap = SKBitmap.Decode(png))
        {
            Assert.Equal((int)Math.Round(105 / 25.4 * 200), bitmap.Width);
            Assert.Equal((int)Math.Round(148 / 25.4 * 200), bitmap.Height);
        }
        Assert.Equal(sign.Payload, await QrTools.DecodePngAsync(png));
        Assert.Equal(sign.Payload, await QrTools.DecodePngAsync(StallSigns.Png(sign, SignPaper.A5, dpi: 120)));
    }

    [Theory]
    [InlineData("0011001234567", "•••• 4567")]
    [InlineData("0011 0012 34567", "•••• 4567")]
    [InlineData("12345", "•••• 2345")]
    [InlineData("1234", "•••• 34")]
    [InlineData("", "")]
    public void Account_numbers_are_masked_to_the_last_four(string account, string expected) =>
        Assert.Equal(expected, StallSigns.MaskAccount(account));

    /// <summary>Leftmost and rightmost dark pixel on the row through the centre of the top finder patterns.</summary>
    private static (int Left, int Right) QrExtent(SKBitmap page)
    {
        // Find the first row (below the heading band) that has a long dark run: the top edge of the finder patterns.
        for (var y = page.Height / 5; y < page.Height * 3 / 4; y++)
        {
            int left = -1, right = -1;
            for (var x = 0; x < page.Width; x++)
            {
                var c = page.GetPixel(x, y);
                if (c.Red < 60 && c.Green < 60 && c.Blue < 60) { if (left < 0) left = x; right = x; }
            }
            if (left >= 0 && right - left > page.Width / 2) return (left, right);
        }
        throw new Xunit.Sdk.XunitException("no QR found on the page");
    }
}
