using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Messaging;

/// <summary>One message as a reader sees it; <see cref="Author"/> is a staff display name, shown to staff only.</summary>
public sealed record MessageView(long Id, MessageDirection Direction, string? Author, string Body, DateTime SentAt, DateTime? ReadAt, bool NotificationPending);

/// <summary>
/// A case's conversation, oldest first, opened from its envelopes. Reading marks what the other
/// side wrote as read, so each side can see whether its messages have been seen.
/// </summary>
public sealed class CaseMessagesHandler(PortalDbContext db, EnvelopeCipher cipher, AuditTrail audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<MessageView>> ForStaffAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var messages = await ReadAsync(caseId, withAuthors: true, cancellationToken);
        await MarkReadAsync(caseId, MessageDirection.FromVictim, cancellationToken);
        return messages;
    }

    public async Task<IReadOnlyList<MessageView>> ForVictimAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var messages = await ReadAsync(caseId, withAuthors: false, cancellationToken);
        await MarkReadAsync(caseId, MessageDirection.ToVictim, cancellationToken);
        return messages;
    }

    /// <summary>
    /// A staff member opens one message, only if it belongs to that case (null otherwise: the caller
    /// answers 404). Recorded as a view of that message, or as a denial.
    /// </summary>
    public async Task<MessageView?> ViewOneForStaffAsync(Guid caseId, long messageId, Actor actor, CancellationToken cancellationToken)
    {
        var found = await OneForStaffAsync(caseId, messageId, cancellationToken);
        var subject = messageId.ToString(CultureInfo.InvariantCulture);
        await audit.AppendAsync(
            found is null
                ? actor.Event(AuditActions.AccessDenied, caseId, subject, "message")
                : actor.Event(AuditActions.MessageViewed, caseId, subject),
            cancellationToken);
        return found;
    }

    private async Task<MessageView?> OneForStaffAsync(Guid caseId, long messageId, CancellationToken cancellationToken)
    {
        var found = await (
            from m in db.CaseMessages.AsNoTracking().Where(m => m.Id == messageId && m.CaseId == caseId)
            join u in db.Users on m.AuthorId equals u.Id into authors
            from u in authors.DefaultIfEmpty()
            select new { Message = m, Author = u == null ? null : u.DisplayName })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : ToView(found.Message, found.Author);
    }

    private async Task<IReadOnlyList<MessageView>> ReadAsync(Guid caseId, bool withAuthors, CancellationToken cancellationToken)
    {
        var rows = await (
            from m in db.CaseMessages.AsNoTracking().Where(m => m.CaseId == caseId)
            join u in db.Users on m.AuthorId equals u.Id into authors
            from u in authors.DefaultIfEmpty()
            orderby m.SentAt, m.Id
            select new { Message = m, Author = u == null ? null : u.DisplayName })
            .ToListAsync(cancellationToken);
        return rows.Select(r => ToView(r.Message, withAuthors ? r.Author : null)).ToList();
    }

    private MessageView ToView(CaseMessage m, string? author) =>
        new(m.Id, m.Direction, author, cipher.OpenString(m.BodyEnvelope), m.SentAt, m.ReadAt, m.NotificationPending);

    private async Task MarkReadAsync(Guid caseId, MessageDirection written, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.CaseMessages
            .Where(m => m.CaseId == caseId && m.Direction == written && m.ReadAt == null)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ReadAt, now), cancellationToken);
    }
}
