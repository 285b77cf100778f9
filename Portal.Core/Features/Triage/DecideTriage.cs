using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Routing;

namespace Portal.Core.Features.Triage;

public sealed record DecideTriage(Guid CaseId, TriageRoute? Route, string? Reason);

public enum DecisionOutcome
{
    Decided,
    NotFound,

    /// <summary>The case is not claimed by the one deciding (never claimed, lapsed, or someone else's).</summary>
    NotHolder,

    /// <summary>The victim did not consent to where the decision would send the case.</summary>
    ConsentMissing,

    /// <summary>No route chosen, or closing without a reason.</summary>
    Incomplete,

    /// <summary>The case was already decided.</summary>
    AlreadyDecided,

    /// <summary>A note over <see cref="DecideTriageHandler.MaxReasonLength"/> characters: refused rather than cut.</summary>
    ReasonTooLong,
}

/// <summary>The outcome, and the referrals the decision wrote (routed once committed).</summary>
public sealed record TriageDecisionResult(DecisionOutcome Outcome, IReadOnlyList<long> ReferralIds)
{
    public static implicit operator TriageDecisionResult(DecisionOutcome outcome) => new(outcome, []);
}

/// <summary>
/// Records where a case goes. Consent is enforced here, whatever the request says: a case
/// without police consent can never be sent to police, nor one without counselling consent to
/// counselling. Only the volunteer holding a live claim decides, and the claim ends with it.
/// The decision's referrals are written in the same transaction (the outbox): both or neither.
/// The first decision is the victim's first answer from staff (FirstResponseAt), unless a
/// message came first. The decision, its referrals and its audit entry commit together (every
/// attempt is recorded, a refused one too); the job engine is nudged to route the referrals.
/// </summary>
public sealed class DecideTriageHandler(PortalDbContext db, AuditTrail audit, IFollowUpSignal followUp, IOptions<TriageOptions> options, TimeProvider clock)
{
    /// <summary>The longest decision note kept; the same as a campaign action's note.</summary>
    public const int MaxReasonLength = CampaignAction.MaxNoteLength;

