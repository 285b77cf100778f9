using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Bundles;

/// <summary>An evidence file that failed its check during an export, and the audit event naming who was exporting.</summary>
public sealed record EvidenceIntegrityFailure(Guid CaseId, string Reference, Guid EvidenceId, string Problem, AuditEvent By);

/// <summary>
/// A stored evidence file failed authentication or its hash: recorded in the audit trail and
/// sent to every active supervisor as an email holding the case reference and a link, nothing else.
/// The audit entry is the record; a mail server that cannot be reached is logged, not thrown,
/// so the caller goes on to refuse or cut off the download either way.
/// </summary>
public sealed class EvidenceIntegrityAlert(PortalDbContext db, AuditTrail audit, IEmailSender email, EmailComposer composer, TimeProvider clock, ILogger<EvidenceIntegrityAlert> logger)
{
    public async Task RaiseAsync(EvidenceIntegrityFailure failure, string language, CancellationToken cancellationToken)
    {
        logger.LogError("Evidence {EvidenceId} of case {CaseId} failed its integrity check during a bundle export: {Problem}", failure.EvidenceId, failure.CaseId, failure.Problem);
        var auditEntry = await audit.AppendAsync(failure.By with { CaseId = failure.CaseId, Subject = failure.EvidenceId.ToString(), Detail = "bundle: " + failure.Problem }, cancellationToken);

        // Lockout is compared here: SQLite cannot compare the stored DateTimeOffset.
        var now = clock.GetUtcNow();
        var supervisors = (await (
            from userRole in db.UserRoles
            join role in db.Roles on userRole.RoleId equals role.Id
            join user in db.Users on userRole.UserId equals user.Id
            where role.Name == StaffRoles.Supervisor && user.Email != null
            select new { user.Email, user.LockoutEnd }).ToListAsync(cancellationToken))
            .Where(u => u.LockoutEnd is null || u.LockoutEnd < now)
            .Select(u => u.Email)
            .ToList();
        if (supervisors.Count == 0)
        {
            logger.LogWarning("No active supervisor to alert about evidence {EvidenceId}", failure.EvidenceId);
            return;
        }

        var about = auditEntry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = composer.Compose(EmailTemplates.EvidenceIntegrityAlert, language, supervisors.OfType<string>().ToList(), about, new Dictionary<string, string>
        {
            ["Reference"] = failure.Reference,
            ["Link"] = composer.Link(PortalRoutes.StaffCase(failure.CaseId)),
        });
        try
        {
            await email.SendAsync(message, cancellationToken);
        }
        catch (Exception exception) when (exception is EmailDeliveryException or IOException)
        {
            logger.LogError(exception, "Could not email supervisors about evidence {EvidenceId} of case {CaseId}", failure.EvidenceId, failure.CaseId);
        }
    }
}
