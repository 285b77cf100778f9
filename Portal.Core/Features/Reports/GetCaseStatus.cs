using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Guidance;

namespace Portal.Core.Features.Reports;

public sealed record CaseStatusView(
    string Reference,
    CaseStatus Status,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool ConsentPolice,
    bool ConsentCounselling,
    ContactPreference ContactPreference,
    IReadOnlyList<string> Guidance,
    string? PoliceReportNumber = null);

/// <summary>What a victim sees of their own case after opening it with the receipt.</summary>
public sealed class GetCaseStatusHandler(PortalDbContext db)
{
    public async Task<CaseStatusView?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var found = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);

        // The police's own number for the report they filed, once they record it: the victim quotes it to them.
        var policeReportNumber = found is null ? null : await db.Referrals.AsNoTracking()
            .Where(r => r.CaseId == caseId && r.PartnerType == PartnerType.Police && r.PoliceReportNumber != null)
            .Select(r => r.PoliceReportNumber).FirstOrDefaultAsync(cancellationToken);
        return found is null
            ? null
            : new CaseStatusView(
                found.Reference,
                found.Status,
                found.CreatedAt,
                found.UpdatedAt,
                found.ConsentPolice,
                found.ConsentCounselling,
                found.ContactPreference,
                GuidanceRules.Select(GuidanceAnswers.From(found)),
                policeReportNumber);
    }
}
