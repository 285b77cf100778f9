using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Portal.Core.Data;
using Portal.Web.Jobs;

namespace PortalBench;

/// <summary>
/// Issue 13: an idle portal, with every recurring job registered and nothing queued, issues at
/// most one database statement per second, counting every statement, the portal's own too. The
/// portal's registrations run in this process (the extension methods Program.cs calls, default
/// settings: Hangfire server, recurring jobs, the recurring dispatcher's look every
/// Jobs:DispatchInterval, 2 minutes by default). The forwarding intake's job is registered only
/// with an intake mailbox, so the portal reads one: an empty mailbox on the throwaway dovecot
/// infra/bench/jobs-idle starts (PORTAL_BENCH_IMAP), on its default schedule with IDLE as in production.
/// Counted for real:
/// <list type="bullet">
/// <item>SQLite (embedded default, Hangfire in memory): every statement SQLite runs on the
/// portal's connections (sqlite3_trace on each connection EF opens: PRAGMAs, BEGIN and COMMIT
/// included), and EF's commands (an interceptor) for reference.</item>
/// <item>PostgreSQL (Hangfire.PostgreSql in the same database): the server's own count,
/// pg_stat_statements calls in the database (BEGIN, COMMIT and every statement of Hangfire and of
/// the portal; our own readings excluded), plus the commands Npgsql ran in this process (its
/// ActivitySource, both Hangfire's and EF's) and EF's commands, for reference.</item>
/// </list>
/// </summary>
internal static class JobsIdleBenchmark
{
    public static async Task<int> RunAsync(string provider, int seconds)
    {
        var postgres = provider.Equals("postgres", StringComparison.OrdinalIgnoreCase);
        var imap = Environment.GetEnvironmentVariable("PORTAL_BENCH_IMAP");
        var imapPassword = Environment.GetEnvironmentVariable("PORTAL_BENCH_IMAP_PASSWORD");
        if (string.IsNullOrEmpty(imap) || string.IsNullOrEmpty(imapPassword))
        {
            Console.Error.WriteLine("PORTAL_BENCH_IMAP and PORTAL_BENCH_IMAP_PASSWORD are not set: run infra/bench/jobs-idle, which starts an intake mailbox so that every recurring job is registered.");
            return 2;
        }

        var colon = imap.LastIndexOf(':');
        await using var portal = await BenchPortal.CreateAsync(postgres, new Dictionary<string, string?>
        {
            ["Intake:Host"] = imap[..colon],
            ["Intake:Port"] = imap[(colon + 1)..],
            ["Intake:Security"] = "None",
            ["Intake:AllowInsecure"] = "true",
            ["Intake:UserName"] = "idle-" + Guid.NewGuid().ToString("N")[..12],
            ["Intake:Password"] = imapPassword,
            ["Intake:Address"] = "intake@intake.bench.example",
        });
        var (connectionString, database) = (portal.ConnectionString, portal.Database);
        var statementsTracked = postgres && await TrackStatementsAsync(connectionString!);
        var counter = new StatementCounter();
        if (postgres)
        {
            portal.Builder.Services.ConfigureDbContext<PostgresPortalDbContext>(o => o.AddInterceptors(counter));
        }
        else
        {
            portal.Builder.Services.ConfigureDbContext<SqlitePortalDbContext>(o => o.AddInterceptors(counter));
        }

        using var npgsql = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = _ => counter.NpgsqlCommandRan(),
        };
        ActivitySource.AddActivityListener(npgsql);

        await using var app = await portal.StartAsync();
        if (app is null)
        {
            return 1;
        }

        // Start-up (schema, recovery, the dispatcher's first look, registering the recurring jobs) is not idle time.
        await Task.Delay(TimeSpan.FromSeconds(15));
        var before = counter.Snapshot();
        if (statementsTracked)
        {
            await ResetStatementsAsync(connectionString!);
        }

        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = counter.Snapshot();
        var serverStatements = statementsTracked ? await StatementsAsync(connectionString!, database!) : (long?)null;
        var recurring = RecurringJobs(app);
        await app.StopAsync();

