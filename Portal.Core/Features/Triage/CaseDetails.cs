using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Triage;

/// <summary>A file of the case, what its email said, and how far reading it got (Partial and Failed are shown to staff).</summary>
public sealed record EvidenceDetails(EvidenceSummary File, EmailSummary? Email, AnalysisState Analysis, string? AnalysisNote);

/// <summary>
/// One audit entry of the case. A reassignment comes as <see cref="Reassignment"/>, with names,
/// instead of its <see cref="Detail"/>, which holds staff ids; a claim as its <see cref="Claim"/> outcome.
/// </summary>
public sealed record TimelineEntry(DateTime At, string Action, AuditActor ActorKind, string? Actor, string? Detail, TimelineReassignment? Reassignment = null, ClaimOutcome? Claim = null)
{
    /// <summary>What the entry is about besides the case (a route, a message, a file, a referral), as the trail stores it.</summary>
    public string? Subject { get; init; }
}

/// <summary>Whom a reassignment took the case from and gave it to (null is nobody), and the supervisor's reason if one was asked.</summary>
public sealed record TimelineReassignment(TimelineStaff? From, TimelineStaff? To, ReassignOutcome Outcome, string? Reason = null);

/// <summary>A staff member as the timeline names them; <see cref="DisplayName"/> is null when the account no longer exists.</summary>
public sealed record TimelineStaff(string? DisplayName);

public sealed record CaseDetails(
    Guid Id,
    string Reference,
    CaseStatus Status,
    CasePriority Priority,
    DateTime CreatedAt,
    string Language,
    string Narrative,
    DateOnly? EmailReceivedOn,
    string? SenderAddress,
    decimal? AmountDemanded,
    string? Currency,
    string? PaymentAddress,
    YesNoUnsure Paid,
    YesNoUnsure DataPublished,
    string? BreachOrganisation,
    string? Region,
    bool IsUnder18,
    bool RiskSelfHarm,
    bool RiskImmediateDanger,
    bool ConsentPolice,
    bool ConsentCounselling,
    ContactPreference ContactPreference,
    ContactDetails? Contact,
    string? ClaimedBy, // the holder of a claim that has not lapsed (TriageOptions.ClaimLapse), else null
    string? ClaimedById,
    IReadOnlyList<EvidenceDetails> Evidence,
    IReadOnlyList<(IndicatorKind Kind, string Value, string? Detail)> Indicators,
    IReadOnlyList<TimelineEntry> Timeline)
{
    /// <summary>The victim answered a risk question "I'd rather not say" (the bool above is then false, meaning unknown).</summary>
    public bool RiskWithheld { get; init; }

    /// <summary>The diary entries and documents the victim chose to share (everything else of their case file stays theirs).</summary>
    public SharedCaseFileView Shared { get; init; } = SharedCaseFileView.Empty;
}

/// <summary>
/// Everything a volunteer needs to work a case: the answers (opened from their envelopes), the
/// evidence's metadata and parsed headers (never file contents), indicators and the timeline.
/// Null when the case does not exist. Staff pages go through <see cref="ViewAsync"/> or
/// <see cref="AfterRefusedActionAsync"/>, which record what was seen or denied.
/// </summary>
public sealed class GetCaseDetailsHandler(PortalDbContext db, EnvelopeCipher cipher, SealedIndicators sealing, AuditTrail audit, IOptions<TriageOptions> triage, TimeProvider clock)
{
    /// <summary>A staff member opens the case: recorded as a view, or as a denial when there is no such case.</summary>
    public async Task<CaseDetails?> ViewAsync(Guid caseId, Actor actor, CancellationToken cancellationToken)
    {
        var found = await HandleAsync(caseId, cancellationToken);
        await audit.AppendAsync(
            found is null
                ? actor.Event(AuditActions.AccessDenied, subject: caseId.ToString(), detail: "case")
                : actor.Event(AuditActions.CaseViewed, caseId),
            cancellationToken);
        return found;
    }

