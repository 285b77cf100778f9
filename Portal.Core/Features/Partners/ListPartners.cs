using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Partners;

public sealed record PartnerRow(Partner Partner, int StaffCount, int OpenReferrals);

/// <summary>The partners for the admin list and the staff page's organisation choice, and finding one.</summary>
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
}
