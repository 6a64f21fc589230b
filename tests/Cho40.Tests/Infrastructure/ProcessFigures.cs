using System.Globalization;

namespace Cho40.Tests.Infrastructure;

/// <summary>What the kernel counts for a process (Linux /proc): CPU time, resident memory, bytes written.</summary>
public static class ProcessFigures
{
    /// <summary>Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on every Linux this runs on).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU time of every thread of the process so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain spaces: count fields from the closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Resident set size now (VmRSS), in bytes.</summary>
    public static long Rss(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>Bytes the process passed to write(2) and friends so far (files, pipes and sockets alike): /proc/PID/io wchar.</summary>
    public static long BytesWritten(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            if (line.StartsWith("wchar:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException("no wchar in /proc/PID/io");
    }

    private static long StatusKilobytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no {field} in /proc/PID/status");
    }

    /// <summary>The bytes of every file under <paramref name="folder"/> now (files vanishing while counted count 0).</summary>
    public static long FolderBytes(string folder)
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            try { total += file.Length; }
            catch (FileNotFoundException) { }
        }
        return total;
    }

    /// <summary>
    /// Runs <paramref name="action"/> while sampling <paramref name="measure"/> every few milliseconds; returns the
    /// action's result and the largest value seen (the value before the action included).
    /// </summary>
    public static async Task<(T Result, long Peak)> PeakDuringAsync<T>(Func<long> measure, Func<Task<T>> action)
    {
        var peak = measure();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { peak = Math.Max(peak, measure()); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
                await Task.Delay(5);
            }
        });
        try
        {
            return (await action(), Math.Max(peak, measure()));
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }
    }
}
