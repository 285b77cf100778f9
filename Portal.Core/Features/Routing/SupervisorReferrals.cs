using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Routing;

/// <summary>A referral as supervisors see it on a case or in the list of those waiting for a partner.</summary>
public sealed record ReferralSummary(
    long Id,
    Guid CaseId,
    string Reference,
    CasePriority Priority,
    PartnerType Type,
    bool Urgent,
    ReferralStatus Status,
    string? PartnerName,
    NoPartnerReason? UnassignedReason,
    string? PoliceReportNumber,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>Where a case's referrals are (case view), and which referrals wait without a partner (supervisors' list).</summary>
public sealed class SupervisorReferralsQuery(PortalDbContext db, TimeProvider clock)
{
    public const int Limit = 500;

    /// <summary>A pending referral is normally routed within seconds; one pending this long has a late or lost job.</summary>
    public static readonly TimeSpan LatePending = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<ReferralSummary>> ForCaseAsync(Guid caseId, CancellationToken cancellationToken) =>
        await Summaries(db.Referrals.Where(r => r.CaseId == caseId).OrderBy(r => r.Id)).ToListAsync(cancellationToken);

    /// <summary>Unassigned referrals, and pending ones not touched for <see cref="LatePending"/> (their job is late or lost).</summary>
    public async Task<IReadOnlyList<ReferralSummary>> WaitingAsync(CancellationToken cancellationToken)
    {
        var pendingBefore = clock.GetUtcNow().UtcDateTime - LatePending;
        return await Summaries(db.Referrals
                .Where(r => r.Status == ReferralStatus.Unassigned || (r.Status == ReferralStatus.Pending && r.UpdatedAt <= pendingBefore))
                .OrderByDescending(r => r.Urgent).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id)
                .Take(Limit))
            .ToListAsync(cancellationToken);
    }

    private IQueryable<ReferralSummary> Summaries(IQueryable<Referral> referrals) =>
        from r in referrals
        join c in db.Cases on r.CaseId equals c.Id
        join p in db.Partners on r.PartnerId equals p.Id into partners
        from p in partners.DefaultIfEmpty()
        select new ReferralSummary(r.Id, r.CaseId, c.Reference, c.Priority, r.PartnerType, r.Urgent, r.Status, p == null ? null : p.Name, r.UnassignedReason, r.PoliceReportNumber, r.CreatedAt, r.UpdatedAt);
}
