using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Used for PostgreSQL; for SQLite, when empty, a file under the data directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Applies pending migrations when the web host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 30;
}
