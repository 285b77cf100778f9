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
            try
            {
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
        });
    }

    public static Task InTransactionAsync(this PortalDbContext db, Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            await work(token);
            return true;
        }, cancellationToken);
}
