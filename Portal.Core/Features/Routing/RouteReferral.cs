using System.Globalization;
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

    /// <summary>The victim withdrew consent: nothing to route (its partner, if it had one, is told so).</summary>
    Withdrawn,
}

/// <summary>
/// Routes referrals: chooses each one's partner (PartnerChoice), records the assignment and
/// emails the partner's contact address and staff the case reference and a workspace link, never
/// content. Idempotent: a second run finds the assignment and the recorded notification and does
/// nothing; two concurrent runs cannot both assign (referral version, one assignment per partner)
/// nor both send (the run that assigns claims the notification; a later run claims it only by a
/// conditional update once the claim has expired). A failure to send throws, so the job retries
/// (a partner address the mail server refuses only after the rest of the batch was sent);
/// an email is sent twice only if the process dies between the SMTP server accepting it and the
/// notification being recorded. Many referrals can be routed in one call (one transaction for the
/// assignments and their audit entries), which is how a backlog drains quickly.
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
    public async Task<RoutingOutcome> HandleAsync(long referralId, CancellationToken cancellationToken) =>
        (await HandleManyAsync([referralId], cancellationToken))[referralId];

    /// <summary>Routes each referral as <see cref="HandleAsync"/> does, in one pass; the outcome per id.</summary>
    public async Task<IReadOnlyDictionary<long, RoutingOutcome>> HandleManyAsync(IReadOnlyCollection<long> referralIds, CancellationToken cancellationToken)
    {
        var outcomes = referralIds.Distinct().ToDictionary(id => id, _ => RoutingOutcome.NotFound);
        var ids = outcomes.Keys.ToList();
        var referrals = await db.Referrals.Where(r => ids.Contains(r.Id)).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var caseIds = referrals.Select(r => r.CaseId).Distinct().ToList();
        var cases = await db.Cases.AsNoTracking().Where(c => caseIds.Contains(c.Id))
            .Select(c => new CaseFacts(c.Id, c.Reference, c.Region, c.Language, c.ConsentPolice, c.ConsentCounselling))
            .ToDictionaryAsync(c => c.Id, cancellationToken);

        await NotifyWithdrawalsAsync(referrals, cases, cancellationToken);
        var routable = new List<Referral>();
        foreach (var referral in referrals)
        {
            if (referral.Status == ReferralStatus.Withdrawn)
            {
                outcomes[referral.Id] = RoutingOutcome.Withdrawn;
                continue;
            }

            if (!cases[referral.CaseId].Allows(referral.PartnerType))
            {
                logger.LogWarning("Referral {ReferralId} is not covered by its case's consent and was not routed", referral.Id);
                outcomes[referral.Id] = RoutingOutcome.ConsentMissing;
                continue;
            }

            outcomes[referral.Id] = RoutingOutcome.AlreadyRouted;
            routable.Add(referral);
        }

        var claimedByUs = await AssignAsync(routable.Where(r => r.Status is ReferralStatus.Pending or ReferralStatus.Unassigned).ToList(), cases, cancellationToken);
        foreach (var referral in routable.Where(r => r.Status == ReferralStatus.Unassigned))
        {
            outcomes[referral.Id] = RoutingOutcome.Unassigned;
        }

        var toNotify = new List<Referral>();
        foreach (var referral in routable.Where(r => r.Status == ReferralStatus.Assigned && r.PartnerId is not null))
        {
            if (claimedByUs.Contains(referral.Id) || await ClaimNotificationAsync(referral, cancellationToken))
            {
                toNotify.Add(referral);
            }
        }

        await NotifyAsync(toNotify, cases, cancellationToken);
        foreach (var referral in toNotify)
        {
            outcomes[referral.Id] = RoutingOutcome.Routed;
        }

        return outcomes;
    }

    /// <summary>Chooses and records partners; returns the referrals whose notification this run now holds.</summary>
    private async Task<HashSet<long>> AssignAsync(List<Referral> referrals, Dictionary<Guid, CaseFacts> cases, CancellationToken cancellationToken)
    {
        if (referrals.Count == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var ids = referrals.Select(r => r.Id).ToList();
        var types = referrals.Select(r => r.PartnerType).Distinct().ToList();
        var previous = await db.ReferralAssignments.Where(a => ids.Contains(a.ReferralId)).ToListAsync(cancellationToken);

        // A partner the victim withdrew the referral from may have it again once consent is given again.
        var tried = previous.Where(a => a.EndReason != AssignmentEnd.Withdrawn).ToLookup(a => a.ReferralId, a => a.PartnerId);
        var partners = await db.Partners.AsNoTracking().Where(p => types.Contains(p.Type)).ToListAsync(cancellationToken);
        var dayStart = PartnerDay.StartUtc(now, options.Value.DayTimeZone);
        var partnerIds = partners.Select(p => p.Id).ToList();
        var assignedToday = await db.ReferralAssignments.AsNoTracking()
            .Where(a => a.AssignedAt >= dayStart && partnerIds.Contains(a.PartnerId))
            .GroupBy(a => a.PartnerId)
            .Select(g => new { PartnerId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.PartnerId, g => g.Count, cancellationToken);

        var versions = referrals.ToDictionary(r => r.Id, r => r.Version);
        var events = new List<AuditEvent>();
        var claimed = new HashSet<long>();
        foreach (var referral in referrals)
        {
            var facts = cases[referral.CaseId];
            var needs = new ReferralNeeds(referral.PartnerType, referral.Urgent, facts.Region, facts.Language, tried[referral.Id].ToHashSet());
            var choice = PartnerChoice.Choose(needs, partners.Select(p => PartnerCandidate.From(p, assignedToday.GetValueOrDefault(p.Id))));
            var subject = referral.Id.ToString(CultureInfo.InvariantCulture);
            referral.UpdatedAt = now;
            referral.Version++;
            if (choice.Partner is { } partner)
            {
                // Counted at once, so the rest of the batch sees the capacity this one used.
                assignedToday[partner.Id] = assignedToday.GetValueOrDefault(partner.Id) + 1;
                referral.Status = ReferralStatus.Assigned;
                referral.PartnerId = partner.Id;
                referral.UnassignedReason = null;
                if (previous.FirstOrDefault(a => a.ReferralId == referral.Id && a.PartnerId == partner.Id) is { } again)
                {
                    // One row per referral and partner: the withdrawn assignment starts over.
                    (again.AssignedAt, again.NotificationClaimedAt, again.NotifiedAt, again.EndedAt, again.EndReason, again.WithdrawalNoticePending, again.WithdrawalNoticeClaimedAt) = (now, now, null, null, null, false, null);
                }
                else
                {
                    db.ReferralAssignments.Add(new ReferralAssignment { ReferralId = referral.Id, PartnerId = partner.Id, AssignedAt = now, NotificationClaimedAt = now });
                }
                claimed.Add(referral.Id);
                events.Add(AuditEvent.System(AuditActions.ReferralAssigned, referral.CaseId, subject, $"partner {partner.Id}"));
            }
            else
            {
                if (referral.Status != ReferralStatus.Unassigned)
                {
                    logger.LogWarning("Referral {ReferralId} has no suitable partner ({Reason}) and waits unassigned", referral.Id, choice.Reason);
                    events.Add(AuditEvent.System(AuditActions.ReferralUnassigned, referral.CaseId, subject, choice.Reason.ToString()));
                }

                referral.Status = ReferralStatus.Unassigned;
                referral.UnassignedReason = choice.Reason;
            }
        }

        try
        {
            // The assignments and their audit entries commit together.
            await db.InTransactionAsync(async token =>
            {
                await db.SaveChangesAsync(token);
                await audit.AppendManyAsync(events, token);
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another run routed some of them first (a version moved on, or an assignment
            // exists): nothing of this pass was written, and the failed transaction left nothing
            // tracked. Take what is there now; the caller then notifies what it can claim, and
            // anything still pending waits for the next run.
            var current = await db.Referrals.Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
            if (current.Values.All(stored => stored.Version == versions[stored.Id]))
            {
                // No other run changed any of them: not a lost race but a failure (the audit
                // entries could not be written, say). Nothing was kept; the job retries.
                throw;
            }

            foreach (var referral in referrals)
            {
                var stored = current[referral.Id];
                (referral.Status, referral.PartnerId, referral.Version) = (stored.Status, stored.PartnerId, stored.Version);
            }

            return [];
        }

        return claimed;
    }

    /// <summary>Takes the notification of an assignment made earlier (by a run that died, or before a failed send).</summary>
    private async Task<bool> ClaimNotificationAsync(Referral referral, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claimExpired = now - options.Value.NotificationClaimTimeout;
        return await db.ReferralAssignments
            .Where(a => a.ReferralId == referral.Id && a.PartnerId == referral.PartnerId && a.NotifiedAt == null && a.EndedAt == null
                && (a.NotificationClaimedAt == null || a.NotificationClaimedAt < claimExpired))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotificationClaimedAt, now), cancellationToken) == 1;
    }

    private async Task NotifyAsync(List<Referral> referrals, Dictionary<Guid, CaseFacts> cases, CancellationToken cancellationToken)
    {
        if (referrals.Count == 0)
        {
            return;
        }

        var partnerIds = referrals.Select(r => r.PartnerId ?? 0).Distinct().ToList();
        var partners = await db.Partners.AsNoTracking().Where(p => partnerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var recipients = await PartnerRecipientsAsync(partners.Values, cancellationToken);
        var sent = new List<long>();
        var refused = new List<(long ReferralId, EmailDeliveryException Error)>();
        try
        {
            await using var batch = email.StartBatch();
            foreach (var referral in referrals)
            {
                var partner = partners[referral.PartnerId ?? 0];

                // A referral is assigned to a partner at most once, so the pair names this email.
                var about = $"{referral.Id.ToString(CultureInfo.InvariantCulture)}/{partner.Id.ToString(CultureInfo.InvariantCulture)}";
                var message = composer.Compose(EmailTemplates.ReferralAssigned, EmailLanguage(partner), recipients[partner.Id], about, new Dictionary<string, string>
                {
                    ["Reference"] = cases[referral.CaseId].Reference,
                    ["Link"] = composer.Link(PortalRoutes.PartnerReferral(referral.Id)),
                });
                try
                {
                    await batch.SendAsync(message, cancellationToken);
                }
                catch (EmailDeliveryException exception) when (exception.RecipientRefused)
                {
                    // This partner's address only: the rest of the batch still goes.
                    refused.Add((referral.Id, exception));
                    continue;
                }

                sent.Add(referral.Id);
            }
        }
        catch
        {
            // Let the retry send the rest at once instead of waiting for the claims to time out.
            var unsent = referrals.Select(r => r.Id).Except(sent).ToList();
            await db.ReferralAssignments.Where(a => unsent.Contains(a.ReferralId) && a.NotifiedAt == null && a.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotificationClaimedAt, (DateTime?)null), CancellationToken.None);
            throw;
        }
        finally
        {
            if (sent.Count > 0)
            {
                var at = clock.GetUtcNow().UtcDateTime;
                await db.ReferralAssignments.Where(a => sent.Contains(a.ReferralId) && a.NotifiedAt == null && a.EndedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotifiedAt, at), CancellationToken.None);
            }
        }

        if (refused.Count > 0)
        {
            // Given back, so the retry (this job's, or the sweep's) tries them at once; ending the
            // batch at the first refusal held back every referral after it, at every retry.
            var unsent = refused.Select(r => r.ReferralId).ToList();
            await db.ReferralAssignments.Where(a => unsent.Contains(a.ReferralId) && a.NotifiedAt == null && a.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotificationClaimedAt, (DateTime?)null), CancellationToken.None);
            throw new EmailDeliveryException(
                $"The mail server refused an address of {refused.Count} partner(s) given a referral; {sent.Count} other(s) were told.", refused[0].Error.SmtpStatus, refused[0].Error, recipientRefused: true);
        }
    }

    /// <summary>
    /// Tells each partner whose hold on one of these referrals ended by the victim's withdrawal:
    /// the reference and that it was withdrawn, nothing of the case. The notice is claimed for
    /// Routing:NotificationClaimTimeout by a conditional update before sending, given back if the
    /// send fails, and marked done with its audit entry in one transaction once sent: two runs never
    /// both send it, a failure is retried, and a crash at any point neither loses it nor leaves it
    /// sent but unaudited.
    /// </summary>
    private async Task NotifyWithdrawalsAsync(List<Referral> referrals, Dictionary<Guid, CaseFacts> cases, CancellationToken cancellationToken)
    {
        var ids = referrals.Select(r => r.Id).ToList();
        var pending = await db.ReferralAssignments.AsNoTracking().Where(a => ids.Contains(a.ReferralId) && a.WithdrawalNoticePending).ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return;
        }

        var partnerIds = pending.Select(a => a.PartnerId).Distinct().ToList();
        var partners = await db.Partners.AsNoTracking().Where(p => partnerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var recipients = await PartnerRecipientsAsync(partners.Values, cancellationToken);
        await using var batch = email.StartBatch();
        foreach (var assignment in pending)
        {
            // Taken for a while, not cleared: a run that dies between taking and sending leaves the
            // notice to the next run once the claim has expired, instead of losing it.
            var now = clock.GetUtcNow().UtcDateTime;
            var claimExpired = now - options.Value.NotificationClaimTimeout;
            var claimed = await db.ReferralAssignments
                .Where(a => a.Id == assignment.Id && a.WithdrawalNoticePending && (a.WithdrawalNoticeClaimedAt == null || a.WithdrawalNoticeClaimedAt < claimExpired))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.WithdrawalNoticeClaimedAt, now), cancellationToken) == 1;
            if (!claimed)
            {
                continue;
            }

            var referral = referrals.Single(r => r.Id == assignment.ReferralId);
            var partner = partners[assignment.PartnerId];
            try
            {
                var about = $"{referral.Id.ToString(CultureInfo.InvariantCulture)}/{partner.Id.ToString(CultureInfo.InvariantCulture)}/{assignment.EndedAt?.Ticks.ToString(CultureInfo.InvariantCulture)}";
                var message = composer.Compose(EmailTemplates.ReferralWithdrawn, EmailLanguage(partner), recipients[partner.Id], about, new Dictionary<string, string>
                {
                    ["Reference"] = cases[referral.CaseId].Reference,
                });
                await batch.SendAsync(message, cancellationToken);
            }
            catch
            {
                await db.ReferralAssignments.Where(a => a.Id == assignment.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.WithdrawalNoticeClaimedAt, (DateTime?)null), CancellationToken.None);
                throw;
            }

            // Sent: the notice is done and audited together. A crash before this commit sends it
            // again after the claim expires, with the same Message-ID, so the partner sees one email.
            await db.InTransactionAsync(async token =>
            {
                await db.ReferralAssignments.Where(a => a.Id == assignment.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.WithdrawalNoticePending, false).SetProperty(a => a.WithdrawalNoticeClaimedAt, (DateTime?)null), token);
                await audit.AppendAsync(AuditEvent.System(AuditActions.ReferralWithdrawalNotified, referral.CaseId, referral.Id.ToString(CultureInfo.InvariantCulture), $"partner {partner.Id}"), token);
            }, CancellationToken.None);
        }
    }

    /// <summary>Each partner's mailbox and every enabled staff account linked to it.</summary>
    private async Task<Dictionary<long, IReadOnlyList<string>>> PartnerRecipientsAsync(IEnumerable<Partner> partners, CancellationToken cancellationToken)
    {
        var list = partners.ToList();
        var ids = list.Select(p => p.Id).ToList();
        var staff = (await db.Users.AsNoTracking().Where(u => u.PartnerId != null && ids.Contains(u.PartnerId.Value) && u.Email != null)
            .Select(u => new { u.PartnerId, u.Email, u.LockoutEnd }).ToListAsync(cancellationToken))
            .Where(u => u.LockoutEnd != DateTimeOffset.MaxValue)
            .ToLookup(u => u.PartnerId ?? 0, u => u.Email ?? "");
        return list.ToDictionary(p => p.Id, p => (IReadOnlyList<string>)staff[p.Id].Prepend(p.ContactEmail).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <summary>Finnish partners read Finnish, then Swedish; English when the partner works in neither.</summary>
    internal static string EmailLanguage(Partner partner) =>
        partner.Languages.Contains("fi") ? "fi" : partner.Languages.Contains("sv") ? "sv" : "en";

    private sealed record CaseFacts(Guid Id, string Reference, string? Region, string Language, bool ConsentPolice, bool ConsentCounselling)
    {
        public bool Allows(PartnerType type) => ReferralRules.ConsentAllows(type, ConsentPolice, ConsentCounselling);
    }
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
