using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Deployment;

/// <summary>
/// Portal.Web published as an operator publishes it (`dotnet publish -c Release -o DIR`), once per
/// test run, from the build the tests run on.
/// </summary>
public sealed class PublishedPortal : IAsyncLifetime
{
    private readonly SemaphoreSlim starting = new(1, 1);
    private ThrowawayInstallation? sharedInstallation;
    private PortalProcess? shared;

    public string Directory { get; } = TestDatabases.NewTempDirectory();

    /// <summary>
    /// One Production node of the published portal, shared by the tests that only look at it:
    /// started from a directory that is not the app's, with forwarded headers trusted from
    /// loopback as behind the nginx site in infra/deploy.
    /// </summary>
    public async Task<PortalProcess> SharedNodeAsync()
    {
        await starting.WaitAsync();
        try
        {
            if (shared is null)
            {
                sharedInstallation = new ThrowawayInstallation();
                shared = await StartAsync(sharedInstallation.ElsewhereDirectory, [.. sharedInstallation.Settings, new("ForwardedHeaders:Enabled", "true")]);
            }

            return shared;
        }
        finally
        {
            starting.Release();
        }
    }

    public async Task InitializeAsync()
    {
        // --no-build: the tests' own Release build is what gets published, and two builds of the
        // same project at once would race for its obj/ folder.
        var (exitCode, output) = await DotnetAsync(RepositoryFiles.Root, "publish", RepositoryFiles.PathOf("Portal.Web", "Portal.Web.csproj"), "-c", "Release", "--no-build", "-o", Directory, "-nologo");
        Assert.True(exitCode == 0, $"dotnet publish failed:\n{output}");
    }

    public async Task DisposeAsync()
    {
        if (shared is not null)
        {
            await shared.DisposeAsync();
        }

        sharedInstallation?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Starts the published portal in Production from <paramref name="workingDirectory"/>; settings are configuration keys.</summary>
    public Task<PortalProcess> StartAsync(string workingDirectory, IEnumerable<KeyValuePair<string, string?>> settings) =>
        PortalProcess.StartAsync(Path.Combine(Directory, "Portal.Web.dll"), workingDirectory, settings);

    /// <summary>Runs an operator verb (`create-admin`, `migrate`) of the published portal; returns its exit code and output.</summary>
    public Task<(int ExitCode, string Output)> RunVerbAsync(string workingDirectory, IEnumerable<KeyValuePair<string, string?>> settings, string? input, params string[] args) =>
        RunAsync(DotnetHost, [Path.Combine(Directory, "Portal.Web.dll"), .. args], workingDirectory, Environment(settings), input);

    public static string DotnetHost => System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static Dictionary<string, string?> Environment(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var environment = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return environment;
    }

    public static Task<(int ExitCode, string Output)> DotnetAsync(string workingDirectory, params string[] args) =>
        RunAsync(DotnetHost, args, workingDirectory, new Dictionary<string, string?>(), null);

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?> environment, string? input)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>
/// Everything a Production portal needs from its operator, made up for one test: a key directory
/// with a master key, the MAC secrets and a bundle signing key (as the README says to make them),
/// and a data directory for SQLite, evidence and the outbox.
/// </summary>
public sealed class ThrowawayInstallation : IDisposable
{
    public string Root { get; } = TestDatabases.NewTempDirectory();

    public string KeysDirectory => Path.Combine(Root, "keys");

    public string DataDirectory => Path.Combine(Root, "data");

    /// <summary>A directory that is neither the app's nor its data's, to start the portal from.</summary>
    public string ElsewhereDirectory => Path.Combine(Root, "elsewhere");

    public ThrowawayInstallation()
    {
        System.IO.Directory.CreateDirectory(KeysDirectory);
        System.IO.Directory.CreateDirectory(DataDirectory);
        System.IO.Directory.CreateDirectory(ElsewhereDirectory);
        foreach (var name in new[] { "master-2026a", "receipt-mac", "audit-mac", "indicator-mac" })
        {
            File.WriteAllText(Path.Combine(KeysDirectory, name + ".key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        }

        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(KeysDirectory, "bundle-signing.pem"), signing.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The settings an operator gives a single embedded (SQLite) node.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Portal:DataDirectory", DataDirectory),
        new("Keys:Directory", KeysDirectory),
    ];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process that is ending; the temp directory goes with the machine.
        }
    }
}

/// <summary>The published portal running as an OS process; keeps every line it writes.</summary>
public sealed partial class PortalProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortalProcess(Process process) => this.process = process;

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyCollection<string> Output => output;

    public static async Task<PortalProcess> StartAsync(string portalDll, string workingDirectory, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var start = new ProcessStartInfo(PublishedPortal.DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(portalDll);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in PublishedPortal.Environment(settings))
        {
            start.Environment[key] = value;
        }

        var portal = new PortalProcess(Process.Start(start) ?? throw new InvalidOperationException("Portal.Web did not start."));
        portal.process.OutputDataReceived += (_, e) => portal.Keep(e.Data);
        portal.process.ErrorDataReceived += (_, e) => portal.Keep(e.Data);
        portal.process.BeginOutputReadLine();
        portal.process.BeginErrorReadLine();
        var exited = portal.process.WaitForExitAsync();
        var first = await Task.WhenAny(portal.listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(2)));
        if (first != portal.listening.Task)
        {
            var text = string.Join("\n", portal.output);
            await portal.DisposeAsync();
            Assert.Fail($"The published portal did not start listening:\n{text}");
        }

        portal.Address = await portal.listening.Task;
        return portal;
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

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

[CollectionDefinition(Name)]
public sealed class PublishedPortalCollection : ICollectionFixture<PublishedPortal>
{
    public const string Name = "published portal";
}
