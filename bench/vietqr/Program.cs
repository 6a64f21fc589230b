// VietQR PNG throughput: GET /api/vietqr.png through the whole web app (wrk over loopback) against calling QRCoder
// directly in-process on the same payload with the same pixels per module. Started by bench/vietqr/run.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using QRCoder;

var baseUrl = args.Length > 0 ? args[0] : "http://127.0.0.1:5392";
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
const string Query = "bin=970436&account=0011001234567&amount=150000&purpose=Thanh+toan+sap+A01&size=512";

using var http = new HttpClient();
var payload = JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/api/vietqr?{Query}")).RootElement.GetProperty("payload").GetString()!;
var png = await http.GetByteArrayAsync($"{baseUrl}/api/vietqr.png?{Query}");
int modules;
using (var generator = new QRCodeGenerator())
using (var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M))
    modules = data.ModuleMatrix.Count;
var pixels = Math.Max(1, 512 / modules);

byte[] Direct()
{
    using var generator = new QRCodeGenerator();
    using var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M);
    return new PngByteQRCode(data).GetGraphic(pixels, drawQuietZones: true);
}
if (!Direct().AsSpan().SequenceEqual(png)) Console.Error.WriteLine("warning: the API's PNG differs from QRCoder's direct output");

double InProcess(int threads, TimeSpan duration)
{
    var counts = new long[threads];
    var stop = Stopwatch.StartNew();
    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
    {
        while (stop.Elapsed < duration) { Direct(); counts[t]++; }
    });
    return counts.Sum() / stop.Elapsed.TotalSeconds;
}

InProcess(Environment.ProcessorCount, TimeSpan.FromSeconds(1)); // warm-up (JIT, tiered compilation)
var single = InProcess(1, TimeSpan.FromSeconds(seconds / 2.0));
var direct = InProcess(Environment.ProcessorCount, TimeSpan.FromSeconds(seconds));

async Task<(double Rps, string P99, string Errors)> Wrk(string duration)
{
    var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true };
    foreach (var a in new[] { "-t2", "-c32", "-d" + duration, "--latency", $"{baseUrl}/api/vietqr.png?{Query}" }) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    var p99 = Regex.Match(output, @"^\s+99%\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;
    var errors = string.Join("; ", Regex.Matches(output, @"(Non-2xx.*|Socket errors.*)").Select(m => m.Value.Trim()));
    return (rps, p99, errors);
}

await Wrk("3s"); // warm-up
var api = await Wrk($"{seconds}s");

Console.WriteLine($"VietQR PNG, {png.Length} bytes, {modules} modules × {pixels} px = {modules * pixels} px, payload {payload.Length} chars, {Environment.ProcessorCount} cores");
Console.WriteLine($"  QRCoder in-process, 1 thread      {single,10:F0} images/s");
Console.WriteLine($"  QRCoder in-process, {Environment.ProcessorCount} threads     {direct,10:F0} images/s");
Console.WriteLine($"  GET /api/vietqr.png (wrk, 2 threads, 32 connections, {seconds} s)  {api.Rps,10:F0} images/s   p99 {api.P99}   {api.Errors}");
Console.WriteLine($"  ratio API / in-process ({Environment.ProcessorCount} threads)  {api.Rps / direct:F2}");
