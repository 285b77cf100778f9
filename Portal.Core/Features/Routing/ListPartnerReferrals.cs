using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Routing;

public sealed record PartnerReferralRow(long Id, string Reference, CasePriority Priority, string Language, string? Region, ReferralStatus Status, bool Urgent, DateTime UpdatedAt);

/// <summary>The partner workspace's list: open referrals first (newest assignment first), then closed ones.</summary>
public sealed class ListPartnerReferralsHandler(PortalDbContext db)
{
    public const int Limit = 200;

    public async Task<IReadOnlyList<PartnerReferralRow>> HandleAsync(PartnerMembership member, CancellationToken cancellationToken) =>
        await db.VisibleTo(member)
            .OrderBy(x => x.Referral.Status == ReferralStatus.Closed ? 1 : 0)
            .ThenByDescending(x => x.Case.Priority)
            .ThenByDescending(x => x.Referral.UpdatedAt)
            .Take(Limit)
            .Select(x => new PartnerReferralRow(x.Referral.Id, x.Case.Reference, x.Case.Priority, x.Case.Language, x.Case.Region, x.Referral.Status, x.Referral.Urgent, x.Referral.UpdatedAt))
            .ToListAsync(cancellationToken);
}
