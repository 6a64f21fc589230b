using System.Diagnostics;

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// Debian's nginx in front of web processes, configured from the repository's own
/// <c>deploy/nginx/cho40.conf.template</c> exactly as <c>./cho40 up --web N</c> fills it in.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private NginxProcess(Process process, string directory, string baseUrl)
    {
        this.process = process;
        this.directory = directory;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<NginxProcess> StartAsync(params WebProcess[] upstreams)
    {
        var template = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "nginx", "cho40.conf.template"));
        var directory = Path.Combine(Path.GetTempPath(), "cho40-nginx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var listen = $"127.0.0.1:{LocalCluster.FreePort()}";
        // The same lines the script writes for each web process.
        var servers = string.Concat(upstreams.Select(u => $"        server {new Uri(u.BaseUrl).Authority} max_fails=1 fail_timeout=2s;\n"));
        var config = template.Replace("@RUNDIR@", directory).Replace("@LISTEN@", listen).Replace("@UPSTREAMS@\n", servers);
        var file = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(file, config);

        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-e", Path.Combine(directory, "error.log"), "-c", file, "-p", directory }) start.ArgumentList.Add(arg);
        var nginx = new NginxProcess(Process.Start(start)!, directory, "http://" + listen);
        nginx.process.BeginOutputReadLine();
        nginx.process.BeginErrorReadLine();

        // A slow answer on a busy machine is "not yet", like a refused connection; nginx that does not come up is stopped here.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                if (nginx.process.HasExited)
                    throw new InvalidOperationException($"nginx exited with {nginx.process.ExitCode}: {await File.ReadAllTextAsync(Path.Combine(directory, "error.log"))}");
                try
                {
                    using var health = await http.GetAsync(nginx.BaseUrl + "/healthz");
                    if (health.IsSuccessStatusCode) return nginx;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(100);
            }
            throw new TimeoutException("nginx did not answer within 20 s");
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "nginx", "cho40.conf.template"))) return dir.FullName;
        throw new InvalidOperationException("deploy/nginx/cho40.conf.template not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
