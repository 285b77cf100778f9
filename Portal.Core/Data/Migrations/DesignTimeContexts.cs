using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Core.Data.Migrations;

/// <summary>
/// How dotnet-ef builds each provider's context when it makes or checks migrations. No database
/// is opened: the connection strings only choose the provider.
/// </summary>
internal sealed class SqliteDesignTimeContext : IDesignTimeDbContextFactory<SqlitePortalDbContext>
{
    public SqlitePortalDbContext CreateDbContext(string[] args) =>
        (SqlitePortalDbContext)PortalDatabase.CreateContext(
            new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=design-time.db" },
            Path.GetTempPath());
}

internal sealed class PostgresDesignTimeContext : IDesignTimeDbContextFactory<PostgresPortalDbContext>
{
    public PostgresPortalDbContext CreateDbContext(string[] args) =>
        (PostgresPortalDbContext)PortalDatabase.CreateContext(
            new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = "Host=localhost;Database=portal_design_time" },
            Path.GetTempPath());
}