    /// <summary>
    /// The case page shown again with the answer to a refused <paramref name="action"/>: nothing more
    /// is recorded when the case exists, a denial of the action when it does not.
    /// </summary>
    public async Task<CaseDetails?> AfterRefusedActionAsync(Guid caseId, string action, Actor actor, CancellationToken cancellationToken)
    {
        var found = await HandleAsync(caseId, cancellationToken);
        if (found is null)
        {
            await audit.AppendAsync(actor.Event(AuditActions.AccessDenied, caseId, detail: action), cancellationToken);
        }

        return found;
    }

    public async Task<CaseDetails?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == caseId, cancellationToken);
        if (c is null)
        {
            return null;
        }

        // A claim that has lapsed holds the case no more (anyone may claim it, as the queue shows).
        var holderId = ClaimCaseHandler.LiveHolder(c, clock.GetUtcNow().UtcDateTime, triage.Value.ClaimLapse);
        var claimedBy = holderId is null ? null : await db.Users.Where(u => u.Id == holderId).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
        var evidence = (await db.EvidenceFiles.AsNoTracking().Where(e => e.CaseId == caseId && e.Purpose == FilePurpose.Evidence).OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken))
            .Select(e => new EvidenceDetails(EvidenceNames.Summarize(e, cipher), EmailSummary.Open(cipher, e.ParsedEnvelope), e.AnalysisState, e.AnalysisNote))
            .ToList();
        var indicators = (await sealing.OfCaseAsync(db, caseId, cancellationToken)).Select(i => (i.Kind, i.Value, i.Detail)).ToList();
        var entries = await (
            from a in db.AuditEntries.AsNoTracking().Where(a => a.CaseId == caseId)
            join u in db.Users on a.ActorId equals u.Id into users
            from u in users.DefaultIfEmpty()
            orderby a.Id
            select new TimelineEntry(a.At, a.Action, a.ActorKind, u == null ? null : u.DisplayName, a.Detail) { Subject = a.Subject })
            .ToListAsync(cancellationToken);
        var timeline = (await WithStaffNamesAsync(entries, cancellationToken)).Select(WithClaimOutcome).ToList();

        return new CaseDetails(
            c.Id, c.Reference, c.Status, c.Priority, c.CreatedAt, c.Language, cipher.OpenString(c.NarrativeEnvelope),
            c.EmailReceivedOn, c.SenderAddress, c.AmountDemanded, c.Currency, c.PaymentAddress, c.Paid, c.DataPublished,
            c.BreachOrganisation, c.Region, c.IsUnder18, c.RiskSelfHarm, c.RiskImmediateDanger, c.ConsentPolice, c.ConsentCounselling,
            c.ContactPreference, ContactDetails.Open(cipher, c.ContactEnvelope), claimedBy, holderId, evidence, indicators, timeline)
        {
            RiskWithheld = c.RiskSelfHarmWithheld || c.RiskImmediateDangerWithheld,
            Shared = await SharedCaseFileView.LoadAsync(db, cipher, caseId, cancellationToken),
        };
    }

    /// <summary>A claim's detail is its outcome's name (as the claim action audits it).</summary>
    private static TimelineEntry WithClaimOutcome(TimelineEntry entry) =>
        entry.Action == AuditActions.CaseClaimed && Enum.TryParse<ClaimOutcome>(entry.Detail, out var outcome)
            ? entry with { Detail = null, Claim = outcome }
            : entry;

    /// <summary>Reassignments name the staff they moved the case between; all names in one query.</summary>
    private async Task<IReadOnlyList<TimelineEntry>> WithStaffNamesAsync(List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var reassignments = entries
            .Select(e => e.Action == AuditActions.CaseReassigned ? AuditedReassignment.FromDetail(e.Detail) : null)
            .ToList();
        var ids = reassignments.SelectMany(r => new[] { r?.FromId, r?.ToId }).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return entries;
        }

        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName })
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, StringComparer.Ordinal, cancellationToken);
        TimelineStaff? Staff(string? id) => id is null ? null : new(names.GetValueOrDefault(id));
        return entries
            .Select((e, i) => reassignments[i] is { } r ? e with { Detail = null, Reassignment = new(Staff(r.FromId), Staff(r.ToId), r.Outcome, r.Reason) } : e)
            .ToList();
    }
}
