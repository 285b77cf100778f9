using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Features.Routing;

/// <summary>
/// Referrals that still need a routing run, oldest first, for the sweeper: pending ones (a crash
/// between commit and scheduling leaves them so), assigned ones whose partner was never told
/// (a crash between assignment and email), unassigned ones not tried for a while, and withdrawn
/// ones whose partner is still to be told.
/// </summary>
public sealed class PendingReferrals(PortalDbContext db, IOptions<RoutingOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<long>> HandleAsync(CancellationToken cancellationToken, int limit = 1000)
    {
        var retryBefore = clock.GetUtcNow().UtcDateTime - options.Value.UnassignedRetryAfter;
        return await db.Referrals.AsNoTracking()
            .Where(r => r.Status == ReferralStatus.Pending
                || (r.Status == ReferralStatus.Unassigned && r.UpdatedAt <= retryBefore)
                || (r.Status == ReferralStatus.Assigned && db.ReferralAssignments.Any(a => a.ReferralId == r.Id && a.PartnerId == r.PartnerId && a.NotifiedAt == null))
                || db.ReferralAssignments.Any(a => a.ReferralId == r.Id && a.WithdrawalNoticePending))
            .OrderBy(r => r.Id)
            .Select(r => r.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }
}
