using System.Globalization;

namespace Cho40.Bench.Soak;

/// <summary>
/// Resident memory (VmRSS from /proc/PID/status) of every web and job process, every 10 s. "Flat" means the
/// least-squares slope over the second half of the run (after start-up, JIT and caches have settled) stays under
/// <see cref="FlatMegabytesPerMinute"/>; a process that disappears is a failure of its own.
/// </summary>
public sealed class MemorySampler(IReadOnlyList<(string Name, int Pid)> processes, TimeSpan every)
{
    public const double FlatMegabytesPerMinute = 2.0;

    private readonly List<(double Minutes, string Name, double Megabytes)> samples = [];
    private readonly HashSet<string> vanished = [];
    private readonly System.Diagnostics.Stopwatch clock = new();
    private Timer? timer;

    public void Start()
    {
        clock.Start();
        timer = new Timer(_ => Sample(), null, TimeSpan.Zero, every);
    }

    public void Stop()
    {
        timer?.Dispose();
        Sample();
    }

    private void Sample()
    {
        var minutes = clock.Elapsed.TotalMinutes;
        foreach (var (name, pid) in processes)
        {
            double? kb = null;
            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is not null) kb = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            lock (samples)
            {
                if (kb is null) vanished.Add(name);
                else samples.Add((minutes, name, kb.Value / 1024));
            }
        }
    }

    /// <summary>Prints start / mid / end / max and slopes per process; false when a process vanished or kept growing.</summary>
    public bool Print(double runMinutes)
    {
        Console.WriteLine();
        Console.WriteLine("memory (RSS, MB; sampled every 10 s):");
        Console.WriteLine($"  {"process",-8} {"pid",7} {"start",7} {"mid",7} {"end",7} {"max",7} {"slope all",12} {"slope 2nd half",16}");
        var ok = true;
        lock (samples)
        {
            foreach (var (name, pid) in processes)
            {
                var mine = samples.Where(s => s.Name == name).ToList();
                if (mine.Count == 0) { Console.WriteLine($"  {name,-8} {pid,7} no samples"); ok = false; continue; }
                var end = mine[^1];
                var mid = mine.MinBy(s => Math.Abs(s.Minutes - end.Minutes / 2));
                var secondHalf = mine.Where(s => s.Minutes >= end.Minutes / 2).ToList();
                var slopeAll = Slope(mine);
                var slopeLate = Slope(secondHalf);
                var flat = slopeLate <= FlatMegabytesPerMinute;
                var judged = runMinutes >= 5;
                Console.WriteLine($"  {name,-8} {pid,7} {mine[0].Megabytes,7:F0} {mid.Megabytes,7:F0} {end.Megabytes,7:F0} {mine.Max(s => s.Megabytes),7:F0}" +
                                  $" {slopeAll,8:+0.00;-0.00} MB/min {slopeLate,8:+0.00;-0.00} MB/min" +
                                  (vanished.Contains(name) ? "  PROCESS GONE" : judged ? flat ? "  flat" : "  GROWING" : "  (run too short to judge)"));
                if (vanished.Contains(name) || (judged && !flat)) ok = false;
            }
        }
        return ok;
    }

    private static double Slope(List<(double Minutes, string Name, double Megabytes)> points)
    {
        if (points.Count < 2) return 0;
        var mx = points.Average(p => p.Minutes);
        var my = points.Average(p => p.Megabytes);
        var sxx = points.Sum(p => (p.Minutes - mx) * (p.Minutes - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.Minutes - mx) * (p.Megabytes - my)) / sxx;
    }
}
