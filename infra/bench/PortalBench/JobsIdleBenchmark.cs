using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Portal.Web.Data;
using Portal.Web.Hosting;
using Portal.Web.Jobs;
using Portal.Web.Keys;

namespace PortalBench;

/// <summary>
/// Issue 5: an idle scheduler issues no more than one database statement per second. The portal's
/// own data and jobs setup runs in this process (the same extension methods Program.cs calls, default
/// settings: recurring jobs registered, the urgent-case check every minute, the referral sweep and
/// escalation every five minutes) with no work queued.
/// Counted for real: on SQLite every statement the engine runs on the scheduler's connections
/// (sqlite3_trace: BEGIN, COMMIT and PRAGMAs included); on PostgreSQL every command Quartz creates,
/// plus the server's own count of committed and rolled-back transactions in the database
/// (pg_stat_database, which also sees the urgent-case job's queries to the portal tables).
/// </summary>
internal static class JobsIdleBenchmark
{
    public static async Task<int> RunAsync(string provider, int seconds)
    {
        var postgres = provider.Equals("postgres", StringComparison.OrdinalIgnoreCase);
        var work = Path.Combine(Path.GetTempPath(), "portal-bench-jobs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        string? connectionString = null;
        string? database = null;
        if (postgres)
        {
            var server = Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
                ?? throw new InvalidOperationException("Set PORTAL_BENCH_POSTGRES (or PORTAL_TEST_POSTGRES) to a PostgreSQL server.");
            database = "portal_bench_jobs_" + Guid.NewGuid().ToString("N")[..8];
            await using (var admin = new NpgsqlConnection(server))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                await create.ExecuteNonQueryAsync();
            }

            connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = work });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = Path.Combine(work, "data"),
            ["Keys:CreateIfMissing"] = "true",
            ["Database:Provider"] = postgres ? "Postgres" : "Sqlite",
            ["Database:ConnectionString"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["urls"] = "http://127.0.0.1:0",
        });
        builder.AddPortal();
        await using var app = builder.Build();
        if (!app.EnsurePortalKeys())
        {
            return 1;
        }

        await app.PreparePortalDatabaseAsync();
        await app.StartAsync();
        var counter = app.Services.GetRequiredService<JobStoreStatements>();

        // Start-up (schema checks, recovery, registering the recurring jobs) is not idle time.
        await Task.Delay(TimeSpan.FromSeconds(15));
        var commands = counter.Commands;
        var statements = counter.SqliteStatements;
        var transactions = postgres ? await TransactionsAsync(connectionString!, database!) : 0;
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var elapsed = clock.Elapsed.TotalSeconds;
        var commandRate = (counter.Commands - commands) / elapsed;
        var statementRate = (counter.SqliteStatements - statements) / elapsed;
        // Our own two readings of pg_stat_database are transactions too.
        var transactionRate = postgres ? (await TransactionsAsync(connectionString!, database!) - transactions - 1) / elapsed : 0;
        await app.StopAsync();

        string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
        Console.WriteLine($"| store | window (s) | Quartz commands/s | SQLite statements/s (traced) | PostgreSQL transactions/s (server) |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| {(postgres ? "PostgreSQL, clustered" : "SQLite data/jobs.db")} | {elapsed:0} | {F(commandRate)} | {(postgres ? "-" : F(statementRate))} | {(postgres ? F(transactionRate) : "-")} |");
        var worst = postgres ? Math.Max(commandRate, transactionRate) : Math.Max(commandRate, statementRate);
        Console.WriteLine();
        Console.WriteLine($"Target: at most 1 statement per second when idle: {(worst <= 1.0 ? "met" : "MISSED")} ({F(worst)}/s).");
        return worst <= 1.0 ? 0 : 1;
    }

    private static async Task<long> TransactionsAsync(string connectionString, string database)
    {
        // Statistics are flushed by backends at transaction end and at most once a second; clear the snapshot cache.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }
}
