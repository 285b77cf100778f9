using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Supervision;

/// <summary>
/// Tells supervisors, once per case, that an urgent case has waited unclaimed longer than
/// Triage:UrgentUnclaimedFlag. The alert row is written first and marked sent after the email
/// went, so a failed send is retried by the next run (at least once, never silently dropped).
/// Runs one at a time (the job disallows concurrent runs, across a cluster too).
/// </summary>
public sealed class AlertUrgentUnclaimedHandler(PortalDbContext db, StaffRecipients recipients, EmailComposer composer, IEmailSender sender, IOptions<TriageOptions> triage, IOptions<EmailOptions> email, TimeProvider clock)
{
    /// <summary>Returns the number of cases the email named (0 when nothing was due).</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var waitingSince = now - triage.Value.UrgentUnclaimedFlag;
        var newlyDue = await db.Cases
            .Where(c => (c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
                && c.Priority == CasePriority.Urgent && c.ClaimedById == null && c.CreatedAt <= waitingSince
                && !db.SupervisorAlerts.Any(a => a.CaseId == c.Id && a.Kind == SupervisorAlertKind.UrgentUnclaimed))
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        foreach (var caseId in newlyDue)
        {
            db.SupervisorAlerts.Add(new SupervisorAlert { CaseId = caseId, Kind = SupervisorAlertKind.UrgentUnclaimed, RaisedAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        var pending = await (
            from alert in db.SupervisorAlerts
            join c in db.Cases on alert.CaseId equals c.Id
            where alert.Kind == SupervisorAlertKind.UrgentUnclaimed && alert.SentAt == null
            orderby c.CreatedAt
            select new { alert.Id, c.Reference }).ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        var to = await recipients.InRoleAsync(StaffRoles.Supervisor, cancellationToken);
        if (to.Count == 0)
        {
            throw new InvalidOperationException("Urgent cases wait unclaimed and there is no active supervisor to alert.");
        }

        // The alerts it names: a retry of the same alerts is the same message to mail clients.
        var about = string.Join(',', pending.Select(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal));
        var message = composer.Compose(EmailTemplates.UrgentUnclaimed, email.Value.StaffLanguage, to, about, new Dictionary<string, string>
        {
            ["References"] = string.Join("\n", pending.Select(p => p.Reference)),
            ["Minutes"] = ((int)triage.Value.UrgentUnclaimedFlag.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Link"] = composer.Link(PortalRoutes.StaffQueue),
        });
        await sender.SendAsync(message, cancellationToken);

        var ids = pending.Select(p => p.Id).ToList();
        await db.SupervisorAlerts.Where(a => ids.Contains(a.Id)).ExecuteUpdateAsync(a => a.SetProperty(x => x.SentAt, now), cancellationToken);
        return pending.Count;
    }
}
