using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Routing;

/// <summary>The partner organisation a staff member acts for, in the role that matches its type.</summary>
public sealed record PartnerMembership(long PartnerId, string PartnerName, PartnerType Type);

/// <summary>
/// Who may see which referrals: a counsellor of a counselling partner or a police officer of a
/// police partner sees the referrals held by that organisation, and only those the victim
/// consented to (police consent for police, always true for their referrals and checked anyway).
/// A staff member without an organisation, or in the wrong role for it, sees nothing.
/// </summary>
public sealed class PartnerMembershipQuery(PortalDbContext db)
{
    public async Task<PartnerMembership?> HandleAsync(string userId, CancellationToken cancellationToken)
    {
        var found = await (
            from u in db.Users.AsNoTracking()
            join p in db.Partners.AsNoTracking() on u.PartnerId equals p.Id
            where u.Id == userId
            select new { p.Id, p.Name, p.Type }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var role = found.Type == PartnerType.Police ? StaffRoles.Police : StaffRoles.Counsellor;
        var hasRole = await (
            from ur in db.UserRoles
            join r in db.Roles on ur.RoleId equals r.Id
            where ur.UserId == userId && r.Name == role
            select ur).AnyAsync(cancellationToken);
        return hasRole ? new PartnerMembership(found.Id, found.Name, found.Type) : null;
    }
}

internal sealed class VisibleReferral
{
    public required Referral Referral { get; init; }

    public required Case Case { get; init; }
}

internal static class PartnerReferralAccess
{
    /// <summary>The referrals an organisation holds, with their cases, as far as consent allows.</summary>
    public static IQueryable<VisibleReferral> VisibleTo(this PortalDbContext db, PartnerMembership member) =>
        from r in db.Referrals
        join c in db.Cases on r.CaseId equals c.Id
        where r.PartnerId == member.PartnerId
            && r.PartnerType == member.Type
            && r.Status != ReferralStatus.Pending && r.Status != ReferralStatus.Unassigned && r.Status != ReferralStatus.Withdrawn
            && (member.Type != PartnerType.Police || c.ConsentPolice)
            && (member.Type != PartnerType.Counselling || c.ConsentCounselling)
        select new VisibleReferral { Referral = r, Case = c };
}
