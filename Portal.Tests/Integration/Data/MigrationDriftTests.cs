using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Data;

/// <summary>
/// The migrations are written by hand, so this is what keeps them honest: one database built
/// by the migrations and one built from the model must have the same tables, columns, types,
/// nullability, keys, indexes and foreign keys.
/// </summary>
public sealed class MigrationDriftTests
{
    [Fact]
    public async Task Sqlite_MigrationsBuildTheSchemaOfTheModel()
    {
        var directory = TestDatabases.NewTempDirectory();
        var migrated = Path.Combine(directory, "migrated.db");
        var created = Path.Combine(directory, "created.db");

        await using (var db = SqliteContext(migrated))
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = SqliteContext(created))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var fromMigrations = await SqliteSchemaAsync(migrated);
        var fromModel = await SqliteSchemaAsync(created);
        SqliteConnection.ClearAllPools();

        Assert.Contains(fromModel, line => line.StartsWith("Cases.column ReceiptHash", StringComparison.Ordinal));
        Assert.Equal(fromModel, fromMigrations);
    }

    [Fact]
    public async Task Postgres_MigrationsBuildTheSchemaOfTheModel()
    {
        var migrated = await TestDatabases.CreatePostgresDatabaseAsync();
        var created = await TestDatabases.CreatePostgresDatabaseAsync();

        await using (var db = PostgresContext(migrated))
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = PostgresContext(created))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var fromMigrations = await PostgresSchemaAsync(migrated);
        var fromModel = await PostgresSchemaAsync(created);

        Assert.Contains(fromModel, line => line.StartsWith("Cases.column ReceiptHash bytea", StringComparison.Ordinal));
        Assert.Equal(fromModel, fromMigrations);
    }

    [Fact]
    public async Task Sqlite_MigratingTwice_ChangesNothing()
    {
        var file = Path.Combine(TestDatabases.NewTempDirectory(), "twice.db");
        await using (var db = SqliteContext(file))
        {
            await db.Database.MigrateAsync();
        }

        var first = await SqliteSchemaAsync(file);
        await using (var db = SqliteContext(file))
        {
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        Assert.Equal(first, await SqliteSchemaAsync(file));
        SqliteConnection.ClearAllPools();
    }

    private static PortalDbContext SqliteContext(string file)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        PortalDatabase.Configure(builder, new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file}" }, Path.GetDirectoryName(file)!);
        return new PortalDbContext(builder.Options);
    }

    private static PortalDbContext PostgresContext(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        PortalDatabase.Configure(builder, new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = connectionString }, Path.GetTempPath());
        return new PortalDbContext(builder.Options);
    }

    private static async Task<List<string>> SqliteSchemaAsync(string file)
    {
        var lines = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        var tables = await QueryAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock', 'sqlite_sequence')", r => r.GetString(0));
        foreach (var table in tables)
        {
            lines.Add($"table {table}");
            lines.AddRange(await QueryAsync(connection, $"SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info('{table}')",
                r => $"{table}.column {r.GetString(0)} {r.GetString(1)} notnull={r.GetInt64(2)} pk={r.GetInt64(3)} default={(r.IsDBNull(4) ? "" : r.GetString(4))}"));
            var indexes = await QueryAsync(connection, $"SELECT name, \"unique\", origin FROM pragma_index_list('{table}')", r => (Name: r.GetString(0), Unique: r.GetInt64(1), Origin: r.GetString(2)));
            foreach (var index in indexes)
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{index.Name}') ORDER BY seqno", r => r.GetString(0));
                // Names of automatic indexes (primary keys) are SQLite's own, so only their columns count.
                var name = index.Origin == "c" ? index.Name : index.Origin;
                lines.Add($"{table}.index {name} unique={index.Unique} ({string.Join(",", columns)})");
            }

            lines.AddRange(await QueryAsync(connection, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')",
                r => $"{table}.fk {r.GetString(1)} -> {r.GetString(0)}.{r.GetString(2)} on delete {r.GetString(3)}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> PostgresSchemaAsync(string connectionString)
    {
        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        lines.AddRange(await QueryAsync(connection, """
            SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), is_identity, coalesce(identity_generation, ''),
                   coalesce(character_maximum_length, 0), coalesce(numeric_precision, 0), coalesce(numeric_scale, 0)
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
            """,
            r => $"{r.GetString(0)}.column {r.GetString(1)} {r.GetString(2)} nullable={r.GetString(3)} default={r.GetString(4)} identity={r.GetString(5)}{r.GetString(6)} len={r.GetInt32(7)} precision={r.GetInt32(8)},{r.GetInt32(9)}"));
        lines.AddRange(await QueryAsync(connection, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory'",
            r => $"{r.GetString(0)}.index {r.GetString(1)}"));
        lines.AddRange(await QueryAsync(connection, """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"__EFMigrationsHistory"'
            """,
            r => $"{r.GetString(0)}.constraint {r.GetString(1)} {r.GetString(2)}"));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<T>> QueryAsync<T>(System.Data.Common.DbConnection connection, string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
