using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Partners;

public sealed record PartnerRow(Partner Partner, int StaffCount, int OpenReferrals);

/// <summary>The partners for the admin list and the staff page's organisation choice; finding one, and removing one that never received anything.</summary>
public sealed class PartnersQuery(PortalDbContext db)
{
    public async Task<IReadOnlyList<PartnerRow>> ListAsync(CancellationToken cancellationToken)
    {
        var partners = await db.Partners.AsNoTracking().OrderBy(p => p.Type).ThenBy(p => p.Name).ToListAsync(cancellationToken);
        var staff = await db.Users.Where(u => u.PartnerId != null).GroupBy(u => u.PartnerId).Select(g => new { Id = g.Key ?? 0, Count = g.Count() }).ToDictionaryAsync(g => g.Id, g => g.Count, cancellationToken);
        var open = await db.Referrals.Where(r => r.PartnerId != null && (r.Status == ReferralStatus.Assigned || r.Status == ReferralStatus.Acknowledged || r.Status == ReferralStatus.Accepted))
            .GroupBy(r => r.PartnerId).Select(g => new { Id = g.Key ?? 0, Count = g.Count() }).ToDictionaryAsync(g => g.Id, g => g.Count, cancellationToken);
        return partners.Select(p => new PartnerRow(p, staff.GetValueOrDefault(p.Id), open.GetValueOrDefault(p.Id))).ToList();
    }

    public async Task<Partner?> FindAsync(long partnerId, CancellationToken cancellationToken) =>
        await db.Partners.AsNoTracking().FirstOrDefaultAsync(p => p.Id == partnerId, cancellationToken);

    /// <summary>Removes a partner that was never given a referral; one that was can only be deactivated, so history stays whole.</summary>
    public async Task<DeletePartnerOutcome> DeleteAsync(long partnerId, CancellationToken cancellationToken)
    {
        if (!await db.Partners.AnyAsync(p => p.Id == partnerId, cancellationToken))
        {
            return DeletePartnerOutcome.NotFound;
        }

        if (await db.ReferralAssignments.AnyAsync(a => a.PartnerId == partnerId, cancellationToken))
        {
            return DeletePartnerOutcome.HasHistory;
        }

        await db.Users.Where(u => u.PartnerId == partnerId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PartnerId, (long?)null), cancellationToken);
        await db.Partners.Where(p => p.Id == partnerId).ExecuteDeleteAsync(cancellationToken);
        return DeletePartnerOutcome.Deleted;
    }
}

public enum DeletePartnerOutcome
{
    Deleted,
    NotFound,
    HasHistory,
}
