using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Campaigns;

/// <summary>
/// Reads what the clustering rules match on: the payment and sender addresses victims typed on
/// the form and the indicators found in their evidence, normalised so that equal things are equal.
/// </summary>
public static class CampaignKeys
{
    private static readonly IndicatorKind[] Kinds = [IndicatorKind.BitcoinAddress, IndicatorKind.SenderAddress, IndicatorKind.DomainSubject];

    /// <summary>Keys of every case, streamed: only short strings are held.</summary>
    public static async Task<List<CaseKey>> LoadAllAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var keys = await LoadIndicatorsAsync(db, null, cancellationToken);
        var cases = db.Cases.AsNoTracking().Where(c => c.PaymentAddress != null || c.SenderAddress != null)
            .Select(c => new { c.Id, c.PaymentAddress, c.SenderAddress });
        await foreach (var c in cases.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            keys.AddRange(OfCase(c.Id, c.PaymentAddress, c.SenderAddress));
        }

        return keys;
    }

    /// <summary>Keys from the indicators found in the given cases' evidence (all cases when null).</summary>
    public static async Task<List<CaseKey>> LoadIndicatorsAsync(PortalDbContext db, IQueryable<Guid>? caseIds, CancellationToken cancellationToken)
    {
        var indicators = db.CaseIndicators.AsNoTracking().Where(i => Kinds.Contains(i.Kind));
        if (caseIds is not null)
        {
            indicators = indicators.Where(i => caseIds.Contains(i.CaseId));
        }

        var keys = new List<CaseKey>();
        await foreach (var i in indicators.Select(i => new { i.CaseId, i.Kind, i.Value }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            keys.Add(i.Kind switch
            {
                IndicatorKind.BitcoinAddress => new CaseKey(i.CaseId, CampaignRule.PaymentAddress, NormalisePayment(i.Value)),
                IndicatorKind.SenderAddress => new CaseKey(i.CaseId, CampaignRule.SenderAddress, NormaliseAddress(i.Value)),
                _ => new CaseKey(i.CaseId, CampaignRule.DomainSubject, i.Value),
            });
        }

        return keys;
    }

    /// <summary>Keys from what the victim typed on the form.</summary>
    public static IEnumerable<CaseKey> OfCase(Guid caseId, string? paymentAddress, string? senderAddress)
    {
        if (paymentAddress is not null)
        {
            yield return new CaseKey(caseId, CampaignRule.PaymentAddress, NormalisePayment(paymentAddress));
        }

        if (senderAddress is not null)
        {
            yield return new CaseKey(caseId, CampaignRule.SenderAddress, NormaliseAddress(senderAddress));
        }
    }

    /// <summary>Bech32 addresses (bc1...) are case-insensitive and written lower-case; Base58 ones are case-sensitive.</summary>
    public static string NormalisePayment(string value)
    {
        var trimmed = value.Trim();
        return trimmed.StartsWith("bc1", StringComparison.OrdinalIgnoreCase) ? trimmed.ToLowerInvariant() : trimmed;
    }

    public static string NormaliseAddress(string value) => value.Trim().ToLowerInvariant();
}
