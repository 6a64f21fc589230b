using System.Diagnostics;

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// The web app as a real operating-system process (the Cho40.Web.dll built next to the tests), for
/// tests that kill processes or take the database away from under them.
/// </summary>
public sealed class WebProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();

    private WebProcess(Process process, string baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int ProcessId => process.Id;

    public static async Task<WebProcess> StartAsync(string databaseUrl, IDictionary<string, string>? environment = null)
    {
        var port = LocalCluster.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // CHO40_WEB_DLL runs another build of the web app (e.g. an older commit's, to measure "before" figures).
        var dll = Environment.GetEnvironmentVariable("CHO40_WEB_DLL") is { Length: > 0 } other ? other : Path.Combine(AppContext.BaseDirectory, "Cho40.Web.dll");
        start.WorkingDirectory = Path.GetDirectoryName(dll)!;
        start.ArgumentList.Add(dll);
        start.Environment["DATABASE_URL"] = databaseUrl;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Cho40__SeedDemoData"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Production starts only with its own public address, host names and a collection account (ProductionSafety).
        foreach (var (key, value) in Cho40App.ProductionSettings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["Cho40__PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        // A process asked to load the demo data is a demo: Production refuses to seed the published demo accounts.
        if (start.Environment["Cho40__SeedDemoData"] == "true" && environment?.ContainsKey("ASPNETCORE_ENVIRONMENT") != true)
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Demo";

        var process = Process.Start(start)!;
        var web = new WebProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => web.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => web.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A first answer slower than the client's timeout (a busy machine) is "not yet", like a refused connection; and
        // a process that does not come up is stopped here, since the caller never gets it to dispose.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    // WaitForExit() without a timeout also waits for the redirected output to be read to its end: the
                    // reason the process gave (e.g. Production's list of settings to change) is its last lines.
                    process.WaitForExit();
                    throw new InvalidOperationException($"the web process exited with {process.ExitCode} during start-up:\n{web.RecentOutput}");
                }
                try
                {
                    using var health = await http.GetAsync(web.BaseUrl + "/healthz");
                    if (health.IsSuccessStatusCode) return web;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(200);
            }
            throw new TimeoutException($"the web process did not become healthy within 60 s:\n{web.RecentOutput}");
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits at most <paramref name="timeout"/> for a line containing <paramref name="text"/> in the recent output.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (output.Any(line => line.Contains(text, StringComparison.Ordinal))) return true;
            await Task.Delay(20);
        }
        return false;
    }

    /// <summary>The last lines the process wrote (standard output and error), for failure messages.</summary>
    public string RecentOutput => string.Join('\n', output);

    private void Keep(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 200) output.TryDequeue(out _);
    }

    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>Asks the process to shut down (SIGTERM, as systemd or docker stop do).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the process to end; true when it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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
