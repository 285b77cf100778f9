using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Features.Triage;

public enum ClaimOutcome
{
    Claimed,
    HeldBySomeoneElse,
    NotFound,
}

/// <summary>
/// Takes a case for one volunteer. A single conditional UPDATE (free, lapsed, or already mine)
/// decides, so two volunteers racing for the same case can never both hold it, on either database.
/// </summary>
public sealed class ClaimCaseHandler(PortalDbContext db, IOptions<TriageOptions> options, TimeProvider clock)
{
    public async Task<ClaimOutcome> HandleAsync(Guid caseId, string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lapsed = now - options.Value.ClaimLapse;
        var taken = await db.Cases
            .Where(c => c.Id == caseId
                && (c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
                && (c.ClaimedById == null || c.ClaimedAt <= lapsed || c.ClaimedById == userId))
            .ExecuteUpdateAsync(
                c => c.SetProperty(x => x.ClaimedById, userId)
                    .SetProperty(x => x.ClaimedAt, now)
                    .SetProperty(x => x.Status, CaseStatus.InTriage)
                    .SetProperty(x => x.UpdatedAt, now),
                cancellationToken);
        if (taken == 1)
        {
            return ClaimOutcome.Claimed;
        }

        var exists = await db.Cases.AnyAsync(c => c.Id == caseId, cancellationToken);
        return exists ? ClaimOutcome.HeldBySomeoneElse : ClaimOutcome.NotFound;
    }

    /// <summary>Gives a case back to the queue; only its holder can.</summary>
    public async Task<bool> ReleaseAsync(Guid caseId, string userId, CancellationToken cancellationToken) =>
        await db.Cases
            .Where(c => c.Id == caseId && c.ClaimedById == userId)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.ClaimedById, (string?)null).SetProperty(x => x.ClaimedAt, (DateTime?)null), cancellationToken) == 1;
}
