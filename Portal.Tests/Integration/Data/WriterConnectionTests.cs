using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Data;

/// <summary>
/// On SQLite the use cases' transactions take turns on one pooled connection of their own, which
/// keeps its page cache because no other connection writes between them, and the reads of the
/// requests go through the other connections (docs/decisions/0032). The connection must still
/// have every setting durability rests on (decisions 0020, 0031), and a context must be back on
/// the readers' connections once its transaction has ended, whether it committed or not.
/// They run alone: other tests clear every SQLite pool of the process when they end, which would
/// hand a writer a new connection in the middle of one of these.
/// </summary>
[Collection(SqlitePoolsCollection.Name)]
public sealed class WriterConnectionTests
{
    [Fact]
    public async Task UseCases_WriteOnOneConnection_WithTheSettings_AndReadersNeverGetIt()
    {
        var (options, directory) = await NewDatabaseAsync();
        var readers = new HashSet<object>();
        var writers = new HashSet<object>();
        for (var turn = 0; turn < 4; turn++)
        {
            // A read, as a request makes before its use case ("sent before?"), then the use case.
            await using (var reader = PortalDatabase.CreateContext(options, directory))
            {
                await reader.Database.OpenConnectionAsync();
                readers.Add(((SqliteConnection)reader.Database.GetDbConnection()).Handle!);
                Assert.Equal(turn, await reader.Notices.CountAsync());
                await reader.Database.CloseConnectionAsync();
            }

            await using var db = PortalDatabase.CreateContext(options, directory);
            var readersText = db.Database.GetConnectionString();
            await db.InTransactionAsync(async token =>
            {
                var connection = (SqliteConnection)db.Database.GetDbConnection();
                writers.Add(connection.Handle!);
                await DurableSettings.AssertOnAsync(connection);
                db.Notices.Add(NewNotice());
                await db.SaveChangesAsync(token);
            }, CancellationToken.None);

            // The context reads through the readers' pool again after its transaction.
            Assert.Equal(readersText, db.Database.GetConnectionString());
            await db.Database.OpenConnectionAsync();
            Assert.DoesNotContain(((SqliteConnection)db.Database.GetDbConnection()).Handle!, writers);
            await db.Database.CloseConnectionAsync();
        }

        Assert.Single(writers);
        Assert.Empty(writers.Intersect(readers));
        ClearPools(options);
    }

    [Fact]
    public async Task ConcurrentUseCases_AllCommit_OnTheSameWriterConnection()
    {
        var (options, directory) = await NewDatabaseAsync();
        var writers = new System.Collections.Concurrent.ConcurrentDictionary<object, int>();

        // Sixteen requests at once, each reading first and then writing, as a surge of reports does.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            await Task.Yield();
            await using var db = PortalDatabase.CreateContext(options, directory);
            await db.Notices.CountAsync();
            await db.InTransactionAsync(async token =>
            {
                writers.AddOrUpdate(((SqliteConnection)db.Database.GetDbConnection()).Handle!, 1, (_, n) => n + 1);
                db.Notices.Add(NewNotice());
                await db.SaveChangesAsync(token);
            }, CancellationToken.None);
        }));

        await using (var check = PortalDatabase.CreateContext(options, directory))
        {
            Assert.Equal(16, await check.Notices.CountAsync());
        }

        // Queued writers did not open connections of their own while they waited at the gate.
        Assert.Equal(16, Assert.Single(writers).Value);
        ClearPools(options);
    }

    [Fact]
    public async Task AUseCaseThatFails_LeavesNothing_AndTheNextWriterGoesOn()
    {
        var (options, directory) = await NewDatabaseAsync();
        await using (var db = PortalDatabase.CreateContext(options, directory))
        {
            var readersText = db.Database.GetConnectionString();
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.InTransactionAsync(async token =>
            {
                db.Notices.Add(NewNotice());
                await db.SaveChangesAsync(token);
                throw new InvalidOperationException("the use case failed after its save");
            }, CancellationToken.None));

            Assert.Equal(readersText, db.Database.GetConnectionString());
            Assert.Equal(0, await db.Notices.CountAsync());
        }

        await using (var next = PortalDatabase.CreateContext(options, directory))
        {
            await next.InTransactionAsync(async token =>
            {
                next.Notices.Add(NewNotice());
                await next.SaveChangesAsync(token);
            }, CancellationToken.None);
            Assert.Equal(1, await next.Notices.CountAsync());
        }

        ClearPools(options);
    }

    [Fact]
    public async Task ANamedInMemoryDatabase_IsTheOneTheWritersReach()
    {
        // The writers' connection string names the same shared in-memory database, which lives
        // while one connection to it is open.
        var directory = TestDatabases.NewTempDirectory();
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source=writers-{Guid.NewGuid():N};Mode=Memory;Cache=Shared;Pooling=True" };
        await using var keeper = PortalDatabase.CreateContext(options, directory);
        await keeper.Database.OpenConnectionAsync();
        await keeper.Database.MigrateAsync();

        await using (var db = PortalDatabase.CreateContext(options, directory))
        {
            await db.InTransactionAsync(async token =>
            {
                Assert.NotEqual(options.ConnectionString, db.Database.GetDbConnection().ConnectionString);
                db.Notices.Add(NewNotice());
                await db.SaveChangesAsync(token);
            }, CancellationToken.None);
        }

        Assert.Equal(1, await keeper.Notices.CountAsync());
        ClearPools(options);
    }

    private static async Task<(DatabaseOptions Options, string Directory)> NewDatabaseAsync()
    {
        var directory = TestDatabases.NewTempDirectory();
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(directory, "writer.db")};Pooling=True" };
        await using var db = PortalDatabase.CreateContext(options, directory);
        await db.Database.MigrateAsync();
        return (options, directory);
    }

    private static void ClearPools(DatabaseOptions options)
    {
        using var readers = new SqliteConnection(options.ConnectionString);
        using var writers = new SqliteConnection(UseCaseTransaction.SqliteWriterConnectionString(options.ConnectionString!));
        SqliteConnection.ClearPool(readers);
        SqliteConnection.ClearPool(writers);
    }

    private static Notice NewNotice() => new() { Id = Guid.CreateVersion7(), TitleEn = "test", BodyEn = "test", PublishedAt = DateTime.UtcNow };
}
