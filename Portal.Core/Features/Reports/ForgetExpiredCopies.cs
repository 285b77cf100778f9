using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Reports;

/// <summary>
/// Receipt copies (docs/decisions/0028) and report drafts are kept for a set time. Reading one
/// checks its time; this sweep, run with the half-hourly cleanup job, is the one place that
/// deletes what has run out, by the clock rather than when the next victim comes, so a quiet night
/// leaves no sealed key or half-written report in the database beyond its time, and no report
/// spends its write lock on it.
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
