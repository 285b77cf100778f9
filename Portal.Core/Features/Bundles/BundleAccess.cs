using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Bundles;

/// <summary>Who asks for a case's evidence bundle: their staff id and roles.</summary>
public sealed record BundleRequester(string UserId, IReadOnlySet<string> Roles);

/// <summary>
/// Who may download a case's evidence bundle, decided here and not only by the page that shows
/// the link. A case the requester may not have answers exactly like a case that does not exist.
/// </summary>
public sealed class CaseBundleAccess(PortalDbContext db)
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
    /// The police rule: the case was referred to the requester's organisation and its victim gave
    /// police consent. Referrals and partner organisations come with routing; until then no police
    /// user gets a bundle.
    /// </summary>
    private static Task<bool> PoliceMayDownloadAsync(Guid caseId, BundleRequester requester, CancellationToken cancellationToken)
    {
        _ = (caseId, requester, cancellationToken);
        return Task.FromResult(false);
    }
}
