using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own (initdb + pg_ctl from Debian's postgresql-15), for tests that
/// stop and restart the server: the shared test cluster must stay up for everyone else.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private readonly string directory;

    private LocalCluster(string directory, int port)
    {
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=3";

    public static async Task<LocalCluster> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cho40-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        if (IsRoot) await RunAsync("chown", "postgres:postgres", directory);
        var cluster = new LocalCluster(directory, FreePort());
        await cluster.AsOwnerAsync("initdb", "-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8");
        await cluster.StartServerAsync();
        return cluster;
    }

    private string DataDirectory => Path.Combine(directory, "data");

    public Task StartServerAsync() => AsOwnerAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "start",
        "-o", $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={directory} -c fsync=off");

    public Task StopServerAsync() => AsOwnerAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(); } catch (InvalidOperationException) { /* already stopped */ }
        Directory.Delete(directory, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task AsOwnerAsync(string tool, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(PgBin, tool), .. args]) : RunAsync(Path.Combine(PgBin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
