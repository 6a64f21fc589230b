using System.Runtime.CompilerServices;

namespace Cho40.Tests.Infrastructure;

/// <summary>Process-wide settings of the test run, applied before any test (and inherited by the processes tests start).</summary>
internal static class TestEnvironment
{
#pragma warning disable CA2255 // a module initializer in a library: this library is the test assembly, and this is its start-up
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        // Every app would watch its appsettings files (and content files) with inotify: two instances per app, and a
        // machine allows 128 per user. With dozens of apps in a test run, and other runs on a shared machine, the limit
        // was reached and apps failed to start ("The configured user limit (128) on the number of inotify instances has
        // been reached"). No test changes a settings file while an app runs; file providers poll instead of watching.
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
}
