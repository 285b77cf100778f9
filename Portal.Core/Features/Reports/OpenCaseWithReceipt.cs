using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Reports;

public sealed record OpenCaseWithReceipt(string? Reference, string? ReceiptKey);

/// <summary>
/// Checks a reference and receipt key pair. Every failure looks the same to the caller, and an
/// unknown reference costs the same hash as a known one, so nothing tells whether a case exists.
/// </summary>
public sealed class OpenCaseWithReceiptHandler(PortalDbContext db, ReceiptHasher receipts)
{
    public async Task<Guid?> HandleAsync(OpenCaseWithReceipt request, CancellationToken cancellationToken)
    {
        var referenceValid = CaseReference.TryNormalize(request.Reference, out var reference);
        var keyValid = Reports.ReceiptKey.TryNormalize(request.ReceiptKey, out var key);
        if (!referenceValid || !keyValid)
        {
            return null;
        }

        var stored = await db.Cases.AsNoTracking()
            .Where(c => c.Reference == reference)
            .Select(c => new { c.Id, c.ReceiptHash })
            .FirstOrDefaultAsync(cancellationToken);

        var matches = receipts.Verify(reference, key, stored?.ReceiptHash ?? new byte[32]);
        return matches && stored is not null ? stored.Id : null;
    }
}
