using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Messaging;

namespace Portal.Core.Features.Campaigns;

/// <summary>How a confirmation ended: the action it started, or the one it repeats (<see cref="Resent"/>), or why nothing started.</summary>
public sealed record CampaignActionStart(CampaignActionProblem Problem, long? ActionId = null, bool Resent = false);

/// <summary>
/// A supervisor confirms a previewed campaign action. The action (with a reply's texts as they
/// are now), the list of the campaign's cases it covers and its audit entry commit together; no
/// case is touched yet. The campaign must still be the version that was previewed, and no other
/// action may be running on it. The job engine is nudged once committed, and runs the cases in
/// batches (<see cref="RunCampaignActionsHandler"/>).
/// The same reply confirmed again by the same supervisor on the same version of the campaign once
/// it has run (a second click, or Back and Confirm; while it runs, it is refused as running) is
/// answered with the action it started, writing and recording nothing: otherwise every victim got
/// the reply twice.
/// </summary>
public sealed class StartCampaignActionHandler(PortalDbContext db, CannedResponsesHandler replies, AuditTrail audit, IFollowUpSignal followUp, TimeProvider clock)
{
    public async Task<CampaignActionStart> HandleAsync(Guid campaignId, int previewedVersion, CampaignActionRequest request, Actor actor, CancellationToken cancellationToken)
    {
        var supervisorId = actor.StaffId ?? throw new ArgumentException("Only a supervisor acts on a campaign.", nameof(actor));
        var started = await db.InTransactionAsync(async token =>
        {
            var result = await StartAsync(campaignId, previewedVersion, request, supervisorId, token);
            if (result.Resent)
            {
                return result;
            }

            await audit.AppendAsync(
                result.ActionId is { } id
                    ? actor.Event(AuditActions.CampaignActionStarted, subject: campaignId.ToString(), detail: string.Create(CultureInfo.InvariantCulture, $"action {id}: ") + PreviewCampaignActionHandler.Describe(request.Kind, request, null) + string.Create(CultureInfo.InvariantCulture, $", v{previewedVersion}"))
                    : result.Problem == CampaignActionProblem.NotFound
                        ? actor.Event(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign-action")
                        : actor.Event(AuditActions.CampaignActionRefused, subject: campaignId.ToString(), detail: result.Problem.ToString()),
                token);
            return result;
        }, cancellationToken);

        if (started is { ActionId: not null, Resent: false })
        {
            followUp.Notify(FollowUpWork.CampaignActions);
        }

        return started;
    }

    private async Task<CampaignActionStart> StartAsync(Guid campaignId, int previewedVersion, CampaignActionRequest request, string supervisorId, CancellationToken cancellationToken)
    {
        // Taking the campaign's row first serialises two confirmations of actions on it (the
        // row lock on PostgreSQL; SQLite's transaction already holds the write lock).
        if (await db.Campaigns.Where(c => c.Id == campaignId && c.RetiredAt == null)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.Version, x => x.Version), cancellationToken) == 0)
        {
            return new(CampaignActionProblem.NotFound);
        }

        var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == campaignId, cancellationToken);
        var reply = request.Kind == CampaignActionKind.Reply && request.CannedResponseId is { } replyId ? await replies.FindAsync(replyId, cancellationToken) : null;
        var problem = CampaignActionRules.Validate(request, reply);
        if (problem != CampaignActionProblem.None)
        {
            return new(problem);
        }

        if (campaign.Version != previewedVersion)
        {
            return new(CampaignActionProblem.Changed);
        }

        if (await db.CampaignActions.AnyAsync(a => a.CampaignId == campaignId && a.State == CampaignActionState.Running, cancellationToken))
        {
            return new(CampaignActionProblem.AlreadyRunning);
        }

        if (reply is not null && await SameReplyAsync(campaign, reply, supervisorId, cancellationToken) is { } earlier)
        {
            return new(CampaignActionProblem.None, earlier, Resent: true);
        }

        var caseIds = await db.CampaignCases.Where(m => m.CampaignId == campaignId).Select(m => m.CaseId).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var action = new CampaignAction
        {
            CampaignId = campaignId,
            CampaignVersion = campaign.Version,
            Kind = request.Kind,
            CannedResponseId = reply?.Id,
            ReplyTitle = reply?.Title,
            ReplyEn = reply?.BodyEn,
            ReplyFi = reply?.BodyFi,
            ReplySv = reply?.BodySv,
            Route = request.DecidedRoute,
            Note = request.KeptNote,
            RequestedById = supervisorId,
            RequestedAt = now,
            State = caseIds.Count == 0 ? CampaignActionState.Done : CampaignActionState.Running,
            FinishedAt = caseIds.Count == 0 ? now : null,
            Total = caseIds.Count,
        };
        db.CampaignActions.Add(action);
        await db.SaveChangesAsync(cancellationToken);

        var previous = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            db.CampaignActionCases.AddRange(caseIds.Select(id => new CampaignActionCase { ActionId = action.Id, CaseId = id }));
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = previous;
        }

        return new(CampaignActionProblem.None, action.Id);
    }

    /// <summary>The action this supervisor already started with this reply, as it reads now, on this version of the campaign.</summary>
    private Task<long?> SameReplyAsync(Campaign campaign, CannedResponseView reply, string supervisorId, CancellationToken cancellationToken) =>
        db.CampaignActions.AsNoTracking()
            .Where(a => a.CampaignId == campaign.Id && a.CampaignVersion == campaign.Version && a.Kind == CampaignActionKind.Reply
                && a.RequestedById == supervisorId && a.CannedResponseId == reply.Id
                && a.ReplyEn == reply.BodyEn && a.ReplyFi == reply.BodyFi && a.ReplySv == reply.BodySv)
            .OrderByDescending(a => a.Id)
            .Select(a => (long?)a.Id)
            .FirstOrDefaultAsync(cancellationToken);
}
