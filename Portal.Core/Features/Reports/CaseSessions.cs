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
/// already ended (another tab) records nothing. Quick exit also deletes a report in progress, in
/// the same transaction.
/// </summary>
public sealed class EndCaseSessionHandler(PortalDbContext db, ReportDrafts drafts, AuditTrail audit)
{
    public Task HandleAsync(CaseSessionTicket session, CaseSessionEnd how, Actor actor, CancellationToken cancellationToken) =>
        HandleAsync(session, draftToken: null, how, actor, cancellationToken);

    /// <summary>Ends <paramref name="session"/> if there is one, and deletes the draft behind <paramref name="draftToken"/> if there is one.</summary>
    public async Task HandleAsync(CaseSessionTicket? session, string? draftToken, CaseSessionEnd how, Actor actor, CancellationToken cancellationToken)
    {
        if (session is null && string.IsNullOrEmpty(draftToken))
        {
            return;
        }

        await db.InTransactionAsync(async token =>
        {
            await drafts.DiscardAsync(draftToken, token);
            if (session is null)
            {
                return;
            }

            var ended = await db.Cases.Where(c => c.Id == session.CaseId && c.SessionGeneration == session.Generation)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SessionGeneration, c => c.SessionGeneration + 1), token);
            if (ended == 0)
            {
                return;
            }

            await db.ShownReceipts.Where(r => r.CaseId == session.CaseId).ExecuteDeleteAsync(token);
            await audit.AppendAsync(actor.Event(AuditActions.CaseSessionEnded, session.CaseId, detail: how == CaseSessionEnd.QuickExit ? "quick-exit" : "closed"), token);
        }, cancellationToken);
    }
}

/// <summary>Whether a case session's cookie is still good: its case exists and it was issued in the case's current generation.</summary>
public sealed class CaseSessionCheck(PortalDbContext db)
{
    public Task<bool> IsCurrentAsync(CaseSessionTicket session, CancellationToken cancellationToken) =>
        db.Cases.AsNoTracking().AnyAsync(c => c.Id == session.CaseId && c.SessionGeneration == session.Generation, cancellationToken);
}
