using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Data;

/// <summary>How the one PortalDbContext is wired to SQLite or PostgreSQL, shared by the web host, the CLI verbs and tests.</summary>
public static class PortalDatabase
{
    public static string SqliteConnectionString(string dataDirectory) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "portal.db"),
            Pooling = true,
        }.ToString();

    public static void Configure(DbContextOptionsBuilder builder, DatabaseOptions options, string dataDirectory)
    {
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
                    ? SqliteConnectionString(dataDirectory)
                    : options.ConnectionString;
                EnsureSqliteDirectory(connectionString);
                builder.UseSqlite(connectionString, sqlite => sqlite.CommandTimeout(options.CommandTimeoutSeconds));
                builder.AddInterceptors(SqlitePragmas.Instance);
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is Postgres but Database:ConnectionString is empty.");
                }

                builder.UseNpgsql(options.ConnectionString, npgsql => npgsql.CommandTimeout(options.CommandTimeoutSeconds));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{options.Provider}'.");
        }

        // Migrations are written by hand (docs/decisions/0002); the schema drift test is the
        // check that they match the model, so the snapshot comparison is not wanted here.
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory) && dataSource != ":memory:")
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>WAL with normal sync: readers never block the writer, and commits need no fsync each.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
