using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;

namespace Portal.Core.Features.Reports;

/// <summary>The victim gives (<paramref name="Consent"/> true) or withdraws consent to share their case with one kind of partner.</summary>
public sealed record ChangeConsent(PartnerType Partner, bool Consent);

public enum ConsentChangeOutcome
{
    Changed,

    /// <summary>The case already had that answer: nothing to do.</summary>
    Unchanged,

    NotFound,
}

/// <summary>
/// Consent from the case page, at any time. Withdrawing ends what the partner may see, here and
/// not only in the pages: the case's consent flag (which every partner query and the bundle and
/// campaign access check) goes off; referrals of that kind still waiting or in a partner's hands
/// are withdrawn and their assignments ended; a partner who had been told of the referral is
/// told, by a job after the commit, that it was withdrawn (the reference only, never content).
/// Giving consent again reopens a referral the victim had withdrawn, for routing to take up; where
/// no referral was made, a volunteer decides as before. All of it commits with its audit entries.
/// </summary>
public sealed class ChangeConsentHandler(PortalDbContext db, AuditTrail audit, IFollowUpSignal followUp, TimeProvider clock)
{
    private const int Attempts = 3;

    public async Task<ConsentChangeOutcome> HandleAsync(Guid caseId, ChangeConsent request, Actor actor, CancellationToken cancellationToken)
    {
        if (request.Partner is not (PartnerType.Police or PartnerType.Counselling))
        {
            return ConsentChangeOutcome.Unchanged;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (outcome, routing) = await db.InTransactionAsync(token => ChangeAsync(caseId, request, actor, token), cancellationToken);
                if (routing)
                {
                    followUp.Notify(FollowUpWork.Routing);
                }

                return outcome;
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                // Routing or the partner moved a referral at the same moment: read it again.
            }
        }
    }

    private async Task<(ConsentChangeOutcome Outcome, bool Routing)> ChangeAsync(Guid caseId, ChangeConsent request, Actor actor, CancellationToken cancellationToken)
    {
        var entity = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (entity is null)
        {
            return (ConsentChangeOutcome.NotFound, false);
        }

        var police = request.Partner == PartnerType.Police;
        if ((police ? entity.ConsentPolice : entity.ConsentCounselling) == request.Consent)
        {
            return (ConsentChangeOutcome.Unchanged, false);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (police)
        {
            entity.ConsentPolice = request.Consent;
        }
        else
        {
            entity.ConsentCounselling = request.Consent;
        }

        entity.UpdatedAt = now;
        var referrals = await db.Referrals.Where(r => r.CaseId == caseId && r.PartnerType == request.Partner).ToListAsync(cancellationToken);
        var events = new List<AuditEvent>();
        var routing = false;
        foreach (var referral in referrals)
        {
            var subject = referral.Id.ToString(CultureInfo.InvariantCulture);
            if (!request.Consent && referral.Status != ReferralStatus.Withdrawn)
            {
                routing |= await EndAssignmentsAsync(referral.Id, now, cancellationToken);
                if (referral.Status != ReferralStatus.Closed)
                {
                    // A referral whose outcome was recorded keeps it; its partner loses access all the same.
                    referral.Status = ReferralStatus.Withdrawn;
                    referral.PartnerId = null;
                    referral.UnassignedReason = null;
                }

                referral.UpdatedAt = now;
                referral.Version++;
                events.Add(actor.Event(AuditActions.ReferralWithdrawn, caseId, subject, request.Partner.ToString()));
            }
            else if (request.Consent && referral.Status == ReferralStatus.Withdrawn)
            {
                referral.Status = ReferralStatus.Pending;
                referral.AcknowledgedAt = null;
                referral.AcceptedAt = null;
                referral.UpdatedAt = now;
                referral.Version++;
                routing = true;
                events.Add(actor.Event(AuditActions.ReferralReopened, caseId, subject, request.Partner.ToString()));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        events.Add(actor.Event(request.Consent ? AuditActions.ConsentGiven : AuditActions.ConsentWithdrawn, caseId, detail: request.Partner.ToString()));
        await audit.AppendManyAsync(events, cancellationToken);
        return (ConsentChangeOutcome.Changed, routing);
    }

    /// <summary>Ends the partner's hold on the referral; true when a partner who was told must now be told it was withdrawn.</summary>
    private async Task<bool> EndAssignmentsAsync(long referralId, DateTime now, CancellationToken cancellationToken)
    {
        var notice = false;
        foreach (var assignment in await db.ReferralAssignments.Where(a => a.ReferralId == referralId && a.EndedAt == null).ToListAsync(cancellationToken))
        {
            assignment.EndedAt = now;
            assignment.EndReason = AssignmentEnd.Withdrawn;

            // Told, or about to be (a routing run holds the notification): either way they hear it ended.
            assignment.WithdrawalNoticePending = assignment.NotifiedAt is not null || assignment.NotificationClaimedAt is not null;
            notice |= assignment.WithdrawalNoticePending;
        }

        return notice;
    }
}
