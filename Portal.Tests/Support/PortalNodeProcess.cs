using System.Collections.Concurrent;
using System.Diagnostics;

namespace Portal.Tests.Support;

/// <summary>
/// Portal.Web as an operator runs it, in an OS process of its own (Production, settings from the
/// environment), so a test can kill it outright: no shutdown code runs, its database connections
/// drop with it. Its output is kept for the failure message of a test that waited in vain.
/// </summary>
public sealed class PortalNodeProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private PortalNodeProcess(Process process) => this.process = process;

    public bool HasExited => process.HasExited;

    /// <summary>Starts the portal's build beside the tests'; <paramref name="settings"/> are configuration keys ("Jobs:Enabled").</summary>
    public static PortalNodeProcess Start(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var portalDll = Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(portalDll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var node = new PortalNodeProcess(Process.Start(start) ?? throw new InvalidOperationException("Portal.Web did not start."));
        node.process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        node.process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        node.process.BeginOutputReadLine();
        node.process.BeginErrorReadLine();
        return node;
    }

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string Output() => string.Join(Environment.NewLine, output);

    /// <summary>SIGKILL on Linux: the process ends where it is, with nothing flushed or released by it.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > KeptLines)
        {
            output.TryDequeue(out _);
        }
    }
}
