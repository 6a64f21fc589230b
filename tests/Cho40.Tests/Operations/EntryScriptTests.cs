using System.Diagnostics;
using Cho40.Tests.Infrastructure;

namespace Cho40.Tests.Operations;

/// <summary>
/// The entry script as a newcomer runs it: <c>./cho40 up</c> with its own local cluster. A start-up that fails must
/// say so with a non-zero exit status and leave nothing running (the cluster it started is stopped, no web process).
/// </summary>
[Trait("Speed", "Slow")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EntryScriptTests
{
    [Fact]
    public async Task Up_exits_non_zero_when_start_up_fails_and_leaves_nothing_running()
    {
        var root = RepositoryRoot();
        var dataDir = Directory.CreateTempSubdirectory("cho40-up-").FullName;
        // The cluster's owner (postgres, when run as root) must reach the folder.
        File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var marker = Guid.NewGuid().ToString("N");
        try
        {
            var start = new ProcessStartInfo(Path.Combine(root, "cho40"))
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("up");
            start.Environment.Remove("DATABASE_URL");
            start.Environment["CHO40_DATA_DIR"] = dataDir;
            start.Environment["CHO40_PG_PORT"] = LocalCluster.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LocalCluster.FreePort()}";
            // A setting that cannot be read: the web process stops during start-up, after the cluster is up.
            start.Environment["Cho40__SignInAttemptsPerMinute"] = "not-a-number";
            start.Environment["CHO40_ENTRY_SCRIPT_TEST"] = marker;

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout + await stderr;

            Assert.True(process.ExitCode != 0, "./cho40 up exited 0 after a failed start-up:\n" + output);
            Assert.Contains("a process stopped during start-up", output);
            Assert.Contains("stopping PostgreSQL", output);
            // The cluster it started is stopped (no postmaster.pid) and no process it started is left.
            Assert.True(File.Exists(Path.Combine(dataDir, "pg", "data", "PG_VERSION")), "the script did not create its cluster:\n" + output);
            Assert.False(File.Exists(Path.Combine(dataDir, "pg", "data", "postmaster.pid")), "PostgreSQL is still running:\n" + output);
            Assert.Empty(ProcessesWithMarker(marker));
        }
        finally
        {
            foreach (var pid in ProcessesWithMarker(marker)) try { Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (ArgumentException) { }
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Processes whose environment carries the marker: everything the script started inherits it.</summary>
    private static List<int> ProcessesWithMarker(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* gone, or not ours */ }
        }
        return found;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "cho40")) && File.Exists(Path.Combine(dir.FullName, "Cho40.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (with cho40 and Cho40.sln) was not found above " + AppContext.BaseDirectory);
    }
}
