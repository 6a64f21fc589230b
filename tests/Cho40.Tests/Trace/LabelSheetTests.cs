using Cho40.Web.Printing;
using SkiaSharp;

namespace Cho40.Tests.Trace;

/// <summary>
/// The label sheet's PDF on its own (no app): the QR codes are encoded on helper threads while pages are drawn, so every
/// page must still carry its own labels' codes in order; and the QR outlines must fill exactly the dark modules.
/// </summary>
public sealed class LabelSheetTests
{
    [Trait("Speed", "Slow")]
    [Fact]
    public async Task A_sheet_of_many_pages_prints_each_label_s_own_code_and_text_on_every_page()
    {
        var run = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var labels = Enumerable.Range(1, 100)
            .Select(i => new Label($"https://cho40.vn/01/08936042000017/10/L{run}/21/S{i:D3}",
                i % 7 == 0 ? "Chè Thái Nguyên đặc biệt loại một, hộp quà tặng Tết cao cấp" : "Chè Tân Cương đặc biệt",
                $"L{run}", $"cho40.vn/t/TCDB25AQ/S{i:D3}"))
            .ToList();
        using var output = new MemoryStream();
        LabelSheet.Write(output, LabelLayout.A4x24, labels, "test");
        var pdf = output.ToArray();

        var file = Path.Combine(Path.GetTempPath(), $"cho40-sheet-{run}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            Assert.Contains("Pages:           5", await TraceTests.RunAsync("pdfinfo", file));
            // Pages 1, 3 and 5 (the last holds 4 labels): each label's QR decodes to its own code, in reading order.
            foreach (var (page, first, count) in new[] { (1, 0, 24), (3, 48, 24), (5, 96, 4) })
            {
                var decoded = await TraceTests.DecodePageAsync(pdf, LabelLayout.A4x24, count, page);
                Assert.Equal(labels.Skip(first).Take(count).Select(l => l.QrText).ToList(), decoded);
            }
            var lastPage = await TraceTests.RunAsync("pdftotext", $"-f 5 -l 5 {file} -");
            foreach (var serial in new[] { "S097", "S098", "S099", "S100" }) Assert.Contains(serial, lastPage);
            Assert.Contains($"Lô/Lot: L{run}", lastPage);
            Assert.Contains("Chè Tân Cương", lastPage);
            Assert.Contains("Chè Thái Nguyên", lastPage); // label 98
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_sheet_without_labels_is_one_blank_page()
    {
        using var output = new MemoryStream();
        LabelSheet.Write(output, LabelLayout.A4x40, [], "empty");
        var file = Path.Combine(Path.GetTempPath(), $"cho40-sheet-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, output.ToArray());
        try
        {
            Assert.Contains("Pages:           1", await TraceTests.RunAsync("pdfinfo", file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static TheoryData<string> Matrices => new()
    {
        "#",
        ".",
        "##\n##",
        "#.\n.#",          // two modules touching at a corner only
        ".#\n#.",
        "###\n#.#\n###",   // a ring: the hole stays light
        "#####\n#...#\n#.#.#\n#...#\n#####", // a dark module inside a hole
        "#.#.\n.#.#\n#.#.\n.#.#",
    };

    [Theory]
    [MemberData(nameof(Matrices))]
    public void The_QR_outline_fills_exactly_the_dark_modules(string picture)
    {
        var modules = picture.Split('\n').Select(row => row.Select(c => c == '#').ToArray()).ToArray();
        AssertFillsExactly(modules);
    }

    [Fact]
    public void The_QR_outline_fills_exactly_the_dark_modules_of_random_matrices_and_of_real_codes()
    {
        var random = new Random(20261206);
        for (var n = 0; n < 200; n++)
        {
            var side = random.Next(1, 30);
            var density = random.NextDouble();
            AssertFillsExactly(Enumerable.Range(0, side).Select(_ => Enumerable.Range(0, side).Select(_ => random.NextDouble() < density).ToArray()).ToArray());
        }
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode("https://cho40.vn/01/08936042000017/10/TC2025-A/21/ABCD2345", QRCoder.QRCodeGenerator.ECCLevel.M);
        AssertFillsExactly(data.ModuleMatrix.Select(row => Enumerable.Range(0, row.Length).Select(i => row[i]).ToArray()).ToArray());
    }

    /// <summary>
    /// The outline's corners lie on the module grid, so each module is wholly in or out of the fill: its centre decides.
    /// </summary>
    private static void AssertFillsExactly(bool[][] modules)
    {
        using var path = PdfDrawing.QrOutline(modules);
        Assert.Equal(SKPathFillType.Winding, path.FillType);
        foreach (var point in path.Points)
        {
            Assert.Equal(Math.Round(point.X), point.X);
            Assert.Equal(Math.Round(point.Y), point.Y);
        }
        for (var y = 0; y < modules.Length; y++)
            for (var x = 0; x < modules[y].Length; x++)
                Assert.True(modules[y][x] == path.Contains(x + 0.5f, y + 0.5f), $"module ({x}, {y}) should be {(modules[y][x] ? "dark" : "light")}");
        // Only corners are kept: no point of an outline lies on a straight line between its neighbours.
        foreach (var outline in Outlines(path))
        {
            for (var i = 0; i < outline.Count; i++)
            {
                var (a, b, c) = (outline[(i + outline.Count - 1) % outline.Count], outline[i], outline[(i + 1) % outline.Count]);
                Assert.NotEqual(0f, (b.X - a.X) * (c.Y - b.Y) - (b.Y - a.Y) * (c.X - b.X));
            }
        }
    }

    private static List<List<SKPoint>> Outlines(SKPath path)
    {
        var outlines = new List<List<SKPoint>>();
        using var iterator = path.CreateRawIterator();
        var points = new SKPoint[4];
        SKPathVerb verb;
        while ((verb = iterator.Next(points)) != SKPathVerb.Done)
        {
            if (verb == SKPathVerb.Move) outlines.Add([points[0]]);
            else if (verb == SKPathVerb.Line) outlines[^1].Add(points[1]);
        }
        return outlines;
    }
}
