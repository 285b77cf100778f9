using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Bundles;

/// <summary>An evidence file that failed its check during an export, and the audit event naming who was exporting.</summary>
public sealed record EvidenceIntegrityFailure(Guid CaseId, string Reference, Guid EvidenceId, string Problem, AuditEvent By);

/// <summary>
/// A stored evidence file failed authentication or its hash: the audit entry and a pending alert
/// row for its case commit together, then every active supervisor is emailed at once, with the
/// case reference and a link, nothing else. The row is the alert: an email that could not go
/// (the mail server down) is sent by the supervisor-alert job once the row has waited
/// <see cref="TakeOverAfter"/>, longer than the send in the request can last, so the two never
/// send the same alert. The caller goes on to refuse or cut off the download either way.
/// </summary>
public sealed class EvidenceIntegrityAlert(
    PortalDbContext db,
    AuditTrail audit,
    StaffRecipients recipients,
    IEmailSender email,
    EmailComposer composer,
    IOptions<EmailOptions> emailOptions,
    TimeProvider clock,
    ILogger<EvidenceIntegrityAlert> logger)
{
    /// <summary>
    /// How long a pending alert is left to the request that raised it: a connection, then each
    /// step of the SMTP dialogue (greeting, TLS, login, sender, recipients, data, quit) bounded by
    /// Email:TimeoutSeconds, with room for many recipients.
    /// </summary>
    public static TimeSpan TakeOverAfter(EmailOptions options) =>
        TimeSpan.FromSeconds(options.ConnectTimeoutSeconds + (10 * options.TimeoutSeconds));

    public async Task RaiseAsync(EvidenceIntegrityFailure failure, string language, CancellationToken cancellationToken)
    {
        logger.LogError("Evidence {EvidenceId} of case {CaseId} failed its integrity check during an export: {Problem}", failure.EvidenceId, failure.CaseId, failure.Problem);
        // Whole milliseconds, so the value read back (PostgreSQL keeps microseconds) is the same.
        var now = clock.GetUtcNow().UtcDateTime;
        var raisedAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        var auditEntry = await db.InTransactionAsync(async token =>
        {
            var entry = await audit.AppendAsync(failure.By with { CaseId = failure.CaseId, Subject = failure.EvidenceId.ToString(), Detail = "bundle: " + failure.Problem }, token);

            // One row per case: raised again, it is pending again. The append above has taken the
            // chain head's lock, so two exports finding the same damage read and write this row
            // one after the other, and the second updates it rather than breaking its unique key.
            var row = await db.SupervisorAlerts.FirstOrDefaultAsync(a => a.CaseId == failure.CaseId && a.Kind == SupervisorAlertKind.EvidenceIntegrity, token);
            if (row is null)
            {
                db.SupervisorAlerts.Add(new SupervisorAlert { CaseId = failure.CaseId, Kind = SupervisorAlertKind.EvidenceIntegrity, RaisedAt = raisedAt });
            }
            else
            {
                row.RaisedAt = raisedAt;
                row.SentAt = null;
            }

            await db.SaveChangesAsync(token);
            return entry;
        }, cancellationToken);

        try
        {
            await SendAsync(failure.CaseId, failure.Reference, raisedAt, language, auditEntry.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }
        catch (Exception exception) when (exception is EmailDeliveryException or IOException)
        {
            logger.LogError(exception, "Could not email supervisors about evidence {EvidenceId} of case {CaseId} now; the alert stays pending", failure.EvidenceId, failure.CaseId);
        }
    }

    /// <summary>
    /// Sends the alerts no request sent (the mail server was down, the node stopped), in the staff
    /// language; a failure throws, so the job is retried. Returns the number of alerts sent.
    /// </summary>
    public async Task<int> SendPendingAsync(CancellationToken cancellationToken)
    {
        var waitedSince = clock.GetUtcNow().UtcDateTime - TakeOverAfter(emailOptions.Value);
        var pending = await (
            from alert in db.SupervisorAlerts
            join c in db.Cases on alert.CaseId equals c.Id
            where alert.Kind == SupervisorAlertKind.EvidenceIntegrity && alert.SentAt == null && alert.RaisedAt <= waitedSince
            orderby alert.RaisedAt
            select new { alert.Id, alert.CaseId, alert.RaisedAt, c.Reference }).ToListAsync(cancellationToken);
        foreach (var alert in pending)
        {
            await SendAsync(alert.CaseId, alert.Reference, alert.RaisedAt, emailOptions.Value.StaffLanguage, "integrity/" + alert.Id.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        return pending.Count;
    }

    private async Task SendAsync(Guid caseId, string reference, DateTime raisedAt, string language, string about, CancellationToken cancellationToken)
    {
        var supervisors = await recipients.InRoleAsync(StaffRoles.Supervisor, cancellationToken);
        if (supervisors.Count == 0)
        {
            // Left pending: the first supervisor appointed is told.
            logger.LogWarning("No active supervisor to alert about evidence of case {CaseId}", caseId);
            return;
        }

        var message = composer.Compose(EmailTemplates.EvidenceIntegrityAlert, language, supervisors.ToList(), about, new Dictionary<string, string>
        {
            ["Reference"] = reference,
            ["Link"] = composer.Link(PortalRoutes.StaffCase(caseId)),
        });
        await email.SendAsync(message, cancellationToken);

        // Marked sent only as raised: raised again meanwhile, it is due again.
        var sentAt = clock.GetUtcNow().UtcDateTime;
        await db.SupervisorAlerts
            .Where(a => a.CaseId == caseId && a.Kind == SupervisorAlertKind.EvidenceIntegrity && a.SentAt == null && a.RaisedAt == raisedAt)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.SentAt, sentAt), CancellationToken.None);
    }
}
