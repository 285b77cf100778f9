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

    /// <summary>Keys of the given cases (all cases when null), streamed: only short strings are held.</summary>
    public static async Task<List<CaseKey>> LoadAsync(PortalDbContext db, IQueryable<Guid>? caseIds, CancellationToken cancellationToken)
    {
        var indicators = db.CaseIndicators.AsNoTracking().Where(i => Kinds.Contains(i.Kind));
        var cases = db.Cases.AsNoTracking().Where(c => c.PaymentAddress != null || c.SenderAddress != null);
        if (caseIds is not null)
        {
            indicators = indicators.Where(i => caseIds.Contains(i.CaseId));
            cases = cases.Where(c => caseIds.Contains(c.Id));
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

        await foreach (var c in cases.Select(c => new { c.Id, c.PaymentAddress, c.SenderAddress }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (c.PaymentAddress is { } payment)
            {
                keys.Add(new CaseKey(c.Id, CampaignRule.PaymentAddress, NormalisePayment(payment)));
            }

            if (c.SenderAddress is { } sender)
            {
                keys.Add(new CaseKey(c.Id, CampaignRule.SenderAddress, NormaliseAddress(sender)));
            }
        }

        return keys;
    }

    /// <summary>Bech32 addresses (bc1...) are case-insensitive and written lower-case; Base58 ones are case-sensitive.</summary>
    public static string NormalisePayment(string value)
    {
        var trimmed = value.Trim();
        return trimmed.StartsWith("bc1", StringComparison.OrdinalIgnoreCase) ? trimmed.ToLowerInvariant() : trimmed;
    }

    public static string NormaliseAddress(string value) => value.Trim().ToLowerInvariant();
}
