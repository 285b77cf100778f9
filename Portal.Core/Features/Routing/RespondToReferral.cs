using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;

namespace Portal.Core.Features.Routing;

public enum ReferralAction
{
    Acknowledge,
    Accept,
    Decline,
    RecordOutcome,
    RecordPoliceReportNumber,
}

public sealed record RespondToReferral(long ReferralId, ReferralAction Action, string? Reason = null, ReferralOutcome? Outcome = null, string? Note = null, string? PoliceReportNumber = null);

public enum ResponseOutcome
{
    Done,

    /// <summary>No such referral for this organisation (another's, or none): the caller answers 404.</summary>
    NotFound,

    /// <summary>Not possible in the referral's state (already acknowledged, declined, closed), or someone acted first.</summary>
    WrongState,

    ReasonRequired,
    OutcomeRequired,
    ReportNumberInvalid,

    /// <summary>Only police record a police report number.</summary>
    PoliceOnly,

    /// <summary>This organisation had declined it already (the same form sent twice): nothing changes, the answer is as before.</summary>
    AlreadyDeclined,

    /// <summary>Acknowledged or accepted already (the same button pressed twice): nothing changes, the answer is as before.</summary>
    AlreadyDone,

    /// <summary>A reason or note over <see cref="RespondToReferralHandler.MaxTextLength"/> characters: refused rather than cut.</summary>
    TextTooLong,
}

/// <summary>
/// A partner acts on a referral it holds: acknowledge, accept, decline with a reason (the
/// referral goes back to routing, never to this partner again), record an outcome once accepted,
/// and for police, record their report number, which the victim then sees. Every attempt is
/// recorded, in the transaction of its change; a referral the organisation does not hold is
/// recorded as a denial. A decline nudges routing once committed.
/// </summary>
public sealed partial class RespondToReferralHandler(PortalDbContext db, AuditTrail audit, IFollowUpSignal followUp, TimeProvider clock)
{
    public const int MaxTextLength = 500;

    public async Task<ResponseOutcome> HandleAsync(PartnerMembership member, RespondToReferral request, Actor actor, CancellationToken cancellationToken)
    {
        var subject = ReferralSubject(request.ReferralId);
        var outcome = await db.InTransactionAsync(async token =>
        {
            var referral = await db.VisibleTo(member).Where(x => x.Referral.Id == request.ReferralId).Select(x => x.Referral).SingleOrDefaultAsync(token);
            if (referral is null)
            {
                if (request.Action == ReferralAction.Decline && await DeclinedBeforeAsync(member, request.ReferralId, token) is { } declinedCase)
                {
                    await audit.AppendAsync(actor.Event(AuditActions.ReferralDeclined, declinedCase, subject, nameof(ResponseOutcome.AlreadyDeclined)), token);
                    return ResponseOutcome.AlreadyDeclined;
                }

                await audit.AppendAsync(actor.Event(AuditActions.AccessDenied, subject: subject, detail: "referral " + request.Action), token);
                return ResponseOutcome.NotFound;
            }

            var caseId = referral.CaseId;
            ResponseOutcome done;
            try
            {
                done = await RespondAsync(referral, member, request, token);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The escalation job moved it, or a colleague acted first; nothing of this attempt is saved.
                db.ChangeTracker.Clear();
                done = ResponseOutcome.WrongState;
            }

            var detail = request.Action == ReferralAction.RecordOutcome && done == ResponseOutcome.Done ? $"{done}: {request.Outcome}" : done.ToString();
            await audit.AppendAsync(actor.Event(AuditedAction(request.Action), caseId, subject, detail), token);
            return done;
        }, cancellationToken);

        if (outcome == ResponseOutcome.Done && request.Action == ReferralAction.Decline)
        {
            // Committed: now the next partner can be chosen.
            followUp.Notify(FollowUpWork.Routing);
        }

        return outcome;
    }

