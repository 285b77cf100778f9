using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>The forwarding intake's counters as the supervisor dashboard shows them: counts only, no address, no content.</summary>
public sealed record IntakeCounts(long Messages, long Stored, long Duplicates, long Refused, long UnknownAddress, long LoopsDropped, DateTime? LastRunAt)
{
    /// <summary>The counters, or null while the intake mailbox has never been read.</summary>
    public static async Task<IntakeCounts?> ReadAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        await db.IntakeStatistics.AsNoTracking()
            .Where(s => s.Id == IntakeStatistics.SingletonId && s.LastRunAt != null)
            .Select(s => new IntakeCounts(s.Messages, s.Stored, s.Duplicates, s.Refused, s.UnknownAddress, s.LoopsDropped, s.LastRunAt))
            .FirstOrDefaultAsync(cancellationToken);
}
