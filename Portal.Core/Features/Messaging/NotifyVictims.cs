using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Messaging;

/// <summary>
/// Tells victims who chose email contact that there is an update (a message from their volunteer,
/// or a file that arrived by forwarding): the email says only that, with a link to the receipt
/// page; never the message, the file, the reference or anything from the case.
/// Sent before it is marked, so a crash in between repeats the email rather than losing it (with
/// the same Message-ID); the mark and the audit entry then commit together, the entry only when
/// this run's mark changed the row: a second run that read the same pending row before the first
/// marked it (two runs at once) records nothing more. Only the notification job calls this, one
/// run at a time; use cases leave the rows and nudge it. A failed send throws
/// and leaves the message pending for the next attempt. One connection serves the whole run.
/// An address the mail server refuses (RCPT TO) stops only its own email: the run sends the rest,
/// then throws, so that email is retried and, if it never goes, shows as the job's failure. Ended
/// at the refusal, every retry would meet the same address first and no victim would be told anything.
/// </summary>
public sealed class NotifyVictimsHandler(PortalDbContext db, EnvelopeCipher cipher, EmailComposer composer, IEmailSender sender, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Sends what is pending for one case, or for every case when <paramref name="caseId"/> is null; returns the emails sent.</summary>
    public async Task<int> HandleAsync(Guid? caseId, CancellationToken cancellationToken)
    {
        var pending = await (
            from m in db.CaseMessages.Where(m => m.NotificationPending)
            join c in db.Cases on m.CaseId equals c.Id
            where caseId == null || m.CaseId == caseId
            orderby m.Id
            select new { MessageId = m.Id, m.CaseId, c.Language, c.ContactEnvelope })
            .Take(100)
            .ToListAsync(cancellationToken);

        var sent = 0;
        var refused = new List<EmailDeliveryException>();
        await using var batch = sender.StartBatch();
        foreach (var item in pending)
        {
            var email = ContactDetails.Open(cipher, item.ContactEnvelope)?.Email;
            if (!string.IsNullOrWhiteSpace(email))
            {
                var message = composer.Compose(EmailTemplates.VictimUpdate, item.Language, [email], about: item.MessageId.ToString(CultureInfo.InvariantCulture), new Dictionary<string, string>
                {
                    ["Link"] = composer.Link(PortalRoutes.StatusOpen),
                });
                if (!await TrySendAsync(batch, message, refused, cancellationToken))
                {
                    continue;
                }

                sent++;
            }

            // The mark and the entry saying an email went commit together; not cancelled once
            // the email has gone, so it is not sent again for nothing.
            var notified = !string.IsNullOrWhiteSpace(email);
            await db.InTransactionAsync(async token =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var marked = await db.CaseMessages
                    .Where(m => m.Id == item.MessageId && m.NotificationPending)
                    .ExecuteUpdateAsync(m => m.SetProperty(x => x.NotificationPending, false).SetProperty(x => x.NotifiedAt, now), token);
                if (notified && marked > 0)
                {
                    await audit.AppendAsync(Actor.Automatic.Event(AuditActions.VictimNotified, item.CaseId, item.MessageId.ToString(CultureInfo.InvariantCulture)), token);
                }
            }, CancellationToken.None);
        }

        sent += await NotifyForwardedEvidenceAsync(batch, caseId, refused, cancellationToken);
        if (refused.Count > 0)
        {
            // Sent what could go; the refused stay pending for the retry.
            throw new EmailDeliveryException(
                $"The mail server refused the address of {refused.Count} update email(s); {sent} other(s) were sent.", refused[0].SmtpStatus, refused[0], recipientRefused: true);
        }

        return sent;
    }

    /// <summary>Sends, or notes a refused recipient and answers false; any other failure (the server down) ends the run.</summary>
    private static async Task<bool> TrySendAsync(IEmailBatch batch, EmailMessage message, List<EmailDeliveryException> refused, CancellationToken cancellationToken)
    {
        try
        {
            await batch.SendAsync(message, cancellationToken);
            return true;
        }
        catch (EmailDeliveryException exception) when (exception.RecipientRefused)
        {
            refused.Add(exception);
            return false;
        }
    }

    /// <summary>
    /// Files that arrived by forwarding to the case's address: one "there is an update" email per
    /// case for those that came since the last, about their ids (a resend after a crash is the
    /// same message), then they are marked.
    /// </summary>
    private async Task<int> NotifyForwardedEvidenceAsync(IEmailBatch batch, Guid? caseId, List<EmailDeliveryException> refused, CancellationToken cancellationToken)
    {
        var pending = await (
            from e in db.EvidenceFiles.Where(e => e.NotificationPending)
            join c in db.Cases on e.CaseId equals c.Id
            where caseId == null || e.CaseId == caseId
            orderby e.ReceivedAt, e.Id
            select new { e.Id, e.CaseId, c.Language, c.ContactEnvelope })
            .Take(100)
            .ToListAsync(cancellationToken);

        var sent = 0;
        foreach (var files in pending.GroupBy(f => f.CaseId))
        {
            var first = files.First();
            var ids = files.Select(f => f.Id).Order().ToList();
            var email = ContactDetails.Open(cipher, first.ContactEnvelope)?.Email;
            if (!string.IsNullOrWhiteSpace(email))
            {
                var message = composer.Compose(EmailTemplates.VictimUpdate, first.Language, [email], about: "evidence/" + string.Join(',', ids), new Dictionary<string, string>
                {
                    ["Link"] = composer.Link(PortalRoutes.StatusOpen),
                });
                if (!await TrySendAsync(batch, message, refused, cancellationToken))
                {
                    continue;
                }

                sent++;
            }

            // As for messages: the mark and the entry saying an email went commit together, the
            // entry only when this run marked the files.
            var notified = !string.IsNullOrWhiteSpace(email);
            await db.InTransactionAsync(async token =>
            {
                var marked = await db.EvidenceFiles
                    .Where(e => ids.Contains(e.Id) && e.NotificationPending)
                    .ExecuteUpdateAsync(e => e.SetProperty(x => x.NotificationPending, false), token);
                if (notified && marked > 0)
                {
                    await audit.AppendAsync(Actor.Automatic.Event(AuditActions.VictimNotified, files.Key, "evidence " + ids[0], ids.Count.ToString(CultureInfo.InvariantCulture)), token);
                }
            }, CancellationToken.None);
        }

        return sent;
    }
}