    public async Task<TriageDecisionResult> HandleAsync(DecideTriage request, Actor actor, CancellationToken cancellationToken)
    {
        var userId = ClaimCaseHandler.StaffIdOf(actor);
        TriageDecisionResult result;
        try
        {
            result = await db.InTransactionAsync(async token =>
            {
                var decided = await DecideAsync(request, userId, token);
                await audit.AppendAsync(Audited(request, decided.Outcome, actor), token);
                return decided;
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent post of the same decision won: its referrals are the case's (unique per type).
            if (!await IsDecidedAsync(request.CaseId, cancellationToken))
            {
                throw;
            }

            await audit.AppendAsync(Audited(request, DecisionOutcome.AlreadyDecided, actor), cancellationToken);
            return DecisionOutcome.AlreadyDecided;
        }

        if (result.ReferralIds.Count > 0)
        {
            followUp.Notify(FollowUpWork.Routing);
        }

        return result;
    }

    private static AuditEvent Audited(DecideTriage request, DecisionOutcome outcome, Actor actor) =>
        outcome == DecisionOutcome.NotFound
            ? actor.Event(AuditActions.AccessDenied, subject: request.CaseId.ToString(), detail: "decision")
            : actor.Event(AuditActions.TriageDecided, request.CaseId, request.Route?.ToString(), outcome.ToString());

    private async Task<TriageDecisionResult> DecideAsync(DecideTriage request, string userId, CancellationToken cancellationToken)
    {
        var entity = await db.Cases.FirstOrDefaultAsync(c => c.Id == request.CaseId, cancellationToken);
        if (entity is null)
        {
            return DecisionOutcome.NotFound;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (entity.Status is CaseStatus.Referred or CaseStatus.Closed)
        {
            return DecisionOutcome.AlreadyDecided;
        }

        if (entity.ClaimedById != userId || entity.ClaimedAt is null || entity.ClaimedAt <= now - options.Value.ClaimLapse)
        {
            return DecisionOutcome.NotHolder;
        }

        if (Refusal(entity, request.Route, request.Reason) is { } refused)
        {
            return refused;
        }

        if (request.Route is not { } route)
        {
            return DecisionOutcome.Incomplete;
        }

        var referrals = await RecordAsync(entity, route, request.Reason, userId, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return new TriageDecisionResult(DecisionOutcome.Decided, referrals.Select(r => r.Id).ToList());
    }

    /// <summary>
    /// Why <paramref name="route"/> cannot be decided for this open case, whoever decides: no route,
    /// closing without a reason, a note too long to keep, or no consent for where it would go. Null when it can.
    /// </summary>
    public static DecisionOutcome? Refusal(Case entity, TriageRoute? route, string? reason)
    {
        if (route is not { } chosen || !Enum.IsDefined(chosen) || (chosen == TriageRoute.Close && string.IsNullOrWhiteSpace(reason)))
        {
            return DecisionOutcome.Incomplete;
        }

        if (reason?.Trim().Length > MaxReasonLength)
        {
            return DecisionOutcome.ReasonTooLong;
        }

        return ConsentAllows(entity, chosen) ? null : DecisionOutcome.ConsentMissing;
    }

    /// <summary>
    /// Records the decision on the tracked open case, which <see cref="Refusal"/> allowed: the
    /// decision row, its referrals (a crisis referral made on submission is not made twice), the
    /// status, the end of the claim and the victim's first answer. Saved by the caller's transaction.
    /// </summary>
    public async Task<IReadOnlyList<Referral>> RecordAsync(Case entity, TriageRoute route, string? reason, string deciderId, DateTime now, CancellationToken cancellationToken)
    {
        var existing = await db.Referrals.Where(r => r.CaseId == entity.Id).Select(r => r.PartnerType).ToListAsync(cancellationToken);
        return Record(entity, route, reason, deciderId, now, existing);
    }

    /// <summary>The partner types each of the cases already has a referral to, read once for a batch of decisions.</summary>
    public async Task<ILookup<Guid, PartnerType>> ExistingReferralsAsync(IReadOnlyCollection<Guid> caseIds, CancellationToken cancellationToken) =>
        (await db.Referrals.Where(r => caseIds.Contains(r.CaseId)).Select(r => new { r.CaseId, r.PartnerType }).ToListAsync(cancellationToken))
            .ToLookup(r => r.CaseId, r => r.PartnerType);

    /// <summary>As <see cref="RecordAsync"/>, with the case's existing referral types already read (<see cref="ExistingReferralsAsync"/>).</summary>
    public IReadOnlyList<Referral> Record(Case entity, TriageRoute route, string? reason, string deciderId, DateTime now, IEnumerable<PartnerType> existing)
    {
        var note = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var referrals = ReferralRules.TypesFor(route).Except(existing).Select(type => ReferralRules.Create(entity, type, now)).ToList();
        db.Referrals.AddRange(referrals);
        db.TriageDecisions.Add(new TriageDecision
        {
            CaseId = entity.Id,
            Route = route,
            Reason = note,
            DecidedById = deciderId,
            DecidedAt = now,
        });
        entity.Status = route is TriageRoute.InformationOnly or TriageRoute.Close ? CaseStatus.Closed : CaseStatus.Referred;
        entity.ClaimedById = null;
        entity.ClaimedAt = null;
        entity.UpdatedAt = now;
        entity.RecordFirstResponse(now);
        return referrals;
    }

    private async Task<bool> IsDecidedAsync(Guid caseId, CancellationToken cancellationToken) =>
        await db.Cases.AsNoTracking().AnyAsync(c => c.Id == caseId && (c.Status == CaseStatus.Referred || c.Status == CaseStatus.Closed), cancellationToken);

    public static bool ConsentAllows(Case entity, TriageRoute route) => route switch
    {
        TriageRoute.Police => entity.ConsentPolice,
        TriageRoute.Counselling => entity.ConsentCounselling,
        TriageRoute.PoliceAndCounselling => entity.ConsentPolice && entity.ConsentCounselling,
        _ => true,
    };
}
