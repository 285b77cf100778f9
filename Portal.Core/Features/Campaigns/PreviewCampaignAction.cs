using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Campaigns;

/// <summary>
/// What a supervisor asks to do to a whole campaign: answer every victim with a prepared reply
/// (<see cref="CannedResponseId"/>), route every open case (<see cref="Route"/>, with an optional
/// note), or close every open case with one note (<see cref="Note"/>).
/// </summary>
public sealed record CampaignActionRequest(CampaignActionKind Kind, int? CannedResponseId = null, TriageRoute? Route = null, string? Note = null)
{
    public const int MinNoteLength = 5;

    /// <summary>The note as kept: trimmed, null when blank.</summary>
    public string? KeptNote => string.IsNullOrWhiteSpace(Note) ? null : Note.Trim();

    /// <summary>The route each case's decision records: closing is the Close route.</summary>
    public TriageRoute? DecidedRoute => Kind == CampaignActionKind.Close ? TriageRoute.Close : Route;
}

/// <summary>Why a campaign action cannot be previewed or started as asked.</summary>
public enum CampaignActionProblem
{
    None,
    NotFound,

    /// <summary>Reply: no prepared reply chosen, or it no longer exists.</summary>
    ReplyMissing,

    /// <summary>Route: no route chosen (closing is its own action).</summary>
    RouteMissing,

    /// <summary>Close: no note, or one too short to tell anyone anything.</summary>
    NoteMissing,

    NoteTooLong,

    /// <summary>Another action on this campaign is still running.</summary>
    AlreadyRunning,

    /// <summary>The campaign's cases changed since the preview: it must be looked at again.</summary>
    Changed,

    /// <summary>No such kind of action.</summary>
    UnknownKind,
}

public sealed record CampaignActionCasePreview(Guid CaseId, string Reference, CampaignCaseOutcome Outcome);

public sealed record OutcomeCount(CampaignCaseOutcome Outcome, int Count);

public sealed record LanguageShare(string Language, int Count);

/// <summary>
/// What the action would do now: how many cases it covers, how many it changes, which it skips
/// and why (the first <see cref="PreviewCampaignActionHandler.SkippedListed"/> by reference),
/// and for a reply, how many victims read it in each language.
/// </summary>
public sealed record CampaignActionPreview(
    Guid CampaignId,
    string CampaignReference,
    int CampaignVersion,
    CampaignActionRequest Request,
    CannedResponseView? Reply,
    int Total,
    int WillApply,
    IReadOnlyList<OutcomeCount> Skips,
    IReadOnlyList<CampaignActionCasePreview> Skipped,
    IReadOnlyList<LanguageShare> Languages)
{
    public int SkippedCount => Total - WillApply;
}

public sealed record CampaignActionPreviewResult(CampaignActionProblem Problem, CampaignActionPreview? Preview = null);

/// <summary>
/// The rules a campaign action applies to each case, the single-case use cases' own:
/// a reply goes where a supervisor may write (<see cref="SendStaffMessageHandler.MayAnswerForCampaign"/>),
/// a decision where the case is still open, nobody else is working it and the victim consented
/// (<see cref="DecideTriageHandler.Refusal"/>). Used for the preview and again, case by case, when
/// the action runs, since a case may change between the two.
/// </summary>
public static class CampaignActionRules
{
    public static CampaignCaseOutcome Check(CampaignActionRequest request, Case entity, string supervisorId, DateTime now, TimeSpan claimLapse)
    {
        if (request.Kind == CampaignActionKind.Reply)
        {
            return entity.RetainedAt is not null ? CampaignCaseOutcome.Retained
                : SendStaffMessageHandler.MayAnswerForCampaign(entity, supervisorId, now, claimLapse) ? CampaignCaseOutcome.Applied
                : CampaignCaseOutcome.HeldBySomeoneElse;
        }

        if (entity.Status is CaseStatus.Referred or CaseStatus.Closed)
        {
            return CampaignCaseOutcome.AlreadyDecided;
        }

        if (ClaimCaseHandler.HeldByAnother(entity, supervisorId, now, claimLapse))
        {
            return CampaignCaseOutcome.HeldBySomeoneElse;
        }

        return DecideTriageHandler.Refusal(entity, request.DecidedRoute, request.KeptNote) switch
        {
            null => CampaignCaseOutcome.Applied,
            DecisionOutcome.ConsentMissing => CampaignCaseOutcome.NoConsent,
            var other => throw new InvalidOperationException($"A checked campaign action was refused as {other}."),
        };
    }

    /// <summary>What is wrong with the request itself, before any case is looked at.</summary>
    public static CampaignActionProblem Validate(CampaignActionRequest request, CannedResponseView? reply)
    {
        if (request.KeptNote is { Length: > CampaignAction.MaxNoteLength })
        {
            return CampaignActionProblem.NoteTooLong;
        }

        return request.Kind switch
        {
            CampaignActionKind.Reply when reply is null => CampaignActionProblem.ReplyMissing,
            CampaignActionKind.Route when request.Route is not { } route || !Enum.IsDefined(route) || route == TriageRoute.Close => CampaignActionProblem.RouteMissing,
            CampaignActionKind.Close when request.KeptNote is not { Length: >= CampaignActionRequest.MinNoteLength } => CampaignActionProblem.NoteMissing,
            CampaignActionKind.Reply or CampaignActionKind.Route or CampaignActionKind.Close => CampaignActionProblem.None,
            _ => CampaignActionProblem.UnknownKind,
        };
    }

