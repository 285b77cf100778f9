using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Reports;

/// <summary>
/// Receipt copies (docs/decisions/0028) and report drafts are kept for a set time. Reading one
/// checks its time, and the next report or draft deletes what has run out. This sweep, run with
/// the cleanup job, deletes them by the clock as well, so a quiet night leaves no sealed key or
/// half-written report in the database beyond its time.
/// </summary>
public sealed class ForgetExpiredCopiesHandler(PortalDbContext db, TimeProvider clock)
{
    public Task<(int Receipts, int Drafts)> HandleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.InTransactionAsync(async token =>
        {
            var receipts = await db.ShownReceipts.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(token);
            var drafts = await db.ReportDrafts.Where(d => d.ExpiresAt <= now).ExecuteDeleteAsync(token);
            return (receipts, drafts);
        }, cancellationToken);
    }
}
