using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Campaigns;

public sealed record CampaignActionBatch(long ActionId, int Applied, int Skipped, bool Finished);

/// <summary>
/// Carries out confirmed campaign actions, <see cref="BatchSize"/> cases per transaction: each
/// case is checked again by the single-case rules (it may have changed since the preview) and
/// changed by the single-case use case's own code (<see cref="DecideTriageHandler.Record"/>,
/// <see cref="SendStaffMessageHandler.Add"/>, with what they would ask per case read once per
/// batch), with the same audit entry a single case gets,
/// in the name of the supervisor who confirmed it. A batch's changes, their entries and the
/// action's progress commit together: SQLite has one writer, so a batch holds it for tens of
/// milliseconds, never the whole action, and a crash loses at most the batch in flight, which is
/// done again from its rows. Routing and update emails are nudged after each commit.
/// </summary>
public sealed class RunCampaignActionsHandler(
    PortalDbContext db,
    DecideTriageHandler decide,
    SendStaffMessageHandler messages,
    AuditTrail audit,
    IFollowUpSignal followUp,
    IOptions<TriageOptions> options,
    TimeProvider clock)
{
    public const int BatchSize = 50;

    /// <summary>Between batches, so a volunteer's claim or message waiting for SQLite's write lock gets it.</summary>
    public static readonly TimeSpan PauseBetweenBatches = TimeSpan.FromMilliseconds(20);

    private static readonly ILookup<Guid, PartnerType> NoReferrals = Array.Empty<Referral>().ToLookup(r => r.CaseId, r => r.PartnerType);

    /// <summary>Runs every running action to its end, oldest first; returns the cases done.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        while (await NextRunningAsync(cancellationToken) is { } actionId)
        {
            var batch = await RunBatchAsync(actionId, cancellationToken);
            done += batch.Applied + batch.Skipped;
            await Task.Delay(PauseBetweenBatches, cancellationToken);
        }

        return done;
    }

    public Task<long?> NextRunningAsync(CancellationToken cancellationToken) =>
        db.CampaignActions.AsNoTracking().Where(a => a.State == CampaignActionState.Running).OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>One batch of one action, in one transaction.</summary>
    public async Task<CampaignActionBatch> RunBatchAsync(long actionId, CancellationToken cancellationToken)
    {
        var batch = await db.InTransactionAsync(token => BatchAsync(actionId, token), cancellationToken);
        db.ChangeTracker.Clear();

        // Committed: the referrals can be routed and the victims told there is an update.
        if (batch.Routed)
        {
            followUp.Notify(FollowUpWork.Routing);
        }

        if (batch.Messaged)
        {
            followUp.Notify(FollowUpWork.VictimNotifications);
        }

        return batch.Result;
    }

    private async Task<(CampaignActionBatch Result, bool Routed, bool Messaged)> BatchAsync(long actionId, CancellationToken cancellationToken)
    {
        // Taking the action's row first: two runners (two nodes) take turns, and the second finds
        // the first's cases done.
        await db.CampaignActions.Where(a => a.Id == actionId).ExecuteUpdateAsync(a => a.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
        var action = await db.CampaignActions.SingleAsync(a => a.Id == actionId, cancellationToken);
        if (action.State != CampaignActionState.Running)
        {
            return (new(actionId, 0, 0, true), false, false);
        }

        var rows = await db.CampaignActionCases.Where(c => c.ActionId == actionId && c.Outcome == null).OrderBy(c => c.CaseId).Take(BatchSize).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.CaseId).ToList();
        var cases = await db.Cases.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var request = new CampaignActionRequest(action.Kind, action.CannedResponseId, action.Route, action.Note);
        var actor = Actor.Staff(action.RequestedById, null);
        var now = clock.GetUtcNow().UtcDateTime;
        // What the single-case code asks per case, asked once for the batch.
        var alreadyTold = action.Kind == CampaignActionKind.Reply ? await messages.AlreadyToldAsync(cases.Values, cancellationToken) : [];
        var referred = action.Kind == CampaignActionKind.Route ? await decide.ExistingReferralsAsync(ids, cancellationToken) : NoReferrals;
        var sent = new List<(Guid CaseId, CaseMessage Message)>();
        var events = new List<AuditEvent>();
        var routed = false;
        foreach (var row in rows)
        {
            if (!cases.TryGetValue(row.CaseId, out var entity))
            {
                row.Outcome = CampaignCaseOutcome.Gone;
                continue;
            }

            row.Outcome = CampaignActionRules.Check(request, entity, action.RequestedById, now, options.Value.ClaimLapse);
            if (action.Kind == CampaignActionKind.Reply)
            {
                if (row.Outcome == CampaignCaseOutcome.Applied)
                {
                    sent.Add((entity.Id, messages.Add(entity, action.ReplyIn(entity.Language), action.RequestedById, now, alreadyTold.Contains(entity.Id))));
                }

                continue;
            }

            // As a single decision does, every attempt is recorded on the case: made, or refused and why.
            var route = request.DecidedRoute ?? TriageRoute.Close;
            var outcome = row.Outcome switch
            {
                CampaignCaseOutcome.Applied => DecisionOutcome.Decided,
                CampaignCaseOutcome.AlreadyDecided => DecisionOutcome.AlreadyDecided,
                CampaignCaseOutcome.HeldBySomeoneElse => DecisionOutcome.NotHolder,
                _ => DecisionOutcome.ConsentMissing,
            };
            if (outcome == DecisionOutcome.Decided)
            {
                routed |= decide.Record(entity, route, action.Note, action.RequestedById, now, referred[entity.Id]).Count > 0;
            }

            events.Add(actor.Event(AuditActions.TriageDecided, entity.Id, route.ToString(), outcome.ToString()));
        }

        var applied = rows.Count(r => r.Outcome == CampaignCaseOutcome.Applied);
        action.Applied += applied;
        action.Skipped += rows.Count - applied;
        var finished = rows.Count < BatchSize
            || !await db.CampaignActionCases.AnyAsync(c => c.ActionId == actionId && c.Outcome == null && !ids.Contains(c.CaseId), cancellationToken);
        if (finished)
        {
            action.State = CampaignActionState.Done;
            action.FinishedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);

        // Message ids exist once saved; each message's entry is the one a single message gets.
        events.AddRange(sent.Select(s => actor.Event(AuditActions.MessageSent, s.CaseId, s.Message.Id.ToString(CultureInfo.InvariantCulture))));
        if (finished)
        {
            events.Add(actor.Event(AuditActions.CampaignActionFinished, subject: action.CampaignId.ToString(), detail: string.Create(CultureInfo.InvariantCulture, $"action {action.Id}: {action.Applied} done, {action.Skipped} skipped")));
        }

        await audit.AppendManyAsync(events, cancellationToken);
        return (new(actionId, applied, rows.Count - applied, finished), routed, sent.Any(s => s.Message.NotificationPending));
    }
}
