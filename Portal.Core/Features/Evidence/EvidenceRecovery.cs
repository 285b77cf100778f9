using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence;

public sealed record EvidenceRecoveryReport(int Completed, int Removed, int Orphans);

/// <summary>
/// Resolves what an interrupted upload left. Files are moved to their final name before their
/// row commits, so a row without its file is not a state a crash can make; what it can leave is
/// a temporary blob (the upload never finished) or a final blob without a row (the commit never
/// happened): neither was acknowledged, and both are deleted once older than the abandoned-upload
/// age, so an upload in progress on another node is never touched. A temporary blob whose row
/// exists (left by the earlier order of steps) is completed at once: that upload had succeeded.
/// Runs at start-up before the portal serves, then periodically.
/// </summary>
public sealed class EvidenceRecovery(PortalDbContext db, IEvidenceStore store, TimeProvider clock, ILogger<EvidenceRecovery> logger)
{
    public async Task<EvidenceRecoveryReport> RunAsync(TimeSpan abandonedAfter, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - abandonedAfter;
        var temporary = store.TemporaryBlobs();
        var committed = store.CommittedBlobs();
        var candidates = temporary.Select(t => t.Id).Concat(committed.Select(c => c.Id)).Distinct().ToList();
        var known = new HashSet<Guid>();
        foreach (var chunk in candidates.Chunk(500))
        {
            known.UnionWith(await db.EvidenceFiles.Where(e => chunk.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken));
        }

        int completed = 0, removed = 0, orphans = 0;
        foreach (var (id, written) in temporary)
        {
            if (known.Contains(id))
            {
                store.Commit(id);
                completed++;
            }
            else if (written <= cutoff)
            {
                store.Delete(id);
                removed++;
            }
        }

        foreach (var (id, _) in committed.Where(c => !known.Contains(c.Id) && c.LastWriteUtc <= cutoff))
        {
            store.Delete(id);
            orphans++;
        }

        if (completed + removed + orphans > 0)
        {
            logger.LogWarning("Evidence cleanup: {Completed} interrupted upload(s) completed, {Removed} abandoned upload(s) removed, {Orphans} unreferenced blob(s) removed", completed, removed, orphans);
        }

        return new EvidenceRecoveryReport(completed, removed, orphans);
    }
}
