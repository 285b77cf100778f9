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
    IReadOnlyList<string> Guidance);

/// <summary>What a victim sees of their own case after opening it with the receipt.</summary>
public sealed class GetCaseStatusHandler(PortalDbContext db)
{
    public async Task<CaseStatusView?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var found = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
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
                GuidanceRules.Select(GuidanceAnswers.From(found)));
    }
}
