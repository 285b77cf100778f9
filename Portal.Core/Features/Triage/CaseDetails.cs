using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Triage;

public sealed record EvidenceDetails(EvidenceSummary File, EmailSummary? Email);

public sealed record TimelineEntry(DateTime At, string Action, AuditActor ActorKind, string? Actor, string? Detail);

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
    bool IsUnder18,
    bool RiskSelfHarm,
    bool RiskImmediateDanger,
    bool ConsentPolice,
    bool ConsentCounselling,
    ContactPreference ContactPreference,
    ContactDetails? Contact,
    string? ClaimedBy,
    string? ClaimedById,
    IReadOnlyList<EvidenceDetails> Evidence,
    IReadOnlyList<(IndicatorKind Kind, string Value, string? Detail)> Indicators,
    IReadOnlyList<TimelineEntry> Timeline);

/// <summary>
/// Everything a volunteer needs to work a case: the answers (opened from their envelopes), the
/// evidence's metadata and parsed headers (never file contents), indicators and the timeline.
/// Null when the case does not exist.
/// </summary>
public sealed class GetCaseDetailsHandler(PortalDbContext db, EnvelopeCipher cipher)
{
    public async Task<CaseDetails?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == caseId, cancellationToken);
        if (c is null)
        {
            return null;
        }

        var claimedBy = c.ClaimedById is null ? null : await db.Users.Where(u => u.Id == c.ClaimedById).Select(u => u.DisplayName).FirstOrDefaultAsync(cancellationToken);
        var evidence = (await db.EvidenceFiles.AsNoTracking().Where(e => e.CaseId == caseId).OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken))
            .Select(e => new EvidenceDetails(EvidenceNames.Summarize(e, cipher), EmailSummary.Open(cipher, e.ParsedEnvelope)))
            .ToList();
        var indicators = (await db.CaseIndicators.AsNoTracking().Where(i => i.CaseId == caseId).OrderBy(i => i.Kind).ThenBy(i => i.Id)
            .Select(i => new { i.Kind, i.Value, i.Detail }).ToListAsync(cancellationToken))
            .Select(i => (i.Kind, i.Value, i.Detail)).ToList();
        var timeline = await (
            from a in db.AuditEntries.AsNoTracking().Where(a => a.CaseId == caseId)
            join u in db.Users on a.ActorId equals u.Id into users
            from u in users.DefaultIfEmpty()
            orderby a.Id
            select new TimelineEntry(a.At, a.Action, a.ActorKind, u == null ? null : u.DisplayName, a.Detail))
            .ToListAsync(cancellationToken);

        return new CaseDetails(
            c.Id, c.Reference, c.Status, c.Priority, c.CreatedAt, c.Language, cipher.OpenString(c.NarrativeEnvelope),
            c.EmailReceivedOn, c.SenderAddress, c.AmountDemanded, c.Currency, c.PaymentAddress, c.Paid, c.DataPublished,
            c.BreachOrganisation, c.IsUnder18, c.RiskSelfHarm, c.RiskImmediateDanger, c.ConsentPolice, c.ConsentCounselling,
            c.ContactPreference, ContactDetails.Open(cipher, c.ContactEnvelope), claimedBy, c.ClaimedById, evidence, indicators, timeline);
    }
}
