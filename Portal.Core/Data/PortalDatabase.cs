using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// Registers <see cref="PortalDbContext"/> as the provider's own context type, pooled, so
    /// migrations come from that provider's set.
    /// </summary>
    public static IServiceCollection AddPortalDbContext(this IServiceCollection services, DatabaseProvider provider, Func<IServiceProvider, DatabaseOptions> options, string dataDirectory) =>
        provider switch
        {
            DatabaseProvider.Sqlite => services.AddDbContextPool<PortalDbContext, SqlitePortalDbContext>((sp, builder) => Configure(builder, options(sp), dataDirectory)),
            DatabaseProvider.Postgres => services.AddDbContextPool<PortalDbContext, PostgresPortalDbContext>((sp, builder) => Configure(builder, options(sp), dataDirectory)),
            _ => throw new InvalidOperationException($"Unknown database provider '{provider}'."),
        };

    /// <summary>A context outside dependency injection (tools, tests): the caller disposes it.</summary>
    public static PortalDbContext CreateContext(DatabaseOptions options, string dataDirectory)
    {
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = new DbContextOptionsBuilder<SqlitePortalDbContext>();
                Configure(sqlite, options, dataDirectory);
                return new SqlitePortalDbContext(sqlite.Options);
            case DatabaseProvider.Postgres:
                var postgres = new DbContextOptionsBuilder<PostgresPortalDbContext>();
                Configure(postgres, options, dataDirectory);
                return new PostgresPortalDbContext(postgres.Options);
            default:
                throw new InvalidOperationException($"Unknown database provider '{options.Provider}'.");
        }
    }

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

    /// <summary>
    /// WAL with full sync: readers never block the writer, and a commit is on disk (the WAL
    /// fsynced) before it returns, so an acknowledged change survives an OS crash or power loss
    /// as well as a killed process (docs/decisions/0020). The settings belong to the SQLite
    /// connection itself, which the pool keeps open across opens of a <see cref="SqliteConnection"/>:
    /// they are applied once per pooled connection, not on every open (a report opened it twice,
    /// five statements each time, docs/decisions/0031).
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY;";

        // The native connections already set up; an entry goes when the pool closes its connection.
        private static readonly ConditionalWeakTable<object, object> Prepared = [];

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (NeedsPragmas(connection, out var handle))
            {
                using var command = connection.CreateCommand();
                command.CommandText = Pragmas;
                command.ExecuteNonQuery();
                Remember(handle);
            }
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (NeedsPragmas(connection, out var handle))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = Pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken);
                Remember(handle);
            }
        }

        private static bool NeedsPragmas(DbConnection connection, out object? handle)
        {
            handle = (connection as SqliteConnection)?.Handle;
            return handle is null || !Prepared.TryGetValue(handle, out _);
        }

        private static void Remember(object? handle)
        {
            if (handle is not null)
            {
                Prepared.AddOrUpdate(handle, handle);
            }
        }
    }
}
