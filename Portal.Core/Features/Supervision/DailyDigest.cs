using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Supervision;

/// <summary>Counts only: nothing in the digest says anything about any one case.</summary>
public sealed record DigestCounts(int Normal, int Raised, int High, int Urgent, int UnclaimedUrgent, int FailedJobs);

/// <summary>The morning email to supervisors: open cases by priority, unclaimed urgent cases, failed jobs.</summary>
public sealed class SendDailyDigestHandler(PortalDbContext db, StaffRecipients recipients, EmailComposer composer, IEmailSender sender, IOptions<EmailOptions> email, TimeProvider clock)
{
    public async Task<DigestCounts> CountAsync(CancellationToken cancellationToken)
    {
        var open = await db.Cases
            .Where(c => c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
            .GroupBy(c => c.Priority)
            .Select(g => new { Priority = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var unclaimedUrgent = await db.Cases.CountAsync(
            c => (c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage) && c.Priority == CasePriority.Urgent && c.ClaimedById == null,
            cancellationToken);
        var failedJobs = await db.JobFailures.CountAsync(f => f.ResolvedAt == null, cancellationToken);
        int Of(CasePriority priority) => open.FirstOrDefault(o => o.Priority == priority)?.Count ?? 0;
        return new DigestCounts(Of(CasePriority.Normal), Of(CasePriority.Raised), Of(CasePriority.High), Of(CasePriority.Urgent), unclaimedUrgent, failedJobs);
    }

    /// <summary>Sends one message to every active supervisor; returns how many it went to (none when there is no supervisor).</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        var to = await recipients.InRoleAsync(StaffRoles.Supervisor, cancellationToken);
        if (to.Count == 0)
        {
            return 0;
        }

        var counts = await CountAsync(cancellationToken);
        string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
        var message = composer.Compose(EmailTemplates.DailyDigest, email.Value.StaffLanguage, to, new Dictionary<string, string>
        {
            ["Date"] = clock.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Normal"] = Number(counts.Normal),
            ["Raised"] = Number(counts.Raised),
            ["High"] = Number(counts.High),
            ["Urgent"] = Number(counts.Urgent),
            ["UnclaimedUrgent"] = Number(counts.UnclaimedUrgent),
            ["FailedJobs"] = Number(counts.FailedJobs),
            ["Link"] = composer.Link("/staff/queue"),
        });
        await sender.SendAsync(message, cancellationToken);
        return to.Count;
    }
}
