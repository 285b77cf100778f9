using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Guidance;

namespace Portal.Core.Features.Reports;

/// <summary>Something that happened to the case, as the victim's page tells it.</summary>
public enum CaseEventKind
{
    Reported,

    /// <summary>A volunteer reviewed the report and decided where it goes.</summary>
    Reviewed,

    /// <summary>A partner organisation was given the case.</summary>
    PassedOn,

    /// <summary>The partner confirmed it received the case.</summary>
    PartnerConfirmed,

    /// <summary>The partner took the case on.</summary>
    PartnerTookOn,

    /// <summary>The partner finished its part.</summary>
    PartnerFinished,

    PoliceReportRecorded,

    /// <summary>The victim withdrew consent and with it the referral.</summary>
    Withdrawn,

    Closed,
}

public sealed record CaseEvent(DateTime At, CaseEventKind Kind, PartnerType? Partner = null);

/// <summary>Where the case stands with one kind of partner.</summary>
public sealed record PartnerProgress(PartnerType Partner, ReferralStatus Status);

public sealed record CaseStatusView(
    string Reference,
    CaseStatus Status,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool ConsentPolice,
    bool ConsentCounselling,
    ContactPreference ContactPreference,
    IReadOnlyList<string> Guidance,
    string? PoliceReportNumber = null)
{
    /// <summary>What has happened, oldest first.</summary>
    public IReadOnlyList<CaseEvent> Events { get; init; } = [];

    /// <summary>The case's referrals, one per kind of partner.</summary>
    public IReadOnlyList<PartnerProgress> Partners { get; init; } = [];

    public bool RiskFlagged { get; init; }
}

/// <summary>
/// What a victim sees of their own case after opening it with the receipt: where it stands, the
/// story so far (from the case's own rows: the report, the volunteer's decision, each partner's
/// steps, the police's report number) and the next steps for it. Nothing about who did it.
/// </summary>
public sealed class GetCaseStatusHandler(PortalDbContext db)
{
    public async Task<CaseStatusView?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var found = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (found is null)
        {
            return null;
        }

        var referrals = await db.Referrals.AsNoTracking().Where(r => r.CaseId == caseId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var referralIds = referrals.Select(r => r.Id).ToList();
        var firstAssigned = await db.ReferralAssignments.AsNoTracking()
            .Where(a => referralIds.Contains(a.ReferralId))
            .GroupBy(a => a.ReferralId)
            .Select(g => new { ReferralId = g.Key, At = g.Min(a => a.AssignedAt) })
            .ToDictionaryAsync(g => g.ReferralId, g => g.At, cancellationToken);
        var decision = await db.TriageDecisions.AsNoTracking().Where(d => d.CaseId == caseId).OrderBy(d => d.Id).FirstOrDefaultAsync(cancellationToken);

        // The police's own number for the report they filed, once they record it: the victim quotes it to them.
        var police = referrals.FirstOrDefault(r => r.PartnerType == PartnerType.Police && r.PoliceReportNumber != null);
        var numberRecordedAt = police is null ? (DateTime?)null : await db.AuditEntries.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Action == AuditActions.PoliceReportNumberRecorded)
            .OrderBy(e => e.Id).Select(e => (DateTime?)e.At).FirstOrDefaultAsync(cancellationToken);

        var events = new List<CaseEvent> { new(found.CreatedAt, CaseEventKind.Reported) };
        if (decision is not null)
        {
            var closing = decision.Route is TriageRoute.Close or TriageRoute.InformationOnly;
            events.Add(new(decision.DecidedAt, closing ? CaseEventKind.Closed : CaseEventKind.Reviewed));
        }

        foreach (var r in referrals)
        {
            if (firstAssigned.TryGetValue(r.Id, out var assigned))
            {
                events.Add(new(assigned, CaseEventKind.PassedOn, r.PartnerType));
            }

            AddIf(events, r.AcknowledgedAt, CaseEventKind.PartnerConfirmed, r.PartnerType);
            AddIf(events, r.AcceptedAt, CaseEventKind.PartnerTookOn, r.PartnerType);
            AddIf(events, r.ClosedAt, CaseEventKind.PartnerFinished, r.PartnerType);
            if (r.Status == ReferralStatus.Withdrawn)
            {
                events.Add(new(r.UpdatedAt, CaseEventKind.Withdrawn, r.PartnerType));
            }
        }

        if (police is not null)
        {
            events.Add(new(numberRecordedAt ?? police.UpdatedAt, CaseEventKind.PoliceReportRecorded, PartnerType.Police));
        }

        var answers = GuidanceAnswers.From(found) with { PoliceReportFiled = police is not null };
        return new CaseStatusView(
            found.Reference,
            found.Status,
            found.CreatedAt,
            found.UpdatedAt,
            found.ConsentPolice,
            found.ConsentCounselling,
            found.ContactPreference,
            GuidanceRules.Select(answers),
            police?.PoliceReportNumber)
        {
            Events = events.OrderBy(e => e.At).ThenBy(e => e.Kind).ToList(),
            Partners = referrals.Select(r => new PartnerProgress(r.PartnerType, r.Status)).ToList(),
            RiskFlagged = found.RiskSelfHarm || found.RiskImmediateDanger,
        };
    }

    private static void AddIf(List<CaseEvent> events, DateTime? at, CaseEventKind kind, PartnerType partner)
    {
        if (at is { } value)
        {
            events.Add(new(value, kind, partner));
        }
    }
}
