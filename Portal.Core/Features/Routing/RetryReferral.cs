using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;

namespace Portal.Core.Features.Routing;

/// <summary>
/// A supervisor sends an unassigned referral back to pending, so the next routing run tries every
/// rule afresh. The move and its audit entry (a refusal too: the referral was not unassigned)
/// commit together; routing is nudged once committed. False when it was not unassigned.
/// </summary>
public sealed class RetryReferralHandler(PortalDbContext db, AuditTrail audit, IFollowUpSignal followUp, TimeProvider clock)
{
    public async Task<bool> HandleAsync(long referralId, Actor actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var retried = await db.InTransactionAsync(async token =>
        {
            var moved = await db.Referrals.Where(r => r.Id == referralId && r.Status == ReferralStatus.Unassigned)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReferralStatus.Pending).SetProperty(r => r.UpdatedAt, now).SetProperty(r => r.Version, r => r.Version + 1), token) == 1;
            await audit.AppendAsync(actor.Event(AuditActions.ReferralRetried, subject: RespondToReferralHandler.ReferralSubject(referralId), detail: moved ? "retried" : "not unassigned"), token);
            return moved;
        }, cancellationToken);
        if (retried)
        {
            followUp.Notify(FollowUpWork.Routing);
        }

        return retried;
    }
}
