using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Web.Security;

namespace Portal.Tests.Support;

/// <summary>
/// The portal in process, on a real database and a temp data directory of its own, with the
/// test clock and a log capture. Demo data is off so tests see only what they create.
/// Requests appear to come from <see cref="ClientAddress"/> so tests can check it never reaches the logs.
/// </summary>
public abstract class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly IPAddress ClientAddress = IPAddress.Parse("203.0.113.77");

    /// <summary>A temp directory of its own, or another portal's to start a second process on the same data.</summary>
    public string DataDirectory { get; init; } = TestDatabases.NewTempDirectory();

    public TestClock Clock { get; } = new();

    public CapturedLogs Logs { get; } = new();

    public abstract string ProviderName { get; }

    protected string? ConnectionString { get; set; }

    private bool onKestrel;

    /// <summary>Extra settings a subclass needs (tighter rate limits, a broken database).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public virtual async Task InitializeAsync()
    {
        await Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection; the temp directory is cleaned with the machine.
        }
    }

    /// <summary>
    /// Starts the portal on Kestrel (a real loopback socket) instead of the in-memory test server,
    /// for tests that need real connections; returns its address.
    /// </summary>
    public Uri StartOnKestrel()
    {
        onKestrel = true;
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reported no addresses.");
        return new Uri(addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    public HttpClient CreatePortalClient(bool allowRedirects = false) =>
        CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = allowRedirects,
            BaseAddress = new Uri("https://localhost"),
            HandleCookies = true,
        });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Portal:DataDirectory", DataDirectory);
        builder.UseSetting("Keys:CreateIfMissing", "true");
        if (!Settings.Any(s => s.Key == "Demo:Enabled"))
        {
            builder.UseSetting("Demo:Enabled", "false");
        }

        builder.UseSetting("Database:Provider", ProviderName);
        builder.UseSetting("Logging:LogLevel:Default", "Debug");
        // What appsettings.json quietens for operators is captured too: the tests check that no
        // log line holds what it must not. (The request log stays at its own default, Warning.)
        foreach (var category in new[] { "Microsoft", "Microsoft.Hosting.Lifetime", "System", "Hangfire" })
        {
            builder.UseSetting($"Logging:LogLevel:{category}", "Debug");
        }

        builder.UseSetting("RateLimits:ReceiptLookupPermits", "1000");
        builder.UseSetting("RateLimits:SignInPermits", "1000");
        builder.UseSetting("RateLimits:NewKeyPermits", "1000");
        builder.UseSetting("RateLimits:DraftPermits", "1000");

        // Many portals run at once; only the tests of the jobs start a scheduler (Jobs:Enabled in
        // their Settings). Set once only: the web host reads the first value of a repeated setting.
        if (!Settings.Any(s => s.Key == "Jobs:Enabled"))
        {
            builder.UseSetting("Jobs:Enabled", "false");
        }
        if (ConnectionString is not null)
        {
            builder.UseSetting("Database:ConnectionString", ConnectionString);
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(Logs);
        });
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, ClientAddressFilter>();
        });
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        if (onKestrel)
        {
            // The factory adds Kestrel after the portal's services, which brings back Kestrel's
            // default buffer pool; restore the portal's (in production it is registered after Kestrel).
            builder.ConfigureServices(services => services.AddSingleton<IMemoryPoolFactory<byte>, ServerMemoryPoolFactory>());
        }

        return base.CreateHost(builder);
    }

    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= ClientAddress;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public static class PortalQueries
{
    /// <summary>Reads the portal's database in a scope of its own.</summary>
    public static async Task<T> QueryAsync<T>(this PortalFactory factory, Func<Portal.Core.Data.PortalDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>());
    }
}

public class SqlitePortalFactory : PortalFactory
{
    public override string ProviderName => "Sqlite";

    public string DatabaseFile => Path.Combine(DataDirectory, "portal.db");
}

public class PostgresPortalFactory : PortalFactory
{
    public override string ProviderName => "Postgres";

    public string DatabaseName => new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString).Database
        ?? throw new InvalidOperationException("The factory has not created its database yet.");

    /// <summary>Another portal's database, to start a second process on the same data; a new database when null.</summary>
    public string? SharedConnectionString { get; init; }

    public string? DatabaseConnectionString => ConnectionString;

    public override async Task InitializeAsync()
    {
        ConnectionString = SharedConnectionString ?? await TestDatabases.CreatePostgresDatabaseAsync();
    }
}
