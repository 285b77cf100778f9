using System.Runtime.CompilerServices;

namespace Portal.Tests.Support;

/// <summary>Process-wide settings applied before any test starts a portal.</summary>
internal static class TestProcessSettings
{
    /// <summary>
    /// Portals in tests watch their files by polling instead of inotify. Every test host holds
    /// inotify instances, and Linux allows 128 per user across all processes: with dozens of hosts
    /// alive (and child portal processes, which inherit this) the suite came within a few of the
    /// limit, so other work on the machine made hosts fail to start. Nothing in a test changes files.
    /// </summary>
    [ModuleInitializer]
    internal static void Apply()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER") is null)
        {
            Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
        }
    }
}