        string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
        string Rate(long count) => F(count / elapsed);
        Console.WriteLine($"# Idle jobs benchmark, {(postgres ? "PostgreSQL (Hangfire.PostgreSql)" : "SQLite (Hangfire in memory)")}, {elapsed:0} s window, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine();
        Console.WriteLine("| store | window (s) | EF commands/s | SQLite statements/s (traced, all) | Npgsql commands/s (in process, all) | PostgreSQL statements/s (pg_stat_statements, all) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| {(postgres ? "PostgreSQL" : "SQLite + in-memory jobs")} | {elapsed:0} | {Rate(after.Ef - before.Ef)} | {(postgres ? "-" : Rate(after.Sqlite - before.Sqlite))} | {(postgres ? Rate(after.Npgsql - before.Npgsql) : "-")} | {(serverStatements is { } s ? Rate(s) : "-")} |");

        Console.WriteLine();
        Console.WriteLine($"Recurring jobs registered ({recurring.Count}): {string.Join(", ", recurring.Select(r => $"{r.Id} (last run {r.LastExecution:HH:mm:ss})"))}.");
        if (!recurring.Any(r => r.Id == PortalJobKeys.ForwardingIntake))
        {
            Console.WriteLine("The forwarding intake's job is not registered: the measurement is not of every recurring job.");
            return 1;
        }

        // Judged on the count that sees every statement: SQLite's trace, or the server's own.
        var judged = postgres
            ? (serverStatements ?? after.Npgsql - before.Npgsql) / elapsed
            : (after.Sqlite - before.Sqlite) / elapsed;
        Console.WriteLine();
        if (postgres && serverStatements is null)
        {
            Console.WriteLine("pg_stat_statements is not loaded on this server (shared_preload_libraries): judged on the commands Npgsql ran in this process, which leave out BEGIN and COMMIT.");
        }

        Console.WriteLine($"Target: at most 1 statement per second when idle: {(judged <= 1.0 ? "met" : "MISSED")} ({F(judged)}/s).");
        return judged <= 1.0 ? 0 : 1;
    }

    /// <summary>The recurring jobs Hangfire holds, with when each last ran (read from its storage, after the window).</summary>
    private static List<RecurringJobDto> RecurringJobs(WebApplication app)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs();
    }

    /// <summary>Makes pg_stat_statements available in the benchmark's database; false when the server did not load it.</summary>
    private static async Task<bool> TrackStatementsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var loaded = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'", connection))
        {
            if (await loaded.ExecuteScalarAsync() is not true)
            {
                return false;
            }
        }

        await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
        await create.ExecuteNonQueryAsync();
        return true;
    }

    private static async Task ResetStatementsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection);
        await reset.ExecuteNonQueryAsync();
    }

    /// <summary>Every statement run in the database since the reset, ours (which name pg_stat_statements) left out.</summary>
    private static async Task<long> StatementsAsync(string connectionString, string database)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = @name) AND query NOT LIKE '%pg_stat_statements%'",
            connection);
        command.Parameters.AddWithValue("name", database);
        return (long)(await command.ExecuteScalarAsync() ?? 0L);
    }

    /// <summary>EF's commands (an interceptor), SQLite's statements (traced on each connection EF opens) and Npgsql's commands.</summary>
    private sealed class StatementCounter : DbCommandInterceptor, IDbConnectionInterceptor
    {
        private long ef;
        private long sqlite;
        private long npgsql;

        public (long Ef, long Sqlite, long Npgsql) Snapshot() => (Interlocked.Read(ref ef), Interlocked.Read(ref sqlite), Interlocked.Read(ref npgsql));

        public void NpgsqlCommandRan() => Interlocked.Increment(ref npgsql);

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Interlocked.Increment(ref ef);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref ef);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Interlocked.Increment(ref ef);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref ef);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Interlocked.Increment(ref ef);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref ef);
            return ValueTask.FromResult(result);
        }

        public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
        {
            Trace(connection);
            return result;
        }

        public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Trace(connection);
            return ValueTask.FromResult(result);
        }

        /// <summary>Once the native handle exists, every statement SQLite runs on it is counted (one callback per handle: re-registering replaces it).</summary>
        private void Trace(DbConnection connection)
        {
            if (connection is SqliteConnection sqliteConnection)
            {
                sqliteConnection.StateChange -= Opened;
                sqliteConnection.StateChange += Opened;
            }
        }

        private void Opened(object? sender, StateChangeEventArgs change)
        {
            if (change.CurrentState == ConnectionState.Open && sender is SqliteConnection { Handle: { } handle })
            {
                SQLitePCL.raw.sqlite3_trace(handle, (SQLitePCL.strdelegate_trace)((_, _) => Interlocked.Increment(ref sqlite)), null);
            }
        }
    }
}
