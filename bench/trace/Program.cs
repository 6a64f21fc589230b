using System.Diagnostics;
using Cho40.Db.Domain;
using Cho40.Web.Printing;

// Time to render a 1,000-label PDF (3 × 8 sheets, one pack code per label, as the seller's "print" button does).
const int labels = 1000;
var sheet = Enumerable.Range(0, labels)
    .Select(_ => TraceCode.NewSerial())
    .Select(s => new Label($"https://cho40.vn/01/08936042000017/10/TC2025-A/21/{s}", "Chè Tân Cương đặc biệt", "TC2025-A", $"cho40.vn/t/TCDB25AQ/{s}"))
    .ToList();

LabelSheet.Write(Stream.Null, LabelLayout.A4x24, sheet.Take(24).ToList(), "warm-up");
var times = new List<double>();
long bytes = 0;
for (var run = 0; run < 5; run++)
{
    using var output = new MemoryStream();
    var watch = Stopwatch.StartNew();
    LabelSheet.Write(output, LabelLayout.A4x24, sheet, "bench");
    times.Add(watch.Elapsed.TotalMilliseconds);
    bytes = output.Length;
}
times.Sort();
Console.WriteLine($"label PDF: {labels} labels on {(labels + 23) / 24} pages, median {times[2]:0} ms (min {times[0]:0}, max {times[^1]:0}), {bytes / 1024} KB");
