using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence;

public sealed record EvidenceRecoveryReport(int Completed, int Removed, int Orphans);

/// <summary>
/// Resolves what an interrupted upload left: a temporary blob whose row was committed is moved
/// to its final name (the upload had succeeded), one without a row is deleted (it had not),
/// and a committed blob without a row (its case was removed) is deleted. Only blobs older than
/// the abandoned-upload age are touched, so uploads in progress on other nodes are left alone.
/// </summary>
public sealed class EvidenceRecovery(PortalDbContext db, IEvidenceStore store, TimeProvider clock, ILogger<EvidenceRecovery> logger)
{
    public async Task<EvidenceRecoveryReport> RunAsync(TimeSpan abandonedAfter, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - abandonedAfter;
        var temporary = store.TemporaryBlobs().Where(t => t.LastWriteUtc <= cutoff).Select(t => t.Id).ToList();
        var committed = store.CommittedBlobs();
        var candidates = temporary.Concat(committed).Distinct().ToList();
        var known = new HashSet<Guid>();
        foreach (var chunk in candidates.Chunk(500))
        {
            known.UnionWith(await db.EvidenceFiles.Where(e => chunk.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken));
        }

        int completed = 0, removed = 0, orphans = 0;
        foreach (var id in temporary)
        {
            if (known.Contains(id))
            {
                store.Commit(id);
                completed++;
            }
            else
            {
                store.Delete(id);
                removed++;
            }
        }

        foreach (var id in committed.Where(id => !known.Contains(id)))
        {
            store.Delete(id);
            orphans++;
        }

        if (completed + removed + orphans > 0)
        {
            logger.LogWarning("Evidence cleanup: {Completed} interrupted upload(s) completed, {Removed} abandoned upload(s) removed, {Orphans} orphaned blob(s) removed", completed, removed, orphans);
        }

        return new EvidenceRecoveryReport(completed, removed, orphans);
    }
}
