using System.Diagnostics;

namespace Cho40.Tests.Payments;

/// <summary>Independent readers of what we render: zbarimg (QR), pdftoppm (PDF → PNG), pdffonts (embedded fonts).</summary>
public static class QrTools
{
    /// <summary>Every code zbarimg finds in a PNG, exactly as encoded (-Sbinary: no charset guessing).</summary>
    public static async Task<string> DecodePngAsync(byte[] png)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cho40-qr-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(path, png);
        try
        {
            var (code, output, error) = await RunAsync("zbarimg", "--raw", "-q", "-Sbinary", path);
            Assert.True(code == 0, $"zbarimg found no code (exit {code}) {error}");
            // zbarimg ends each symbol with a newline.
            return output.EndsWith('\n') ? output[..^1] : output;
        }
        finally { File.Delete(path); }
    }

    /// <summary>Each page of a PDF as PNG at the given resolution.</summary>
    public static async Task<List<byte[]>> PdfPagesAsync(byte[] pdf, int dpi = 150)
    {
        var dir = Directory.CreateTempSubdirectory("cho40-pdf-");
        try
        {
            var pdfPath = Path.Combine(dir.FullName, "doc.pdf");
            await File.WriteAllBytesAsync(pdfPath, pdf);
            var (code, _, error) = await RunAsync("pdftoppm", "-r", dpi.ToString(), "-png", pdfPath, Path.Combine(dir.FullName, "page"));
            Assert.True(code == 0, $"pdftoppm failed: {error}");
            return Directory.GetFiles(dir.FullName, "page*.png").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        }
        finally { dir.Delete(recursive: true); }
    }

    public static async Task<string> PdfFontsAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cho40-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var (code, output, error) = await RunAsync("pdffonts", path);
            Assert.True(code == 0, $"pdffonts failed: {error}");
            return output;
        }
        finally { File.Delete(path); }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
