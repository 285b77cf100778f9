using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Routing;

/// <summary>
/// What police need beyond what every partner sees: the extortion itself, in the victim's words,
/// the evidence list with the hashes taken on arrival, and the indicators parsed from it.
/// </summary>
public sealed record PoliceAnswers(
    string Narrative,
    DateOnly? EmailReceivedOn,
    string? SenderAddress,
    decimal? AmountDemanded,
    string? Currency,
    string? PaymentAddress,
    string? BreachOrganisation,
    IReadOnlyList<EvidenceSummary> Evidence,
    IReadOnlyList<(IndicatorKind Kind, string Value)> Indicators);

/// <summary>
/// A referral as its partner sees it: reference, priority, language, region, the risk and
/// situation answers, how the victim wants to be contacted, and for police the extortion
/// details. Never evidence contents (police bundles are separate) nor the triage notes.
/// </summary>
public sealed record PartnerReferralDetails(
    long Id,
    Guid CaseId,
    string Reference,
    PartnerType Type,
    CasePriority Priority,
    string Language,
    string? Region,
    ReferralStatus Status,
    bool Urgent,
    DateTime UpdatedAt,
    DateTime? AcknowledgedAt,
    DateTime? AcceptedAt,
    DateTime? ClosedAt,
    ReferralOutcome? Outcome,
    string? OutcomeNote,
    string? PoliceReportNumber,
    bool IsUnder18,
    bool RiskSelfHarm,
    bool RiskImmediateDanger,
    YesNoUnsure Paid,
    YesNoUnsure DataPublished,
    ContactPreference ContactPreference,
    ContactDetails? Contact,
    PoliceAnswers? Police,
    bool RiskSelfHarmWithheld = false,
    bool RiskImmediateDangerWithheld = false)
{
    /// <summary>The diary entries and documents the victim chose to share; partners who can see the case see these, nothing else of the case file.</summary>
    public SharedCaseFileView Shared { get; init; } = SharedCaseFileView.Empty;
}

/// <summary>Null when the referral does not exist or is not this organisation's to see.</summary>
public sealed class GetPartnerReferralHandler(PortalDbContext db, EnvelopeCipher cipher, SealedIndicators sealing, AuditTrail audit)
{
    /// <summary>A partner's staff member opens the referral: recorded as a view, or as a denial.</summary>
    public async Task<PartnerReferralDetails?> ViewAsync(PartnerMembership member, long referralId, Actor actor, CancellationToken cancellationToken)
    {
        var found = await HandleAsync(member, referralId, cancellationToken);
        var subject = RespondToReferralHandler.ReferralSubject(referralId);
        await audit.AppendAsync(
            found is null
                ? actor.Event(AuditActions.AccessDenied, subject: subject, detail: "referral view")
                : actor.Event(AuditActions.ReferralViewed, found.CaseId, subject, $"partner {member.PartnerId}"),
            cancellationToken);
        return found;
    }

    public async Task<PartnerReferralDetails?> HandleAsync(PartnerMembership member, long referralId, CancellationToken cancellationToken)
    {
        var found = await db.VisibleTo(member).AsNoTracking().Where(x => x.Referral.Id == referralId).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var (r, c) = (found.Referral, found.Case);
        var police = member.Type == PartnerType.Police ? await PoliceAnswersAsync(c, cancellationToken) : null;
        return new PartnerReferralDetails(
            r.Id, c.Id, c.Reference, r.PartnerType, c.Priority, c.Language, c.Region, r.Status, r.Urgent, r.UpdatedAt, r.AcknowledgedAt, r.AcceptedAt, r.ClosedAt,
            r.Outcome, r.OutcomeNote, r.PoliceReportNumber, c.IsUnder18, c.RiskSelfHarm, c.RiskImmediateDanger, c.Paid, c.DataPublished,
            c.ContactPreference, ContactDetails.Open(cipher, c.ContactEnvelope), police, c.RiskSelfHarmWithheld, c.RiskImmediateDangerWithheld)
        {
            Shared = await SharedCaseFileView.LoadAsync(db, cipher, c.Id, cancellationToken),
        };
    }

    private async Task<PoliceAnswers> PoliceAnswersAsync(Case c, CancellationToken cancellationToken)
    {
        var evidence = (await db.EvidenceFiles.AsNoTracking().Where(e => e.CaseId == c.Id && e.Purpose == FilePurpose.Evidence).OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken))
            .Select(e => EvidenceNames.Summarize(e, cipher))
            .ToList();
        var indicators = (await sealing.OfCaseAsync(db, c.Id, cancellationToken)).Select(i => (i.Kind, i.Value)).ToList();
        return new PoliceAnswers(cipher.OpenString(c.NarrativeEnvelope), c.EmailReceivedOn, c.SenderAddress, c.AmountDemanded, c.Currency, c.PaymentAddress, c.BreachOrganisation, evidence, indicators);
    }
}
