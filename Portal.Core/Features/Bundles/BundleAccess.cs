using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Routing;

namespace Portal.Core.Features.Bundles;

/// <summary>Who asks for a case's evidence bundle: their staff id and roles.</summary>
public sealed record BundleRequester(string UserId, IReadOnlySet<string> Roles);

/// <summary>
/// Who may download a case's evidence bundle, decided here and not only by the page that shows
/// the link. A case the requester may not have answers exactly like a case that does not exist.
/// </summary>
public sealed class CaseBundleAccess(PortalDbContext db, PartnerMembershipQuery membership)
{
    public async Task<bool> MayDownloadAsync(Guid caseId, BundleRequester requester, CancellationToken cancellationToken)
    {
        if (!await db.Cases.AnyAsync(c => c.Id == caseId, cancellationToken))
        {
            return false;
        }

        if (requester.Roles.Contains(StaffRoles.Supervisor))
        {
            return true;
        }

        if (requester.Roles.Contains(StaffRoles.Police))
        {
            return await PoliceMayDownloadAsync(caseId, requester, cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// The police rule: the case's police referral is held by the requester's police organisation
    /// (the same rule as the partner workspace) and its victim gave police consent. A referral that
    /// was declined or escalated moves to another organisation and takes the bundle with it.
    /// </summary>
    private async Task<bool> PoliceMayDownloadAsync(Guid caseId, BundleRequester requester, CancellationToken cancellationToken)
    {
        var member = await membership.HandleAsync(requester.UserId, cancellationToken);
        return member is { Type: PartnerType.Police }
            && await db.VisibleTo(member).AnyAsync(v => v.Case.Id == caseId, cancellationToken);
    }
}
