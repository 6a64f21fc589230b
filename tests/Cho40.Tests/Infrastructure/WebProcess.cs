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
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cho40.Web.dll"));
        start.Environment["DATABASE_URL"] = databaseUrl;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Cho40__SeedDemoData"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var process = Process.Start(start)!;
        var web = new WebProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => web.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => web.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"the web process exited with {process.ExitCode} during start-up:\n{web.RecentOutput}");
            try
            {
                if ((await http.GetAsync(web.BaseUrl + "/healthz")).IsSuccessStatusCode) return web;
            }
            catch (HttpRequestException) { }
            // A first request slower than the client's 5 s (JIT, first database round trips on a loaded machine) is
            // "not healthy yet", like a refused connection: the deadline above decides.
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await web.DisposeAsync();
        throw new TimeoutException("the web process did not become healthy within 60 s");
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
