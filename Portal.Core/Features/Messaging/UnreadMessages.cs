using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Messaging;

public sealed record UnreadConversation(Guid CaseId, string Reference, CaseStatus Status, CasePriority Priority, string? ClaimedById, int Unread, DateTime OldestUnreadAt);

/// <summary>
/// Cases whose victim wrote something no one has read yet, oldest waiting first. The queue shows
/// only open cases; a victim can also answer after the case was referred or closed, and that
/// reply must not go unseen.
/// </summary>
public sealed class UnreadMessagesHandler(PortalDbContext db)
{
    public async Task<IReadOnlyList<UnreadConversation>> HandleAsync(int take, CancellationToken cancellationToken)
    {
        var unread = await db.CaseMessages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.FromVictim && m.ReadAt == null)
            .GroupBy(m => m.CaseId)
            .Select(g => new { CaseId = g.Key, Unread = g.Count(), Oldest = g.Min(m => m.SentAt) })
            .OrderBy(g => g.Oldest)
            .Take(take)
            .ToListAsync(cancellationToken);
        var ids = unread.Select(u => u.CaseId).ToList();
        var cases = await db.Cases.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Reference, c.Status, c.Priority, c.ClaimedById })
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        return unread
            .Select(u => (Unread: u, Case: cases[u.CaseId]))
            .Select(x => new UnreadConversation(x.Case.Id, x.Case.Reference, x.Case.Status, x.Case.Priority, x.Case.ClaimedById, x.Unread.Unread, x.Unread.Oldest))
            .ToList();
    }
}
