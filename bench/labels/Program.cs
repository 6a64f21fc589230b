using System.Diagnostics;
using Cho40.Db.Domain;
using Cho40.Web.Printing;
using QRCoder;
using SkiaSharp;

// Label-sheet benchmark: the time to render 1,000 labels as a PDF (A4, 3 × 8 labels of 70 × 37 mm, each with its own
// GS1 Digital Link QR code, the product name, the lot and the short address — what the seller's "print labels" button
// makes), against a target of 500 ms. In the same interleaved rounds, where the time goes, each part on one core:
// QRCoder encoding the 1,000 codes, the same plus their outline paths, a PDF of only those paths (Skia writing and
// compressing the vector QR codes), and an empty PDF of as many pages. BENCH_ROUNDS (default 9), BENCH_LABELS (1000).
var rounds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_ROUNDS"), out var r) ? r : 9;
var count = int.TryParse(Environment.GetEnvironmentVariable("BENCH_LABELS"), out var n) ? n : 1000;
var layout = LabelLayout.A4x24;
var pages = (count + layout.PerPage - 1) / layout.PerPage;
var sheet = Enumerable.Range(0, count)
    .Select(_ => TraceCode.NewSerial())
    .Select(s => new Label($"https://cho40.vn/01/08936042000017/10/TC2025-A/21/{s}", "Chè Tân Cương đặc biệt", "TC2025-A", $"cho40.vn/t/TCDB25AQ/{s}"))
    .ToList();
const float PageWidth = 595.28f, PageHeight = 841.89f;

long bytes = 0;
var sheetCpu = new List<double>();
var process = Process.GetCurrentProcess();
double Sheet()
{
    using var output = new MemoryStream();
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    LabelSheet.Write(output, layout, sheet, "bench");
    var ms = watch.Elapsed.TotalMilliseconds;
    process.Refresh();
    sheetCpu.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
    bytes = output.Length;
    return ms;
}
bool[][] Modules(string text)
{
    using var generator = new QRCodeGenerator();
    using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
    return data.ModuleMatrix.Select(row => Enumerable.Range(0, row.Length).Select(i => row[i]).ToArray()).ToArray();
}
double Encode()
{
    var watch = Stopwatch.StartNew();
    foreach (var label in sheet) Modules(label.QrText);
    return watch.Elapsed.TotalMilliseconds;
}
double EncodeAndOutline()
{
    var watch = Stopwatch.StartNew();
    foreach (var label in sheet) PdfDrawing.QrOutline(Modules(label.QrText)).Dispose();
    return watch.Elapsed.TotalMilliseconds;
}
var outlines = sheet.Select(l => Modules(l.QrText)).Select(m => (Path: PdfDrawing.QrOutline(m), Size: m.Length)).ToList();
double PathsOnly()
{
    using var output = new MemoryStream();
    using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false };
    var watch = Stopwatch.StartNew();
    using (var document = SKDocument.CreatePdf(output))
    {
        for (var p = 0; p < pages; p++)
        {
            var canvas = document.BeginPage(PageWidth, PageHeight);
            for (var i = p * layout.PerPage; i < Math.Min(count, (p + 1) * layout.PerPage); i++)
            {
                canvas.Save();
                canvas.Translate(i % layout.Columns * PageWidth / layout.Columns + 2, i % layout.PerPage / layout.Columns * PageHeight / layout.Rows + 2);
                canvas.Scale(100f / outlines[i].Size);
                canvas.DrawPath(outlines[i].Path, black);
                canvas.Restore();
            }
            document.EndPage();
        }
        document.Close();
    }
    return watch.Elapsed.TotalMilliseconds;
}
double EmptyPdf()
{
    using var output = new MemoryStream();
    var watch = Stopwatch.StartNew();
    using (var document = SKDocument.CreatePdf(output))
    {
        for (var p = 0; p < pages; p++)
        {
            document.BeginPage(PageWidth, PageHeight);
            document.EndPage();
        }
        document.Close();
    }
    return watch.Elapsed.TotalMilliseconds;
}

var measures = new (string Name, Func<double> Run, List<double> Times)[]
{
    ($"label sheet, {count:N0} labels (all cores)", Sheet, []),
    ($"  QRCoder alone, {count:N0} codes", Encode, []),
    ($"  QRCoder + outline paths", EncodeAndOutline, []),
    ($"  PDF of only the {count:N0} QR paths", PathsOnly, []),
    ($"  empty PDF, {pages} pages", EmptyPdf, []),
};
// Warm-up (JIT, the font, the thread pool), not counted.
foreach (var m in measures) m.Run();
sheetCpu.Clear();
for (var round = 0; round < rounds; round++)
{
    // Rotate the order so that no measure always follows the same one.
    for (var k = 0; k < measures.Length; k++)
    {
        var m = measures[(round + k) % measures.Length];
        m.Times.Add(m.Run());
    }
}
foreach (var (path, _) in outlines) path.Dispose();

static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {load}; {rounds} interleaved rounds; parts below on one core");
foreach (var (name, _, times) in measures)
    Console.WriteLine($"  {name,-46} median {Median(times),6:0} ms  (min {times.Min():0}, max {times.Max():0})");
var median = Median(measures[0].Times);
Console.WriteLine($"label PDF: {count:N0} labels on {pages} pages, {bytes / 1024:N0} KB; CPU time per sheet (all threads) median {Median(sheetCpu):0} ms");
var met = median < 500 * count / 1000.0;
Console.WriteLine($"target {(met ? "met" : "NOT MET")}: 1,000 labels in < 500 ms — {median:0} ms");
