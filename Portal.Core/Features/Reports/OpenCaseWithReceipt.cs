using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Reports;

public sealed record OpenCaseWithReceipt(string? Reference, string? ReceiptKey);

/// <summary>
/// An opened case: what the case session names (docs/decisions/0005). A case whose content
/// retention removed opens no session: the victim is told what happened to it instead.
/// </summary>
public sealed record CaseSessionTicket(Guid CaseId, int Generation, DateTime? RetainedAt = null);

/// <summary>
/// Checks a reference and receipt key pair. Every failure looks the same to the caller, and an
/// unknown reference costs the same hash as a known one, so nothing tells whether a case exists.
/// A successful opening is audited (by case, never by address) and marks the key as seen, so
/// it is never re-issued; the first key used is the one kept, any other a resend left valid
/// stops working, and a receipt page still kept for showing again is no longer needed.
/// </summary>
public sealed class OpenCaseWithReceiptHandler(PortalDbContext db, ReceiptHasher receipts, AuditTrail audit, TimeProvider clock)
{
    public async Task<CaseSessionTicket?> HandleAsync(OpenCaseWithReceipt request, CancellationToken cancellationToken)
    {
        var referenceValid = CaseReference.TryNormalize(request.Reference, out var reference);
        var keyValid = Reports.ReceiptKey.TryNormalize(request.ReceiptKey, out var key);
        if (!referenceValid || !keyValid)
        {
            return null;
        }

        var stored = await db.Cases.AsNoTracking()
            .Where(c => c.Reference == reference)
            .Select(c => new { c.Id, c.ReceiptHash, c.EarlierReceiptHashes, c.SessionGeneration, c.RetainedAt })
            .FirstOrDefaultAsync(cancellationToken);

        var matched = receipts.Match(reference, key, stored?.ReceiptHash ?? new byte[32], stored?.EarlierReceiptHashes);
        if (matched is null || stored is null)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.InTransactionAsync(async token =>
        {
            // The key used first is the one the victim holds: from now on only it opens the case.
            await db.Cases.Where(c => c.Id == stored.Id && c.ReceiptFirstUsedAt == null)
                .ExecuteUpdateAsync(c => c
                    .SetProperty(x => x.ReceiptFirstUsedAt, now)
                    .SetProperty(x => x.ReceiptHash, matched)
                    .SetProperty(x => x.EarlierReceiptHashes, (byte[]?)null), token);
            await db.ShownReceipts.Where(r => r.CaseId == stored.Id).ExecuteDeleteAsync(token);
            await audit.AppendAsync(AuditEvent.Victim(AuditActions.CaseOpenedWithReceipt, stored.Id), token);
        }, cancellationToken);
        return new CaseSessionTicket(stored.Id, stored.SessionGeneration, stored.RetainedAt);
    }
}
