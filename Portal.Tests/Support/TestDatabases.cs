using Npgsql;

namespace Portal.Tests.Support;

/// <summary>The PostgreSQL server that infra/test starts; every test fixture gets a database of its own.</summary>
public static class TestDatabases
{
    public const string PostgresVariable = "PORTAL_TEST_POSTGRES";

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{PostgresVariable} is not set: run the tests through infra/test, which starts PostgreSQL.");

    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        var name = "portal_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(PostgresServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name, Pooling = true }.ToString();
    }

    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
