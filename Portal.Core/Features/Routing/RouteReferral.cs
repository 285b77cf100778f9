using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Routing;

public enum RoutingOutcome
{
    /// <summary>A partner was chosen (now or by an earlier run) and its staff were emailed by this run.</summary>
    Routed,

    /// <summary>Nothing left to do: assigned and notified before, or already in the partner's hands.</summary>
    AlreadyRouted,

    /// <summary>No suitable partner; the referral waits, unassigned, where supervisors see it.</summary>
    Unassigned,

    /// <summary>The case's consent does not cover this referral (it never should); nothing was assigned.</summary>
    ConsentMissing,

    NotFound,
}

/// <summary>
/// Routes one referral: chooses the partner (PartnerChoice), records the assignment and emails
/// the partner's contact address and staff the case reference and a workspace link, never
/// content. Idempotent: a second run finds the assignment and the recorded notification and
/// does nothing; two concurrent runs cannot both assign (referral version, one assignment per
/// partner) nor both send (the notification is claimed by a conditional update first). A failure
/// to send throws, so the job retries; the email is sent again only if the process dies between
/// the SMTP server accepting it and the notification being recorded.
/// </summary>
public sealed class RouteReferralHandler(
    PortalDbContext db,
    IEmailSender email,
    EmailComposer composer,
    AuditTrail audit,
    IOptions<RoutingOptions> options,
    TimeProvider clock,
    ILogger<RouteReferralHandler> logger)
{
    public async Task<RoutingOutcome> HandleAsync(long referralId, CancellationToken cancellationToken)
    {
        var referral = await db.Referrals.FirstOrDefaultAsync(r => r.Id == referralId, cancellationToken);
        if (referral is null)
        {
            return RoutingOutcome.NotFound;
        }

        var subject = await db.Cases.AsNoTracking().Where(c => c.Id == referral.CaseId).SingleAsync(cancellationToken);
        if (!ReferralRules.ConsentAllows(subject, referral.PartnerType))
        {
            logger.LogWarning("Referral {ReferralId} is not covered by its case's consent and was not routed", referral.Id);
            return RoutingOutcome.ConsentMissing;
        }

        if (referral.Status is ReferralStatus.Pending or ReferralStatus.Unassigned)
        {
            referral = await AssignAsync(referral, subject, cancellationToken);
            if (referral.Status == ReferralStatus.Unassigned)
            {
                return RoutingOutcome.Unassigned;
            }
        }

        if (referral.Status != ReferralStatus.Assigned || referral.PartnerId is not { } partnerId)
        {
            return RoutingOutcome.AlreadyRouted;
        }

        return await NotifyAsync(referral, subject.Reference, partnerId, cancellationToken) ? RoutingOutcome.Routed : RoutingOutcome.AlreadyRouted;
    }

    private async Task<Referral> AssignAsync(Referral referral, Case subject, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var tried = await db.ReferralAssignments.AsNoTracking().Where(a => a.ReferralId == referral.Id).Select(a => a.PartnerId).ToListAsync(cancellationToken);
        var partners = await db.Partners.AsNoTracking().Where(p => p.Type == referral.PartnerType).ToListAsync(cancellationToken);
        var dayStart = PartnerDay.StartUtc(now, options.Value.DayTimeZone);
        var ids = partners.Select(p => p.Id).ToList();
        var assignedToday = await db.ReferralAssignments.AsNoTracking()
            .Where(a => a.AssignedAt >= dayStart && ids.Contains(a.PartnerId))
            .GroupBy(a => a.PartnerId)
            .Select(g => new { PartnerId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.PartnerId, g => g.Count, cancellationToken);

        var needs = new ReferralNeeds(referral.PartnerType, referral.Urgent, subject.Region, subject.Language, tried.ToHashSet());
        var choice = PartnerChoice.Choose(needs, partners.Select(p => PartnerCandidate.From(p, assignedToday.GetValueOrDefault(p.Id))));
        var wasUnassigned = referral.Status == ReferralStatus.Unassigned;
        referral.UpdatedAt = now;
        referral.Version++;
        if (choice.Partner is null)
        {
            referral.Status = ReferralStatus.Unassigned;
            referral.UnassignedReason = choice.Reason;
        }
        else
        {
            referral.Status = ReferralStatus.Assigned;
            referral.PartnerId = choice.Partner.Id;
            referral.UnassignedReason = null;
            db.ReferralAssignments.Add(new ReferralAssignment { ReferralId = referral.Id, PartnerId = choice.Partner.Id, AssignedAt = now });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another run routed it first (the version moved on, or the assignment exists): take its result.
            db.ChangeTracker.Clear();
            return await db.Referrals.SingleAsync(r => r.Id == referral.Id, cancellationToken);
        }

        if (choice.Partner is not null)
        {
            await audit.AppendAsync(AuditEvent.System(AuditActions.ReferralAssigned, referral.CaseId, referral.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"partner {choice.Partner.Id}"), cancellationToken);
        }
        else if (!wasUnassigned)
        {
            logger.LogWarning("Referral {ReferralId} has no suitable partner ({Reason}) and waits unassigned", referral.Id, choice.Reason);
            await audit.AppendAsync(AuditEvent.System(AuditActions.ReferralUnassigned, referral.CaseId, referral.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), choice.Reason.ToString()), cancellationToken);
        }

        return referral;
    }

    private async Task<bool> NotifyAsync(Referral referral, string reference, long partnerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claimExpired = now - options.Value.NotificationClaimTimeout;
        var claimed = await db.ReferralAssignments
            .Where(a => a.ReferralId == referral.Id && a.PartnerId == partnerId && a.NotifiedAt == null && a.EndedAt == null
                && (a.NotificationClaimedAt == null || a.NotificationClaimedAt < claimExpired))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotificationClaimedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }

        try
        {
            var partner = await db.Partners.AsNoTracking().SingleAsync(p => p.Id == partnerId, cancellationToken);
            var recipients = await PartnerRecipientsAsync(partner, cancellationToken);
            var message = composer.Compose(EmailTemplates.ReferralAssigned, EmailLanguage(partner), recipients, new Dictionary<string, string>
            {
                ["Reference"] = reference,
                ["Link"] = composer.Link($"/partner/referrals/{referral.Id}"),
            });
            await email.SendAsync(message, cancellationToken);
        }
        catch
        {
            // Let the retry send it at once instead of waiting for the claim to time out.
            await db.ReferralAssignments.Where(a => a.ReferralId == referral.Id && a.PartnerId == partnerId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotificationClaimedAt, (DateTime?)null), CancellationToken.None);
            throw;
        }

        await db.ReferralAssignments.Where(a => a.ReferralId == referral.Id && a.PartnerId == partnerId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotifiedAt, clock.GetUtcNow().UtcDateTime), CancellationToken.None);
        return true;
    }

    /// <summary>The organisation's mailbox and every enabled staff account linked to it.</summary>
    private async Task<IReadOnlyList<string>> PartnerRecipientsAsync(Partner partner, CancellationToken cancellationToken)
    {
        var staff = await db.Users.AsNoTracking().Where(u => u.PartnerId == partner.Id && u.Email != null)
            .Select(u => new { u.Email, u.LockoutEnd }).ToListAsync(cancellationToken);
        return staff.Where(u => u.LockoutEnd != DateTimeOffset.MaxValue).Select(u => u.Email ?? "")
            .Prepend(partner.ContactEmail)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Finnish partners read Finnish, then Swedish; English when the partner works in neither.</summary>
    internal static string EmailLanguage(Partner partner) =>
        partner.Languages.Contains("fi") ? "fi" : partner.Languages.Contains("sv") ? "sv" : "en";
}

/// <summary>A partner's day, for its daily capacity: midnight to midnight in Routing:DayTimeZone.</summary>
public static class PartnerDay
{
    public static DateTime StartUtc(DateTime utcNow, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utcNow, DateTimeKind.Utc), zone);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local.Date, DateTimeKind.Unspecified), zone);
    }
}
