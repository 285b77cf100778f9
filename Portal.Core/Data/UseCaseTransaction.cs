using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Data;

/// <summary>
/// The one transaction of a use case: its change, its audit entries and the rows of its
/// follow-up work commit together or not at all (docs/decisions/0020). Nested calls (an audit
/// append inside a handler's transaction) join the transaction already open.
/// </summary>
public static class UseCaseTransaction
{
    public static async Task<T> InTransactionAsync<T>(this PortalDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return await work(cancellationToken);
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            var connectionString = db.Database.GetConnectionString() ?? "";
            var gate = db is SqlitePortalDbContext ? SqliteWriterGate.For(connectionString) : null;
            var opened = db.Database.GetDbConnection().State != ConnectionState.Open;
            var onWriterConnection = false;
            var entered = false;
            try
            {
                entered = gate is not null && await gate.WaitAsync(SqliteWriterGate.Patience, cancellationToken);
                if (opened)
                {
                    // SQLite: the writers that pass the gate take turns on one pooled connection,
                    // which keeps its page cache, as no other connection wrote in between
                    // (docs/decisions/0032). Opened only now, so the writers queued at the gate do
                    // not each hold a connection of that pool.
                    if (entered)
                    {
                        db.Database.SetConnectionString(SqliteWriterGate.WriterConnectionString(connectionString));
                        onWriterConnection = true;
                    }

                    await db.Database.OpenConnectionAsync(cancellationToken);
                }

                // SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so the write lock is
                // taken up front and a read-then-write transaction never fails on a stale snapshot.
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var result = await work(cancellationToken);

                // Once the work is done the commit is not cancelled: a client that went away
                // still gets what it was about to be told was kept.
                await transaction.CommitAsync(CancellationToken.None);
                return result;
            }
            catch
            {
                // Nothing of a rolled-back use case may be saved later by the same context.
                db.ChangeTracker.Clear();
                throw;
            }
            finally
            {
                try
                {
                    if (opened)
                    {
                        // Back to the pool before the gate opens, so the next writer takes this connection.
                        await db.Database.CloseConnectionAsync();
                    }
                }
                finally
                {
                    if (onWriterConnection)
                    {
                        db.Database.SetConnectionString(connectionString);
                    }

                    if (entered)
                    {
                        gate?.Release();
                    }
                }
            }
        });
    }

    /// <summary>
    /// SQLite lets one transaction write at a time. A BEGIN IMMEDIATE that finds the lock taken
    /// waits inside SQLite's busy handler, which blocks its thread (Microsoft.Data.Sqlite has no
    /// asynchronous I/O) and sleeps in steps of up to 100 ms: under a surge of reports the two
    /// cores' threads slept there while the lock stood free (docs/decisions/0029). The use cases
    /// of this process queue here instead, without a thread, and the next starts as soon as the
    /// previous one ends. Another process on the same file (a CLI verb) still meets SQLite's own
    /// lock, and so does a writer that waited longer than <see cref="Patience"/> here. The writers
    /// that pass the gate write on the connections of a pool of their own, opened after the gate
    /// and closed before it opens again, so they take turns on one connection whose page cache no
    /// other connection's commit has made stale (docs/decisions/0032).
    /// </summary>
    private static class SqliteWriterGate
    {
        public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

        private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

        private static readonly ConcurrentDictionary<string, string> Writers = new(StringComparer.Ordinal);

        public static SemaphoreSlim For(string connectionString) => Gates.GetOrAdd(connectionString, _ => new SemaphoreSlim(1, 1));

        public static string WriterConnectionString(string connectionString) =>
            Writers.GetOrAdd(connectionString, SqliteWriterConnectionString);
    }

    /// <summary>
    /// The same SQLite database with the same settings, in a pool of its own: Microsoft.Data.Sqlite
    /// pools connections by the text of their connection string, and the writers' text repeats at
    /// its end the command timeout that the readers' text has or defaults to.
    /// </summary>
    internal static string SqliteWriterConnectionString(string readers) =>
        $"{readers.TrimEnd(';', ' ')};Default Timeout={new SqliteConnectionStringBuilder(readers).DefaultTimeout}";

    public static Task InTransactionAsync(this PortalDbContext db, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            await work(token);
            return true;
        }, cancellationToken);
}
