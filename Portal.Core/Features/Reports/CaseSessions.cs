using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Reports;

/// <summary>How a victim's case session ended.</summary>
public enum CaseSessionEnd
{
    /// <summary>"Close my case page".</summary>
    Closed,

    /// <summary>The quick exit button (or Escape twice).</summary>
    QuickExit,
}

/// <summary>
/// Ends a victim's case session on the server: the case's session generation moves on, so the
/// cookie (and any copy of it, on any device) stops working on its next request, and a receipt
/// still kept for showing again is deleted. Audited by case, with how it ended; a session that had
/// already ended (another tab) records nothing. In the same transaction, quick exit deletes a
/// report in progress, and closing the case page deletes the answers of a report already sent
/// (a resend of them would give whoever uses the browser next a new key to the case).
/// </summary>
public sealed class EndCaseSessionHandler(PortalDbContext db, ReportDrafts drafts, AuditTrail audit)
{
    /// <summary>
    /// Ends <paramref name="session"/> if there is one, and deletes the draft behind
    /// <paramref name="draftToken"/> as <paramref name="how"/> says; true when a draft was deleted
    /// (its cookie can go too).
    /// </summary>
    public async Task<bool> HandleAsync(CaseSessionTicket? session, string? draftToken, CaseSessionEnd how, Actor actor, CancellationToken cancellationToken)
    {
        if (session is null && string.IsNullOrEmpty(draftToken))
        {
            return false;
        }

        return await db.InTransactionAsync(async token =>
        {
            var draftDeleted = how == CaseSessionEnd.QuickExit
                ? await drafts.DiscardAsync(draftToken, token)
                : await drafts.DiscardSentAsync(draftToken, token);
            if (session is null)
            {
                return draftDeleted;
            }

            var ended = await db.Cases.Where(c => c.Id == session.CaseId && c.SessionGeneration == session.Generation)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SessionGeneration, c => c.SessionGeneration + 1), token);
            if (ended == 0)
            {
                return draftDeleted;
            }

            await db.ShownReceipts.Where(r => r.CaseId == session.CaseId).ExecuteDeleteAsync(token);
            await audit.AppendAsync(actor.Event(AuditActions.CaseSessionEnded, session.CaseId, detail: how == CaseSessionEnd.QuickExit ? "quick-exit" : "closed"), token);
            return draftDeleted;
        }, cancellationToken);
    }
}

/// <summary>Whether a case session's cookie is still good: its case exists and it was issued in the case's current generation.</summary>
public sealed class CaseSessionCheck(PortalDbContext db)
{
    public Task<bool> IsCurrentAsync(CaseSessionTicket session, CancellationToken cancellationToken) =>
        db.Cases.AsNoTracking().AnyAsync(c => c.Id == session.CaseId && c.SessionGeneration == session.Generation, cancellationToken);
}
