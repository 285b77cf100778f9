using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Guidance;

namespace Portal.Core.Features.Reports;

/// <summary>The receipt of a report just filed, as its page shows it.</summary>
public sealed record ReceiptView(string Reference, string ReceiptKey, bool Reissued, bool RiskFlagged, IReadOnlyList<string> Guidance, DateTime ShownUntil, string? ForwardingAddress);

/// <summary>
/// The receipt page again, for the case session that filed the report, while its sealed copy is
/// kept (Reports:ReceiptShownFor; docs/decisions/0028): after a change of language or a reload the
/// key, and the forwarding address made with it, are still on screen. Null once the copy is gone
/// (expired, saved, used, or the session ended).
/// </summary>
public sealed class ShowReceiptHandler(PortalDbContext db, EnvelopeCipher cipher, ReportDrafts drafts, TimeProvider clock)
{
    public async Task<ReceiptView?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await (
            from r in db.ShownReceipts.AsNoTracking()
            join k in db.Cases.AsNoTracking() on r.CaseId equals k.Id
            where r.CaseId == caseId && r.ExpiresAt > now
            select new { r.KeyEnvelope, r.Reissued, r.ExpiresAt, r.ForwardingAddressEnvelope, Case = k }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var c = found.Case;
        return new ReceiptView(c.Reference, cipher.OpenString(found.KeyEnvelope), found.Reissued, c.RiskSelfHarm || c.RiskImmediateDanger, GuidanceRules.Select(GuidanceAnswers.From(c)), found.ExpiresAt,
            found.ForwardingAddressEnvelope is { } address ? cipher.OpenString(address) : null);
    }

    /// <summary>
    /// The victim has saved the key: the copy goes now instead of when it expires, and with it the
    /// answers the report was sent from (<paramref name="draftToken"/>), in one transaction.
    /// </summary>
    public async Task ForgetAsync(Guid? caseId, string? draftToken, CancellationToken cancellationToken)
    {
        if (caseId is null && string.IsNullOrEmpty(draftToken))
        {
            return;
        }

        await db.InTransactionAsync(async token =>
        {
            if (caseId is { } id)
            {
                await db.ShownReceipts.Where(r => r.CaseId == id).ExecuteDeleteAsync(token);
            }

            await drafts.DiscardAsync(draftToken, token);
        }, cancellationToken);
    }
}
