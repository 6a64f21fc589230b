using System.Diagnostics;
using Cho40.Tests.Infrastructure;
using Xunit.Abstractions;
namespace Cho40.Tests.Foundation;
public sealed class ZzMeasureStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Measure()
    {
        for (var i = 0; i < 6; i++)
        {
            var sw = Stopwatch.StartNew();
            var cs = await TestDatabase.CreateAsync(true);
            var clone = sw.ElapsedMilliseconds;
            var app = new Cho40App(cs);
            _ = app.Server;
            var start = sw.ElapsedMilliseconds;
            using (var c = app.NewClient()) { await c.Http.GetAsync("/"); }
            var first = sw.ElapsedMilliseconds;
            using (var c = app.NewClient()) { await c.SignInAsync("0900000004"); }
            var signin = sw.ElapsedMilliseconds;
            await app.DisposeAsync();
            var disp = sw.ElapsedMilliseconds;
            output.WriteLine($"clone {clone} start {start} firstGET {first} signin {signin} dispose {disp}");
            System.IO.File.AppendAllText("/tmp/wt-tests-runs/measure.txt", $"clone {clone} start {start} firstGET {first} signin {signin} dispose {disp}\n");
        }
    }
}
