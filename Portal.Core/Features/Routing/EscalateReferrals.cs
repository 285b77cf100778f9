using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Routing;

/// <summary>
/// Referrals a partner did not acknowledge in time (Routing:AcknowledgeWithin, shorter for
/// urgent ones): supervisors are emailed (reference and case link only), the assignment ends as
/// timed out, so that partner is not chosen again for it, and the referral goes back to pending.
/// Returns the referrals to route again. The alert is sent before the move: a failure to send
/// throws and leaves the referral where it was for the retry; a crash after sending may alert
/// twice, never zero times. A partner acknowledging at the same moment wins (version check).
/// </summary>
public sealed class EscalateReferralsHandler(
    PortalDbContext db,
    IEmailSender email,
    EmailComposer composer,
    AuditTrail audit,
    IOptions<RoutingOptions> options,
    TimeProvider clock,
    ILogger<EscalateReferralsHandler> logger)
{
    public async Task<IReadOnlyList<long>> HandleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var normalBefore = now - options.Value.AcknowledgeWithin;
        var urgentBefore = now - options.Value.UrgentAcknowledgeWithin;
        var overdue = await (
            from r in db.Referrals.AsNoTracking()
            join a in db.ReferralAssignments.AsNoTracking() on new { r.Id, PartnerId = r.PartnerId ?? 0 } equals new { Id = a.ReferralId, a.PartnerId }
            join c in db.Cases.AsNoTracking() on r.CaseId equals c.Id
            where r.Status == ReferralStatus.Assigned && a.EndedAt == null && a.AssignedAt <= (r.Urgent ? urgentBefore : normalBefore)
            orderby r.Id
            select new { ReferralId = r.Id, r.CaseId, c.Reference, AssignmentId = a.Id, r.PartnerId })
            .ToListAsync(cancellationToken);
        if (overdue.Count == 0)
        {
            return [];
        }

        var supervisors = await SupervisorAddressesAsync(cancellationToken);
        var moved = new List<long>();
        await using var batch = email.StartBatch();
        foreach (var item in overdue)
        {
            if (supervisors.Count > 0)
            {
                var about = $"{item.ReferralId.ToString(CultureInfo.InvariantCulture)}/{item.AssignmentId.ToString(CultureInfo.InvariantCulture)}";
                await batch.SendAsync(composer.Compose(EmailTemplates.ReferralEscalated, "en", supervisors, about, new Dictionary<string, string>
                {
                    ["Reference"] = item.Reference,
                    ["Link"] = composer.Link(PortalRoutes.StaffCase(item.CaseId)),
                }), cancellationToken);
            }
            else
            {
                logger.LogWarning("Referral {ReferralId} was not acknowledged in time and there is no supervisor to alert", item.ReferralId);
            }

            var referral = await db.Referrals.SingleAsync(r => r.Id == item.ReferralId, cancellationToken);
            var assignment = await db.ReferralAssignments.SingleAsync(a => a.Id == item.AssignmentId, cancellationToken);
            if (referral.Status != ReferralStatus.Assigned || referral.PartnerId != item.PartnerId)
            {
                continue;
            }

            assignment.EndedAt = now;
            assignment.EndReason = AssignmentEnd.TimedOut;
            referral.Status = ReferralStatus.Pending;
            referral.PartnerId = null;
            referral.UpdatedAt = now;
            referral.Version++;
            try
            {
                // The move and its audit entry commit together.
                await db.InTransactionAsync(async token =>
                {
                    await db.SaveChangesAsync(token);
                    await audit.AppendAsync(Actor.Automatic.Event(AuditActions.ReferralEscalated, item.CaseId, item.ReferralId.ToString(CultureInfo.InvariantCulture), $"partner {item.PartnerId}"), token);
                }, cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The partner acknowledged it just now: it stays with them (nothing is left tracked).
                continue;
            }

            moved.Add(item.ReferralId);
        }

        return moved;
    }

    private async Task<IReadOnlyList<string>> SupervisorAddressesAsync(CancellationToken cancellationToken)
    {
        var supervisors = await (
            from u in db.Users.AsNoTracking()
            join ur in db.UserRoles on u.Id equals ur.UserId
            join role in db.Roles on ur.RoleId equals role.Id
            where role.Name == StaffRoles.Supervisor && u.Email != null
            select new { u.Email, u.LockoutEnd }).ToListAsync(cancellationToken);
        return supervisors.Where(u => u.LockoutEnd != DateTimeOffset.MaxValue).Select(u => u.Email ?? "").Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
    }
}
