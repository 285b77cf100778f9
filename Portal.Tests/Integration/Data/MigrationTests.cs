using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Data;

/// <summary>
/// Each provider has its own migrations made by dotnet-ef (docs/decisions/0019); infra/test also
/// runs `dotnet ef migrations has-pending-model-changes` for both. These tests check what the
/// tool does not: that the migrations apply, seed the rows the portal relies on, and can be
/// applied again without change.
/// </summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Sqlite_Migrations_MatchTheModel_AndSeedTheAuditChainHead()
    {
        var file = Path.Combine(TestDatabases.NewTempDirectory(), "migrated.db");
        await using var db = SqliteContext(file);
        Assert.IsType<SqlitePortalDbContext>(db);
        Assert.False(db.Database.HasPendingModelChanges());

        await db.Database.MigrateAsync();

        var head = await db.AuditChainHeads.SingleAsync();
        Assert.Equal((AuditChainHead.SingletonId, 0L), (head.Id, head.LastEntryId));
        Assert.Equal(new byte[32], head.LastMac);
        Assert.Equal(CampaignClusteringState.SingletonId, (await db.CampaignClusteringStates.SingleAsync()).Id);
        var intake = await db.IntakeStatistics.SingleAsync();
        Assert.Equal((IntakeStatistics.SingletonId, 0L, (DateTime?)null), (intake.Id, intake.Messages, intake.LastRunAt));
    }

    [Fact]
    public async Task Postgres_Migrations_MatchTheModel_AndSeedTheAuditChainHead()
    {
        await using var db = PortalDatabase.CreateContext(
            new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = await TestDatabases.CreatePostgresDatabaseAsync() },
            Path.GetTempPath());
        Assert.IsType<PostgresPortalDbContext>(db);
        Assert.False(db.Database.HasPendingModelChanges());

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var head = await db.AuditChainHeads.SingleAsync();
        Assert.Equal((AuditChainHead.SingletonId, 0L), (head.Id, head.LastEntryId));
        Assert.Equal(CampaignClusteringState.SingletonId, (await db.CampaignClusteringStates.SingleAsync()).Id);
        var intake = await db.IntakeStatistics.SingleAsync();
        Assert.Equal((IntakeStatistics.SingletonId, 0L, (DateTime?)null), (intake.Id, intake.Messages, intake.LastRunAt));
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

        Assert.Contains(first, line => line.StartsWith("Cases.column ReceiptHash", StringComparison.Ordinal));
        Assert.Equal(first, await SqliteSchemaAsync(file));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task OutlookMessagesStoredBeforeTheyWereRead_AreQueuedForReading_ButNotDocumentsOrOtherFiles()
    {
        var file = Path.Combine(TestDatabases.NewTempDirectory(), "outlook.db");
        await using (var db = SqliteContext(file))
        {
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync("20261207201629_NoticeWithdrawal");
            var entity = new Case { Reference = "VS-0000-0000", ReceiptHash = [], Language = "en", NarrativeEnvelope = [] };
            db.Cases.Add(entity);
            await db.SaveChangesAsync();
            foreach (var (name, kind, purpose) in new[] { ("msg", EvidenceKind.OutlookMessage, FilePurpose.Evidence), ("doc", EvidenceKind.OutlookMessage, FilePurpose.Document), ("png", EvidenceKind.Image, FilePurpose.Evidence) })
            {
                db.EvidenceFiles.Add(new EvidenceFile
                {
                    Id = Guid.CreateVersion7(), CaseId = entity.Id, Kind = kind, Purpose = purpose, MediaType = name, FileNameEnvelope = [], Size = 1,
                    Sha256 = System.Text.Encoding.ASCII.GetBytes(name), KeyId = "k", ReceivedAt = DateTime.UtcNow, AnalysisState = AnalysisState.NotApplicable,
                });
            }

            await db.SaveChangesAsync();
        }

        await using (var db = SqliteContext(file))
        {
            await db.Database.MigrateAsync();
            var states = await db.EvidenceFiles.AsNoTracking().ToDictionaryAsync(e => e.MediaType, e => e.AnalysisState);
            Assert.Equal((AnalysisState.Pending, AnalysisState.NotApplicable, AnalysisState.NotApplicable), (states["msg"], states["doc"], states["png"]));
        }

        SqliteConnection.ClearAllPools();
    }

    private static PortalDbContext SqliteContext(string file) =>
        PortalDatabase.CreateContext(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file}" }, Path.GetDirectoryName(file) ?? Path.GetTempPath());

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
            lines.AddRange(await QueryAsync(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{table}')", r => $"{table}.index {r.GetString(0)} unique={r.GetInt64(1)}"));
        }

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
