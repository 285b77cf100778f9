using Microsoft.Data.Sqlite;

namespace Portal.Tests.Integration.Data;

/// <summary>Tests that watch which pooled SQLite connection they get, run when no other test can clear the pools.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SqlitePoolsCollection
{
    public const string Name = "sqlite-pools";
}

/// <summary>The connection settings the portal database's durability rests on (docs/decisions/0020, 0031).</summary>
internal static class DurableSettings
{
    public static async Task AssertOnAsync(SqliteConnection connection)
    {
        Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA synchronous")); // FULL
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys"));
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal(5000L, await ScalarAsync(connection, "PRAGMA busy_timeout"));
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
