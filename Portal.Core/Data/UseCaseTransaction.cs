using System.Collections.Concurrent;
using System.Data;
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
            var gate = db is SqlitePortalDbContext ? SqliteWriterGate.For(db.Database.GetConnectionString() ?? "") : null;

            // The connection (and its pragmas) is opened before queueing, so the writer ahead
            // does not wait for it; it closes with the transaction, as it would have otherwise.
            var opened = db.Database.GetDbConnection().State != ConnectionState.Open;
            if (opened)
            {
                await db.Database.OpenConnectionAsync(cancellationToken);
            }

            var entered = false;
            try
            {
                entered = gate is not null && await gate.WaitAsync(SqliteWriterGate.Patience, cancellationToken);

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
                if (entered)
                {
                    gate?.Release();
                }

                if (opened)
                {
                    await db.Database.CloseConnectionAsync();
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
    /// lock, and so does a writer that waited longer than <see cref="Patience"/> here.
    /// </summary>
    private static class SqliteWriterGate
    {
        public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

        private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

        public static SemaphoreSlim For(string connectionString) => Gates.GetOrAdd(connectionString, _ => new SemaphoreSlim(1, 1));
    }

    public static Task InTransactionAsync(this PortalDbContext db, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            await work(token);
            return true;
        }, cancellationToken);
}
