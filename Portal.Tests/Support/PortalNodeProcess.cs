using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

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

    /// <summary>
    /// A node that serves HTTP on a free loopback port, on the data directory of an in-process
    /// portal (whose keys and database it shares), with plain-HTTP cookies. With
    /// <paramref name="crashAt"/> it kills itself at that <see cref="Portal.Core.Data.CrashPoint"/>.
    /// Returns once it answers.
    /// </summary>
    /// <remarks>Pass the <paramref name="client"/> of a node that died to restart on its port: the browser, its cookies and its form stay the same.</remarks>
    /// <remarks>A node started to crash at start-up work (<paramref name="mayCrashAtStart"/>) may be gone before it ever answers.</remarks>
    public static async Task<(PortalNodeProcess Node, HttpClient Client)> StartServingAsync(PortalFactory portal, string? crashAt = null, IEnumerable<KeyValuePair<string, string?>>? extra = null, HttpClient? client = null, bool mayCrashAtStart = false)
    {
        var port = client?.BaseAddress?.Port ?? FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Portal:DataDirectory"] = portal.DataDirectory,
            ["Database:Provider"] = portal.ProviderName,
            ["Demo:Enabled"] = "false",
            ["Jobs:Enabled"] = "false",
            ["Security:HttpsCookies"] = "false",
            ["Security:RequireTwoFactor"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (crashAt is not null)
        {
            settings[Portal.Core.Data.CrashPoint.Variable] = crashAt;
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var node = Start(settings);
        client ??= new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        try
        {
            await Eventually.WaitAsync(async () => node.HasExited || await AnswersAsync(client), "the portal node to answer", TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} Its output:{Environment.NewLine}{node.Output()}", timeout);
        }

        Assert.False(node.HasExited && !mayCrashAtStart, $"The portal node exited at start:{Environment.NewLine}{node.Output()}");
        return (node, client);
    }

    /// <summary>Waits until the process has ended on its own (a crash point), failing with its output if it does not.</summary>
    public async Task WaitForCrashAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The node did not crash where it was told to. Its output:{Environment.NewLine}{Output()}");
        }
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health/live");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
