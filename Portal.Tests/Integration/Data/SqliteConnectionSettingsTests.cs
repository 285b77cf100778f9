using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Data;

/// <summary>
/// The portal database's durability rests on its connection settings (docs/decisions/0020): WAL,
/// a full sync at each commit, foreign keys. They are applied once per pooled SQLite connection
/// (docs/decisions/0031), so they must hold on every later open of that connection, by any context.
/// </summary>
[Collection(SqlitePoolsCollection.Name)]
public sealed class SqliteConnectionSettingsTests
{
    [Fact]
    public async Task EveryOpenOfAPooledConnection_HasFullSync_ForeignKeys_AndWal()
    {
        var file = Path.Combine(TestDatabases.NewTempDirectory(), "settings.db");
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file};Pooling=True" };
        await using (var db = PortalDatabase.CreateContext(options, Path.GetDirectoryName(file)!))
        {
            await db.Database.MigrateAsync();
        }

        var handles = new HashSet<object>();
        for (var open = 0; open < 4; open++)
        {
            // A context of its own each time, as each request has: the pool hands back the same SQLite connection.
            await using var db = PortalDatabase.CreateContext(options, Path.GetDirectoryName(file)!);
            await db.Database.OpenConnectionAsync();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            handles.Add(connection.Handle!);
            await DurableSettings.AssertOnAsync(connection);
            await db.Database.CloseConnectionAsync();
        }

        // The later opens reused the pooled connection, so they are the case the settings are not re-applied in.
        Assert.Single(handles);

        // A connection the pool made anew (after it was cleared) gets them too.
        SqliteConnection.ClearAllPools();
        await using (var db = PortalDatabase.CreateContext(options, Path.GetDirectoryName(file)!))
        {
            await db.Database.OpenConnectionAsync();
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            Assert.DoesNotContain(connection.Handle!, handles);
            await DurableSettings.AssertOnAsync(connection);
        }

        SqliteConnection.ClearAllPools();
    }
}
