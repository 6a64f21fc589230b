using System.Diagnostics;
using System.Threading.Channels;

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// A Hangfire job process as in production (<c>dotnet Cho40.Jobs.dll</c>), for tests that SIGKILL it mid-job or run
/// several side by side. Its standard output is readable line by line.
/// </summary>
public sealed class JobProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();

    private JobProcess(Process process) => this.process = process;

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public static JobProcess Start(string databaseUrl, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cho40.Jobs.dll"));
        start.Environment["DATABASE_URL"] = databaseUrl;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var job = new JobProcess(Process.Start(start)!);
        job.process.OutputDataReceived += (_, e) => { if (e.Data is not null) { job.lines.Writer.TryWrite(e.Data); job.Keep(e.Data); } };
        job.process.ErrorDataReceived += (_, e) => job.Keep(e.Data);
        job.process.BeginOutputReadLine();
        job.process.BeginErrorReadLine();
        return job;
    }

    /// <summary>The last lines the process wrote (standard output and error), for failure messages.</summary>
    public string RecentOutput => string.Join('\n', output);

    private void Keep(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 200) output.TryDequeue(out _);
    }

    /// <summary>Waits for a line of standard output equal to <paramref name="expected"/>.</summary>
    public async Task WaitForLineAsync(string expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await lines.Reader.ReadAsync(cts.Token) != expected) { }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the job process did not print '{expected}' within {timeout.TotalSeconds:F0} s"
                                       + (process.HasExited ? $" (it exited with {process.ExitCode})" : ""));
        }
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, as when the machine or the OOM killer stops it.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