    /// <summary>The referral's case, when this organisation was given the referral and declined it.</summary>
    private async Task<Guid?> DeclinedBeforeAsync(PartnerMembership member, long referralId, CancellationToken cancellationToken) =>
        await db.ReferralAssignments
            .Where(a => a.ReferralId == referralId && a.PartnerId == member.PartnerId && a.EndReason == AssignmentEnd.Declined)
            .Join(db.Referrals, a => a.ReferralId, r => r.Id, (_, r) => (Guid?)r.CaseId)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>How the audit trail names a referral.</summary>
    public static string ReferralSubject(long referralId) => "referral " + referralId.ToString(CultureInfo.InvariantCulture);

    private static string AuditedAction(ReferralAction action) => action switch
    {
        ReferralAction.Acknowledge => AuditActions.ReferralAcknowledged,
        ReferralAction.Accept => AuditActions.ReferralAccepted,
        ReferralAction.Decline => AuditActions.ReferralDeclined,
        ReferralAction.RecordOutcome => AuditActions.ReferralOutcomeRecorded,
        ReferralAction.RecordPoliceReportNumber => AuditActions.PoliceReportNumberRecorded,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private async Task<ResponseOutcome> RespondAsync(Referral referral, PartnerMembership member, RespondToReferral request, CancellationToken cancellationToken)
    {
        if (TooLong(request.Reason) || TooLong(request.Note))
        {
            return ResponseOutcome.TextTooLong;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var open = referral.Status is ReferralStatus.Assigned or ReferralStatus.Acknowledged;
        switch (request.Action)
        {
            case ReferralAction.Acknowledge when referral.Status == ReferralStatus.Assigned:
                referral.Status = ReferralStatus.Acknowledged;
                referral.AcknowledgedAt = now;
                break;
            case ReferralAction.Acknowledge when referral.Status is ReferralStatus.Acknowledged or ReferralStatus.Accepted:
            case ReferralAction.Accept when referral.Status == ReferralStatus.Accepted:
                return ResponseOutcome.AlreadyDone;
            case ReferralAction.Accept when open:
                referral.Status = ReferralStatus.Accepted;
                referral.AcknowledgedAt ??= now;
                referral.AcceptedAt = now;
                break;
            case ReferralAction.Decline when open:
                if (Clean(request.Reason) is not { } reason)
                {
                    return ResponseOutcome.ReasonRequired;
                }

                var assignment = await db.ReferralAssignments.SingleAsync(a => a.ReferralId == referral.Id && a.PartnerId == member.PartnerId, cancellationToken);
                assignment.EndedAt = now;
                assignment.EndReason = AssignmentEnd.Declined;
                assignment.DeclineReason = reason;
                referral.Status = ReferralStatus.Pending;
                referral.PartnerId = null;
                referral.AcknowledgedAt = null;
                break;
            case ReferralAction.RecordOutcome when referral.Status == ReferralStatus.Accepted:
                if (request.Outcome is not { } outcome || !Enum.IsDefined(outcome))
                {
                    return ResponseOutcome.OutcomeRequired;
                }

                referral.Status = ReferralStatus.Closed;
                referral.Outcome = outcome;
                referral.OutcomeNote = Clean(request.Note);
                referral.ClosedAt = now;
                break;
            case ReferralAction.RecordPoliceReportNumber:
                if (member.Type != PartnerType.Police)
                {
                    return ResponseOutcome.PoliceOnly;
                }

                if (referral.Status is not (ReferralStatus.Acknowledged or ReferralStatus.Accepted or ReferralStatus.Closed))
                {
                    return ResponseOutcome.WrongState;
                }

                var number = request.PoliceReportNumber?.Trim();
                if (number is null || !ReportNumber().IsMatch(number))
                {
                    return ResponseOutcome.ReportNumberInvalid;
                }

                referral.PoliceReportNumber = number;
                break;
            default:
                return ResponseOutcome.WrongState;
        }

        referral.UpdatedAt = now;
        referral.Version++;
        await db.SaveChangesAsync(cancellationToken);
        return ResponseOutcome.Done;
    }

    /// <summary>Trimmed; null when empty. Text over <see cref="MaxTextLength"/> was refused before (<see cref="TooLong"/>).</summary>
    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool TooLong(string? text) => text?.Trim().Length > MaxTextLength;

    /// <summary>Police numbering such as 5500/R/12345/26: letters, digits, slashes, dashes and spaces.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 /\-]{0,39}$")]
    private static partial Regex ReportNumber();
}
