using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notices;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.CaseFile;

/// <summary>Which published deadlines concern which cases: all, a breach organisation's, or those police gave a report number.</summary>
internal static class DeadlineConcerns
{
    /// <summary>Deadlines published by now and not yet past, whatever their audience.</summary>
    public static IQueryable<Notice> Open(this IQueryable<Notice> notices, DateTime now, DateOnly today) =>
        notices.Where(n => n.WithdrawnAt == null && n.DeadlineOn != null && n.DeadlineOn >= today && n.PublishedAt <= now);

    /// <summary>Cases a deadline concerns (with content: a retained case is left out).</summary>
    public static IQueryable<Case> ConcernedBy(this PortalDbContext db, Notice deadline) =>
        deadline.Audience switch
        {
            DeadlineAudience.BreachOrganisation => db.Cases.Where(c => c.RetainedAt == null && c.BreachOrganisation == deadline.AudienceBreachOrganisation),
            DeadlineAudience.PoliceReportNumber => db.Cases.Where(c => c.RetainedAt == null && db.Referrals.Any(r =>
                r.CaseId == c.Id && r.PartnerType == PartnerType.Police && r.PoliceReportNumber != null)),
            _ => db.Cases.Where(c => c.RetainedAt == null),
        };
}

/// <summary>The deadlines that concern one case and are still ahead, soonest first, in the reader's language: shown on the victim's case page.</summary>
public sealed class CaseDeadlinesQuery(PortalDbContext db, IOptions<CaseFileOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<NoticeView>> HandleAsync(Guid caseId, string language, CancellationToken cancellationToken)
    {
        var facts = await db.Cases.AsNoTracking()
            .Where(c => c.Id == caseId && c.RetainedAt == null)
            .Select(c => new
            {
                c.BreachOrganisation,
                HasReportNumber = db.Referrals.Any(r => r.CaseId == c.Id && r.PartnerType == PartnerType.Police && r.PoliceReportNumber != null),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (facts is null)
        {
            return [];
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var notices = await db.Notices.AsNoTracking()
            .Open(now, options.Value.Today(clock))
            .Where(n => n.Audience == DeadlineAudience.AllCases
                || (n.Audience == DeadlineAudience.BreachOrganisation && facts.BreachOrganisation != null && n.AudienceBreachOrganisation == facts.BreachOrganisation)
                || (n.Audience == DeadlineAudience.PoliceReportNumber && facts.HasReportNumber))
            .OrderBy(n => n.DeadlineOn).ThenBy(n => n.PublishedAt)
            .Take(20)
            .ToListAsync(cancellationToken);
        return notices.Select(n => ListNoticesHandler.ToView(n, language)).ToList();
    }
}

/// <summary>
/// Reminds victims who chose email contact of the deadlines that concern their case, a configured
/// number of days before (CaseFile:ReminderDaysBefore, e.g. 14 and 2). The email says only that a
/// date in their case is near, with a link to the portal: never the deadline, the reference or
/// anything of the case. Exactly once per deadline, case and stage: a run claims the reminder by
/// inserting its row (unique per deadline, case and stage), sends, and marks it sent in the same
/// transaction as its audit entry. Another run may take a claim only once it is older than
/// CaseFile:ReminderClaimTimeout, so the email goes twice only if a run dies between the mail
/// server taking it and the mark (the Message-ID is the same, so mail clients show one). A failed
/// send releases the unsent claims and throws, so the job retries; an address the server refuses
/// holds back only its own reminder, which the run gives back and throws for once the rest went.
/// When a deadline is published late, only the nearest stage that is due is sent (no "14 days"
/// email two days before).
/// </summary>
public sealed class SendDeadlineRemindersHandler(
    PortalDbContext db,
    EnvelopeCipher cipher,
    EmailComposer composer,
    IEmailSender sender,
    AuditTrail audit,
    IOptions<CaseFileOptions> options,
    TimeProvider clock,
    ILogger<SendDeadlineRemindersHandler> logger)
{
    private const int BatchSize = 200;

    /// <summary>Sends every reminder that is due; returns how many emails went.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var stages = settings.ReminderStages();
        var now = clock.GetUtcNow().UtcDateTime;
        var today = settings.Today(clock);
        var deadlines = await db.Notices.AsNoTracking().Open(now, today).OrderBy(n => n.DeadlineOn).ToListAsync(cancellationToken);
        var sent = 0;
        var refused = new List<(long ReminderId, EmailDeliveryException Error)>();
        try
        {
            sent = await SendDueAsync(deadlines, stages, today, refused, cancellationToken);
        }
        finally
        {
            // Given back only now, so this run does not take them again; the retry does at once.
            await ReleaseAsync(refused.Select(r => r.ReminderId).ToList());
        }

        if (refused.Count > 0)
        {
            throw new EmailDeliveryException(
                $"The mail server refused the address of {refused.Count} deadline reminder(s); {sent} other(s) were sent.", refused[0].Error.SmtpStatus, refused[0].Error, recipientRefused: true);
        }

        return sent;
    }

    private async Task<int> SendDueAsync(List<Notice> deadlines, IReadOnlyList<int> stages, DateOnly today, List<(long ReminderId, EmailDeliveryException Error)> refused, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var deadline in deadlines)
        {
            var daysLeft = (deadline.DeadlineOn ?? today).DayNumber - today.DayNumber;

            // The nearest stage that is due: 10 days before a deadline with stages 14 and 2, that is 14.
            var stage = stages.Where(s => daysLeft <= s).DefaultIfEmpty(-1).Min();
            if (stage < 0)
            {
                continue;
            }

            while (true)
            {
                var claimed = await ClaimAsync(deadline, stage, cancellationToken);
                if (claimed.Count == 0)
                {
                    break;
                }

                sent += await SendAsync(deadline, stage, claimed, refused, cancellationToken);
                if (claimed.Count < BatchSize)
                {
                    break;
                }
            }
        }

        return sent;
    }

    private sealed record Claimed(long ReminderId, Guid CaseId, string Language, byte[]? ContactEnvelope);

    /// <summary>Claims up to a batch of reminders: rows left by a run that died (claim expired), then new rows for concerned cases that have none.</summary>
    private async Task<List<Claimed>> ClaimAsync(Notice deadline, int stage, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var expired = now - options.Value.ReminderClaimTimeout;
        var claimed = new List<long>();

        var stale = await db.DeadlineReminders.AsNoTracking()
            .Where(r => r.NoticeId == deadline.Id && r.DaysBefore == stage && r.SentAt == null && (r.ClaimedAt == null || r.ClaimedAt < expired))
            .OrderBy(r => r.Id).Select(r => r.Id).Take(BatchSize).ToListAsync(cancellationToken);
        foreach (var id in stale)
        {
            // A conditional update: of two runs, one takes it.
            if (await db.DeadlineReminders.Where(r => r.Id == id && r.SentAt == null && (r.ClaimedAt == null || r.ClaimedAt < expired))
                    .ExecuteUpdateAsync(r => r.SetProperty(x => x.ClaimedAt, now), cancellationToken) == 1)
            {
                claimed.Add(id);
            }
        }

        if (claimed.Count < BatchSize)
        {
            var fresh = await db.ConcernedBy(deadline)
                .Where(c => c.ContactPreference == ContactPreference.Email && c.ContactEnvelope != null)
                .Where(c => !db.DeadlineReminders.Any(r => r.NoticeId == deadline.Id && r.CaseId == c.Id && r.DaysBefore == stage))
                .OrderBy(c => c.Id)
                .Select(c => c.Id)
                .Take(BatchSize - claimed.Count)
                .ToListAsync(cancellationToken);
            foreach (var caseId in fresh)
            {
                var row = new DeadlineReminder { NoticeId = deadline.Id, CaseId = caseId, DaysBefore = stage, ClaimedAt = now };
                db.DeadlineReminders.Add(row);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    claimed.Add(row.Id);
                }
                catch (DbUpdateException)
                {
                    // Another run claimed it first (the unique index); it is theirs to send.
                }
                finally
                {
                    db.Entry(row).State = EntityState.Detached;
                }
            }
        }

        return await (
            from r in db.DeadlineReminders.AsNoTracking().Where(r => claimed.Contains(r.Id))
            join c in db.Cases on r.CaseId equals c.Id
            orderby r.Id
            select new Claimed(r.Id, c.Id, c.Language, c.ContactEnvelope))
            .ToListAsync(cancellationToken);
    }

    private Task ReleaseAsync(List<long> reminderIds) =>
        reminderIds.Count == 0
            ? Task.CompletedTask
            : db.DeadlineReminders.Where(r => reminderIds.Contains(r.Id) && r.SentAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.ClaimedAt, (DateTime?)null), CancellationToken.None);

    /// <summary>
    /// Sends the claimed reminders. An address the mail server refuses is noted in
    /// <paramref name="refused"/> and held (released at the end of the run): the others still go,
    /// where ending the run there would meet that address first again at every retry.
    /// </summary>
    private async Task<int> SendAsync(Notice deadline, int stage, List<Claimed> claimed, List<(long ReminderId, EmailDeliveryException Error)> refused, CancellationToken cancellationToken)
    {
        var done = new HashSet<long>();
        var sent = 0;
        try
        {
            await using var batch = sender.StartBatch();
            foreach (var item in claimed)
            {
                var email = ContactDetails.Open(cipher, item.ContactEnvelope)?.Email;
                if (!string.IsNullOrWhiteSpace(email))
                {
                    // Contentless: no date, no title, no reference. The ids only name the Message-ID.
                    var about = $"{deadline.Id:N}/{item.CaseId:N}/{stage.ToString(CultureInfo.InvariantCulture)}";
                    var message = composer.Compose(EmailTemplates.DeadlineReminder, item.Language, [email], about, new Dictionary<string, string>
                    {
                        ["Link"] = composer.Link("/status/open"),
                    });
                    try
                    {
                        await batch.SendAsync(message, cancellationToken);
                    }
                    catch (EmailDeliveryException exception) when (exception.RecipientRefused)
                    {
                        refused.Add((item.ReminderId, exception));
                        done.Add(item.ReminderId);
                        continue;
                    }

                    sent++;
                }

                // A case that chose email but holds no address has nothing to be sent: done all the same.
                await MarkSentAsync(deadline, stage, item, audited: !string.IsNullOrWhiteSpace(email));
                done.Add(item.ReminderId);
            }
        }
        catch
        {
            // Let the retry send the rest at once instead of waiting for the claims to time out.
            var unsent = claimed.Select(c => c.ReminderId).Where(id => !done.Contains(id)).ToList();
            await db.DeadlineReminders.Where(r => unsent.Contains(r.Id) && r.SentAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.ClaimedAt, (DateTime?)null), CancellationToken.None);
            throw;
        }

        if (sent > 0)
        {
            logger.LogInformation("Sent {Emails} reminder(s) of deadline {NoticeId}, {Days} day(s) before.", sent, deadline.Id, stage);
        }

        return sent;
    }

    /// <summary>The mark and its audit entry, in one transaction; not cancelled, since the email has gone.</summary>
    private Task MarkSentAsync(Notice deadline, int stage, Claimed item, bool audited) =>
        db.InTransactionAsync(async token =>
        {
            var at = clock.GetUtcNow().UtcDateTime;
            await db.DeadlineReminders.Where(r => r.Id == item.ReminderId && r.SentAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.SentAt, at), token);
            if (audited)
            {
                await audit.AppendAsync(Actor.Automatic.Event(AuditActions.DeadlineReminderSent, item.CaseId, deadline.Id.ToString(), stage.ToString(CultureInfo.InvariantCulture)), token);
            }
        }, CancellationToken.None);
}
