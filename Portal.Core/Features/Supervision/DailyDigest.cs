using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Routing;

namespace Portal.Core.Features.Supervision;

/// <summary>
/// Counts only: nothing in the digest says anything about any one case. Stuck referrals are those
/// no partner fits (unassigned) and those whose routing job ran out of retries before they reached
/// a partner; an unassigned one is counted once, as without a partner.
/// </summary>
public sealed record DigestCounts(int Normal, int Raised, int High, int Urgent, int UnclaimedUrgent, int FailedJobs, int NoPartnerReferrals, int FailedReferrals);

/// <summary>The morning email to supervisors: open cases by priority, unclaimed urgent cases, failed jobs, stuck referrals.</summary>
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
        var noPartner = await db.Referrals.CountAsync(r => r.Status == ReferralStatus.Unassigned, cancellationToken);
        var failedReferrals = await FailedReferralsAsync(cancellationToken);
        int Of(CasePriority priority) => open.FirstOrDefault(o => o.Priority == priority)?.Count ?? 0;
        return new DigestCounts(Of(CasePriority.Normal), Of(CasePriority.Raised), Of(CasePriority.High), Of(CasePriority.Urgent), unclaimedUrgent, failedJobs, noPartner, failedReferrals);
    }

    /// <summary>
    /// Referrals whose routing job failed for good (an unresolved failure under its key) and that
    /// still have not reached a partner: pending, or assigned to one that was never told. One
    /// routed since (by a backlog sweep) is no longer stuck, even while its failure waits for an admin.
    /// </summary>
    private async Task<int> FailedReferralsAsync(CancellationToken cancellationToken)
    {
        var keys = await db.JobFailures
            .Where(f => f.ResolvedAt == null && f.JobKey.StartsWith(ReferralJobNames.FailureKeyPrefix))
            .Select(f => f.JobKey)
            .Distinct()
            .ToListAsync(cancellationToken);
        var ids = keys.Select(ReferralJobNames.ReferralOf).OfType<long>().ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        return await db.Referrals.CountAsync(
            r => ids.Contains(r.Id)
                && (r.Status == ReferralStatus.Pending
                    || (r.Status == ReferralStatus.Assigned && db.ReferralAssignments.Any(a => a.ReferralId == r.Id && a.PartnerId == r.PartnerId && a.NotifiedAt == null && a.EndedAt == null))),
            cancellationToken);
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
        var date = clock.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        // One digest a day: a retry later that day is the same message to mail clients.
        var message = composer.Compose(EmailTemplates.DailyDigest, email.Value.StaffLanguage, to, about: date, new Dictionary<string, string>
        {
            ["Date"] = date,
            ["Normal"] = Number(counts.Normal),
            ["Raised"] = Number(counts.Raised),
            ["High"] = Number(counts.High),
            ["Urgent"] = Number(counts.Urgent),
            ["UnclaimedUrgent"] = Number(counts.UnclaimedUrgent),
            ["FailedJobs"] = Number(counts.FailedJobs),
            ["NoPartnerReferrals"] = Number(counts.NoPartnerReferrals),
            ["FailedReferrals"] = Number(counts.FailedReferrals),
            ["Link"] = composer.Link(PortalRoutes.StaffQueue),
            ["ReferralsLink"] = composer.Link(PortalRoutes.StaffReferrals),
        });
        await sender.SendAsync(message, cancellationToken);
        return to.Count;
    }
}
