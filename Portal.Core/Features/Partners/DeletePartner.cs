using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Partners;

public enum DeletePartnerOutcome
{
    Deleted,
    NotFound,
    HasHistory,

    /// <summary>Deleted before (a second click, another tab): nothing more to do.</summary>
    AlreadyDeleted,
}

/// <summary>
/// Removes a partner that was never given a referral; one that was can only be deactivated, so
/// history stays whole. Its staff lose the link to it. The removal (or the refusal) is recorded
/// in the same transaction.
/// </summary>
public sealed class DeletePartnerHandler(PortalDbContext db, AuditTrail audit)
{
    public Task<DeletePartnerOutcome> HandleAsync(long partnerId, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var outcome = await DeleteAsync(partnerId, token);
            if (outcome is not (DeletePartnerOutcome.NotFound or DeletePartnerOutcome.AlreadyDeleted))
            {
                await audit.AppendAsync(actor.Event(AuditActions.PartnerDeleted, subject: SavePartnerHandler.Subject(partnerId), detail: outcome.ToString()), token);
            }

            return outcome;
        }, cancellationToken);

    private async Task<DeletePartnerOutcome> DeleteAsync(long partnerId, CancellationToken cancellationToken)
    {
        if (!await db.Partners.AnyAsync(p => p.Id == partnerId, cancellationToken))
        {
            var before = await audit.RecordsAsync(AuditActions.PartnerDeleted, SavePartnerHandler.Subject(partnerId), null, cancellationToken, nameof(DeletePartnerOutcome.Deleted));
            return before ? DeletePartnerOutcome.AlreadyDeleted : DeletePartnerOutcome.NotFound;
        }

        if (await db.ReferralAssignments.AnyAsync(a => a.PartnerId == partnerId, cancellationToken))
        {
            return DeletePartnerOutcome.HasHistory;
        }

        await db.Users.Where(u => u.PartnerId == partnerId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PartnerId, (long?)null), cancellationToken);
        await db.Partners.Where(p => p.Id == partnerId).ExecuteDeleteAsync(cancellationToken);
        return DeletePartnerOutcome.Deleted;
    }
}
