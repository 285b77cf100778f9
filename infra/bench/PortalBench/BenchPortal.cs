using Npgsql;
using Portal.Web.Data;
using Portal.Web.Evidence;
using Portal.Web.Hosting;
using Portal.Web.Keys;

namespace PortalBench;

/// <summary>
/// The portal's services in the benchmark process, registered as Program.cs registers them (every
/// AddPortal* in the same order), on a temporary data directory and SQLite, or a new database on
/// the PostgreSQL server PORTAL_BENCH_POSTGRES (or PORTAL_TEST_POSTGRES) names. Disposing it
/// removes the temporary directory (generated keys, database, evidence) and the folders named in
/// <see cref="AlsoRemove"/>; declare it before the app, so the app has stopped by then.
/// </summary>
internal sealed class BenchPortal(WebApplicationBuilder builder, string work, string? connectionString, string? database) : IAsyncDisposable
{
    public WebApplicationBuilder Builder { get; } = builder;

    public string Work { get; } = work;

    public string? ConnectionString { get; } = connectionString;

    public string? Database { get; } = database;

    /// <summary>Other temporary folders of the run (an outbox), removed with it.</summary>
    public List<string> AlsoRemove { get; } = [];

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var folder in AlsoRemove.Append(Work).Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    public static async Task<BenchPortal> CreateAsync(bool postgres, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var work = Path.Combine(Path.GetTempPath(), "portal-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        string? connectionString = null;
        string? database = null;
        if (postgres)
        {
            var server = Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
                ?? throw new InvalidOperationException("Set PORTAL_BENCH_POSTGRES (or PORTAL_TEST_POSTGRES) to a PostgreSQL server.");
            database = "portal_bench_" + Guid.NewGuid().ToString("N")[..8];
            await using (var admin = new NpgsqlConnection(server))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                await create.ExecuteNonQueryAsync();
            }

            connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = work });
        var configuration = new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = Path.Combine(work, "data"),
            ["Keys:CreateIfMissing"] = "true",
            ["Database:Provider"] = postgres ? "Postgres" : "Sqlite",
            ["Database:ConnectionString"] = connectionString,
            ["Demo:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Portal.Web.Jobs"] = Environment.GetEnvironmentVariable("PORTAL_BENCH_JOB_LOG") ?? "Warning",
            ["urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddPortal();
        return new BenchPortal(builder, work, connectionString, database);
    }

    /// <summary>Builds, prepares the database and starts the portal (jobs included); false when its keys are missing.</summary>
    public async Task<WebApplication?> StartAsync()
    {
        var app = Builder.Build();
        if (!app.EnsurePortalKeys())
        {
            await app.DisposeAsync();
            return null;
        }

        await app.PreparePortalDatabaseAsync();
        await app.RecoverInterruptedUploadsAsync();
        await app.StartAsync();
        return app;
    }
}
