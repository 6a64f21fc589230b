using System.Diagnostics;
using Cho40.Db.Domain;
using Cho40.Web.Printing;
using QRCoder;
using SkiaSharp;

// Label-sheet benchmark: the time to render 1,000 labels as a PDF (A4, 3 × 8 labels of 70 × 37 mm, each with its own
// GS1 Digital Link QR code, the product name, the lot and the short address — what the seller's "print labels" button
// makes), against a target of 500 ms. For context, in the same interleaved rounds: QRCoder encoding the same 1,000
// codes alone on one core, and an empty PDF of the same 42 pages. BENCH_ROUNDS (default 9), BENCH_LABELS (1000).
var rounds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_ROUNDS"), out var r) ? r : 9;
var count = int.TryParse(Environment.GetEnvironmentVariable("BENCH_LABELS"), out var n) ? n : 1000;
var layout = LabelLayout.A4x24;
var pages = (count + layout.PerPage - 1) / layout.PerPage;
var sheet = Enumerable.Range(0, count)
    .Select(_ => TraceCode.NewSerial())
    .Select(s => new Label($"https://cho40.vn/01/08936042000017/10/TC2025-A/21/{s}", "Chè Tân Cương đặc biệt", "TC2025-A", $"cho40.vn/t/TCDB25AQ/{s}"))
    .ToList();

long bytes = 0;
double Sheet()
{
    using var output = new MemoryStream();
    var watch = Stopwatch.StartNew();
    LabelSheet.Write(output, layout, sheet, "bench");
    var ms = watch.Elapsed.TotalMilliseconds;
    bytes = output.Length;
    return ms;
}
double QrAlone()
{
    var watch = Stopwatch.StartNew();
    foreach (var label in sheet)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(label.QrText, QRCodeGenerator.ECCLevel.M);
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
            document.BeginPage(595.3f, 841.9f);
            document.EndPage();
        }
        document.Close();
    }
    return watch.Elapsed.TotalMilliseconds;
}

var measures = new (string Name, Func<double> Run, List<double> Times)[]
{
    ($"label sheet, {count:N0} labels", Sheet, []),
    ($"baseline: QRCoder alone, {count:N0} codes, one core", QrAlone, []),
    ($"baseline: empty PDF, {pages} pages", EmptyPdf, []),
};
// Warm-up (JIT, the font, the thread pool), not counted.
foreach (var m in measures) m.Run();
for (var round = 0; round < rounds; round++)
{
    // Rotate the order so that no measure always follows the same one.
    for (var k = 0; k < measures.Length; k++)
    {
        var m = measures[(round + k) % measures.Length];
        m.Times.Add(m.Run());
    }
}

static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {load}; {rounds} interleaved rounds");
foreach (var (name, _, times) in measures)
    Console.WriteLine($"  {name,-46} median {Median(times),6:0} ms  (min {times.Min():0}, max {times.Max():0})");
var median = Median(measures[0].Times);
Console.WriteLine($"label PDF: {count:N0} labels on {pages} pages, {bytes / 1024:N0} KB");
var met = median < 500 * count / 1000.0;
Console.WriteLine($"target {(met ? "met" : "NOT MET")}: 1,000 labels in < 500 ms — {median:0} ms");
