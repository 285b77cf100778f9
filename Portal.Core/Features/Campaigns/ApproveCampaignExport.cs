using System.Globalization;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;

namespace Portal.Core.Features.Campaigns;

/// <summary>
/// The first of two people: a supervisor releases the campaign, as it is now, to police: the
/// consenting cases they were shown (<c>casesSeen</c>, from the campaign page), no others. The
/// approval (CampaignBundleHandler decides it) and its audit entry, which names those cases,
/// commit together; a campaign the supervisor may not approve is recorded as a denial. Nothing to
/// export, or cases that changed since the page was shown, change nothing.
/// </summary>
public sealed class ApproveCampaignExportHandler(PortalDbContext db, CampaignBundleHandler bundles, AuditTrail audit)
{
    public Task<CampaignApprovalOutcome> HandleAsync(Guid campaignId, string? casesSeen, Actor actor, CancellationToken cancellationToken)
    {
        var supervisorId = actor.StaffId ?? throw new ArgumentException("Only a supervisor approves an export.", nameof(actor));
        return db.InTransactionAsync(async token =>
        {
            var (outcome, version, references) = await bundles.ApproveAsync(campaignId, casesSeen, supervisorId, token);
            if (outcome == CampaignApprovalOutcome.NotFound)
            {
                await audit.AppendAsync(actor.Event(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign-approval"), token);
            }
            else if (outcome == CampaignApprovalOutcome.Approved)
            {
                await audit.AppendAsync(actor.Event(AuditActions.CampaignExportApproved, subject: campaignId.ToString(), detail: $"v{version.ToString(CultureInfo.InvariantCulture)} {references.Count} cases: {string.Join(' ', references)}"), token);
            }

            return outcome;
        }, cancellationToken);
    }
}
