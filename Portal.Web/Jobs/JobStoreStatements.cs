using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Quartz.Impl.AdoJobStore.Common;

namespace Portal.Web.Jobs;

/// <summary>
/// Counts what the scheduler asks of its store, for the jobs page and the idle benchmark: every
/// command Quartz creates, and on SQLite every statement the engine actually runs (BEGIN and
/// COMMIT included), traced on the connection.
/// </summary>
public sealed class JobStoreStatements
{
    private long commands;
    private long statements;

    public long Commands => Interlocked.Read(ref commands);

    /// <summary>Statements SQLite ran (traced); 0 on PostgreSQL, where <see cref="Commands"/> is the figure.</summary>
    public long SqliteStatements => Interlocked.Read(ref statements);

    internal void CommandCreated() => Interlocked.Increment(ref commands);

    internal void StatementRun() => Interlocked.Increment(ref statements);
}

/// <summary>Quartz's own connection provider with the counting above; connections and commands are the driver's own.</summary>
internal sealed class CountingDbProvider(IDbProvider inner, JobStoreStatements counter) : IDbProvider
{
    public DbMetadata Metadata => inner.Metadata;

    public string ConnectionString => inner.ConnectionString;

    public DbCommand CreateCommand()
    {
        counter.CommandCreated();
        return inner.CreateCommand();
    }

    public DbConnection CreateConnection()
    {
        var connection = inner.CreateConnection();
        if (connection is SqliteConnection sqlite)
        {
            sqlite.StateChange += (_, change) =>
            {
                if (change.CurrentState == ConnectionState.Open && sqlite.Handle is { } handle)
                {
                    // One callback per handle; re-registering on a pooled handle replaces it.
                    SQLitePCL.raw.sqlite3_trace(handle, (SQLitePCL.strdelegate_trace)((_, _) => counter.StatementRun()), null);
                }
            };
        }

        return connection;
    }

    public void Shutdown() => inner.Shutdown();
}
