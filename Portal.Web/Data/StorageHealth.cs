using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Web.Data;

public sealed class StorageHealthOptions
{
    public const string Section = "Portal";

    /// <summary>Below this much free space on the data or evidence volume the node reports itself not ready.</summary>
    public long MinFreeBytes { get; set; } = 64L * 1024 * 1024;
}

/// <summary>
/// Ready only while a change could be kept: the database accepts writes (SQLite: its file and
/// folder can be written; PostgreSQL: not read-only) and the folder it lives in is not nearly
/// full. A load balancer then stops sending victims to a node that would have to tell them
/// "not kept". Cheap enough to ask every few seconds: it opens, never writes, the database.
/// </summary>
internal sealed class DatabaseStorageHealthCheck(PortalDbContext db, IOptions<StorageHealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (db.Database.IsSqlite())
            {
                var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
                using (File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
                {
                    // Opening for writing is refused on a read-only file system.
                }

                return StorageProbe.Check(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".", options.Value.MinFreeBytes, write: true);
            }

            var readOnly = await db.Database.SqlQueryRaw<string>("SELECT current_setting('transaction_read_only') AS \"Value\"").SingleAsync(cancellationToken);
            return readOnly == "off" ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The database accepts no writes.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be written ({exception.GetType().Name}).");
        }
    }
}

/// <summary>Ready only while a new evidence file could be written, synced and removed in the evidence folder, and it is not nearly full.</summary>
internal sealed class EvidenceStorageHealthCheck(string directory, IOptions<StorageHealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(StorageProbe.Check(Path.Combine(directory, "tmp"), options.Value.MinFreeBytes, write: true));
}

internal static class StorageProbe
{
    public static HealthCheckResult Check(string directory, long minFreeBytes, bool write)
    {
        try
        {
            Directory.CreateDirectory(directory);
            if (write)
            {
                var probe = Path.Combine(directory, $"health-{Guid.NewGuid():N}.probe");
                using (var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                    file.WriteByte(0);
                    file.Flush(flushToDisk: true);
                }
            }

            var free = new DriveInfo(directory).AvailableFreeSpace;
            return free >= minFreeBytes
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Less than {minFreeBytes / (1024 * 1024)} MiB free for {Path.GetFileName(directory)}.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"{Path.GetFileName(directory)} cannot be written ({StorageFailure.Of(exception)}).");
        }
    }
}
