using System.Net;
using Npgsql;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Data;

/// <summary>
/// A PostgreSQL database that stops accepting connections while the portal runs: the portal
/// must say "try again shortly" and report not ready, never show a stack trace, and recover.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly PostgresPortalFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task DatabaseDown_FormShowsTryAgainShortly_ReadyFails_ThenRecovers()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        var database = factory.DatabaseName;

        await SetAcceptingConnectionsAsync(database, false);
        try
        {
            using var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

            var canary = "OUTAGE-" + Guid.NewGuid().ToString("N");
            using var submit = await client.SubmitAsync(form, "/report", ReportAnswers.Valid(canary));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, submit.StatusCode);
            var body = await submit.Content.ReadAsStringAsync();
            Assert.Contains("try again", body, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("<a href=\"tel:112\" class=\"tel\">", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            Assert.DoesNotContain(" at Portal.", body, StringComparison.Ordinal);
            Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(canary, StringComparison.Ordinal));
        }
        finally
        {
            await SetAcceptingConnectionsAsync(database, true);
        }

        NpgsqlConnection.ClearAllPools();
        using var recovered = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    private static async Task SetAcceptingConnectionsAsync(string database, bool accept)
    {
        await using var admin = new NpgsqlConnection(TestDatabases.PostgresServer);
        await admin.OpenAsync();
        await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(accept ? "true" : "false")}", admin);
        await alter.ExecuteNonQueryAsync();
        if (!accept)
        {
            await using var kick = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
            kick.Parameters.AddWithValue("db", database);
            await kick.ExecuteNonQueryAsync();
        }
    }
}