    /// <summary>The columns the rules read, and no content, so a preview of thousands of cases stays small.</summary>
    internal static IQueryable<Case> RuleColumns(IQueryable<Case> cases) =>
        cases.Select(c => new Case
        {
            Id = c.Id,
            Reference = c.Reference,
            ReceiptHash = Array.Empty<byte>(),
            NarrativeEnvelope = Array.Empty<byte>(),
            Language = c.Language,
            Status = c.Status,
            ClaimedById = c.ClaimedById,
            ClaimedAt = c.ClaimedAt,
            ConsentPolice = c.ConsentPolice,
            ConsentCounselling = c.ConsentCounselling,
            RetainedAt = c.RetainedAt,
        });
}

/// <summary>
/// Shows a supervisor what a campaign action would do before it does anything: recorded in the
/// trail as a preview (it lists the campaign's case references), or as a denial for a campaign
/// that is not there.
/// </summary>
public sealed class PreviewCampaignActionHandler(PortalDbContext db, CannedResponsesHandler replies, AuditTrail audit, IOptions<TriageOptions> options, TimeProvider clock)
{
    public const int SkippedListed = 200;

    public async Task<CampaignActionPreviewResult> HandleAsync(Guid campaignId, CampaignActionRequest request, Actor actor, CancellationToken cancellationToken)
    {
        var supervisorId = actor.StaffId ?? throw new ArgumentException("Only a supervisor acts on a campaign.", nameof(actor));
        var result = await PreviewAsync(campaignId, request, supervisorId, cancellationToken);
        await audit.AppendAsync(
            result.Problem == CampaignActionProblem.NotFound
                ? actor.Event(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign-action")
                : actor.Event(AuditActions.CampaignActionPreviewed, subject: campaignId.ToString(), detail: Describe(request.Kind, request, result.Preview)),
            cancellationToken);
        return result;
    }

    internal static string Describe(CampaignActionKind kind, CampaignActionRequest request, CampaignActionPreview? preview) =>
        kind.ToString()
        + (request.Route is { } route && kind == CampaignActionKind.Route ? " " + route : "")
        + (request.CannedResponseId is { } reply && kind == CampaignActionKind.Reply ? " reply " + reply.ToString(CultureInfo.InvariantCulture) : "")
        + (preview is null ? "" : string.Create(CultureInfo.InvariantCulture, $": {preview.WillApply} of {preview.Total} cases, v{preview.CampaignVersion}"));

    private async Task<CampaignActionPreviewResult> PreviewAsync(Guid campaignId, CampaignActionRequest request, string supervisorId, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId && c.RetiredAt == null, cancellationToken);
        if (campaign is null)
        {
            return new(CampaignActionProblem.NotFound);
        }

        var reply = request.Kind == CampaignActionKind.Reply && request.CannedResponseId is { } replyId ? await replies.FindAsync(replyId, cancellationToken) : null;
        var problem = CampaignActionRules.Validate(request, reply);
        if (problem != CampaignActionProblem.None)
        {
            return new(problem);
        }

        var memberIds = db.CampaignCases.Where(m => m.CampaignId == campaignId).Select(m => m.CaseId);
        var cases = await CampaignActionRules.RuleColumns(db.Cases.AsNoTracking().Where(c => memberIds.Contains(c.Id))).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var checkedCases = cases
            .OrderBy(c => c.Reference, StringComparer.Ordinal)
            .Select(c => (Case: c, Outcome: CampaignActionRules.Check(request, c, supervisorId, now, options.Value.ClaimLapse)))
            .ToList();
        var skipped = checkedCases.Where(c => c.Outcome != CampaignCaseOutcome.Applied).ToList();
        var preview = new CampaignActionPreview(
            campaign.Id,
            campaign.Reference,
            campaign.Version,
            request,
            reply,
            checkedCases.Count,
            checkedCases.Count - skipped.Count,
            [.. skipped.GroupBy(c => c.Outcome).OrderBy(g => g.Key).Select(g => new OutcomeCount(g.Key, g.Count()))],
            [.. skipped.Take(SkippedListed).Select(c => new CampaignActionCasePreview(c.Case.Id, c.Case.Reference, c.Outcome))],
            [.. checkedCases.Where(c => c.Outcome == CampaignCaseOutcome.Applied).GroupBy(c => c.Case.Language).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => new LanguageShare(g.Key, g.Count()))]);
        var running = await db.CampaignActions.AnyAsync(a => a.CampaignId == campaignId && a.State == CampaignActionState.Running, cancellationToken);
        return new(running ? CampaignActionProblem.AlreadyRunning : CampaignActionProblem.None, preview);
    }
}
