using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Jobs;

/// <summary>Work the portal's rows say is due now, whoever left it.</summary>
[Flags]
public enum DueWork
{
    None = 0,

    /// <summary>Referrals waiting for a routing run (the referral sweep's own selection).</summary>
    Routing = 1,

    /// <summary>Evidence files waiting to be read.</summary>
    EvidenceAnalysis = 2,

    /// <summary>Messages or forwarded files whose victim is still to be told by email, and requests for a new receipt key.</summary>
    VictimNotifications = 4,

    /// <summary>Urgent cases unclaimed for Triage:UrgentUnclaimedFlag without an alert, an alert not yet sent, or an integrity alert its request did not send.</summary>
    UrgentAlerts = 8,

    /// <summary>Assignments not acknowledged within Routing:AcknowledgeWithin (UrgentAcknowledgeWithin for urgent referrals).</summary>
    Escalations = 16,

    /// <summary>Campaign actions a supervisor confirmed that are still running.</summary>
    CampaignActions = 32,
}

/// <summary>
/// The recurring dispatcher's question, asked every Jobs:DispatchInterval on each node that runs
/// jobs: is any follow-up work due? One cheap existence query per kind on one connection, so an
/// idle portal costs a few statements a minute, and the job that does the work is enqueued only
/// when there is some. Each condition is the selection of the handler that does the work
/// (PendingReferrals, AnalyseEvidenceHandler, NotifyVictimsHandler, AlertUrgentUnclaimedHandler,
/// EscalateReferralsHandler); a difference only costs a run that finds nothing, or a run left to
/// the job's schedule.
/// </summary>
public sealed class DueWorkQuery(PortalDbContext db, IOptions<RoutingOptions> routing, IOptions<TriageOptions> triage, IOptions<EmailOptions> email, TimeProvider clock)
{
    public async Task<DueWork> HandleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var retryUnassignedBefore = now - routing.Value.UnassignedRetryAfter;
        var unclaimedSince = now - triage.Value.UrgentUnclaimedFlag;
        var normalAckBefore = now - routing.Value.AcknowledgeWithin;
        var urgentAckBefore = now - routing.Value.UrgentAcknowledgeWithin;
        var integrityAlertsBefore = now - EvidenceIntegrityAlert.TakeOverAfter(email.Value);

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var due = DueWork.None;
            if (await db.Referrals.AnyAsync(r => r.Status == ReferralStatus.Pending
                    || (r.Status == ReferralStatus.Unassigned && r.UpdatedAt <= retryUnassignedBefore)
                    || (r.Status == ReferralStatus.Assigned && db.ReferralAssignments.Any(a => a.ReferralId == r.Id && a.PartnerId == r.PartnerId && a.NotifiedAt == null)), cancellationToken))
            {
                due |= DueWork.Routing;
            }

            if (await db.EvidenceFiles.AnyAsync(e => e.AnalysisState == AnalysisState.Pending, cancellationToken))
            {
                due |= DueWork.EvidenceAnalysis;
            }

            if (await db.CaseMessages.AnyAsync(m => m.NotificationPending, cancellationToken)
                || await db.EvidenceFiles.AnyAsync(e => e.NotificationPending, cancellationToken)
                || await db.ReceiptKeyRequests.AnyAsync(cancellationToken))
            {
                due |= DueWork.VictimNotifications;
            }

            if (await db.Cases.AnyAsync(c => (c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
                    && c.Priority == CasePriority.Urgent && c.ClaimedById == null && c.CreatedAt <= unclaimedSince
                    && !db.SupervisorAlerts.Any(a => a.CaseId == c.Id && a.Kind == SupervisorAlertKind.UrgentUnclaimed), cancellationToken)
                || await db.SupervisorAlerts.AnyAsync(a => a.Kind == SupervisorAlertKind.UrgentUnclaimed && a.SentAt == null, cancellationToken)
                || await db.SupervisorAlerts.AnyAsync(a => a.Kind == SupervisorAlertKind.EvidenceIntegrity && a.SentAt == null && a.RaisedAt <= integrityAlertsBefore, cancellationToken))
            {
                due |= DueWork.UrgentAlerts;
            }

            if (await (
                    from r in db.Referrals
                    join a in db.ReferralAssignments on new { r.Id, PartnerId = r.PartnerId ?? 0 } equals new { Id = a.ReferralId, a.PartnerId }
                    where r.Status == ReferralStatus.Assigned && a.EndedAt == null && a.AssignedAt <= (r.Urgent ? urgentAckBefore : normalAckBefore)
                    select r.Id).AnyAsync(cancellationToken))
            {
                due |= DueWork.Escalations;
            }

            if (await db.CampaignActions.AnyAsync(a => a.State == CampaignActionState.Running, cancellationToken))
            {
                due |= DueWork.CampaignActions;
            }

            return due;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
