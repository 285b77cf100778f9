using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Evidence.Indicators;

namespace Portal.Core.Features.Campaigns;

/// <summary>
/// Reads what the clustering rules match on: the payment and sender addresses victims typed on
/// the form and the indicators found in their evidence, as keyed hashes of their normalised form
/// (<see cref="SealedIndicators"/>), so that equal things are equal without being read. Typed
/// values are checked with <see cref="CampaignClustering.CanJoin"/> here; indicators were checked
/// when they were found.
/// </summary>
public static class CampaignKeys
{
    private static readonly IndicatorKind[] Kinds = [IndicatorKind.BitcoinAddress, IndicatorKind.SenderAddress, IndicatorKind.DomainSubject];

    /// <summary>Keys of every case, streamed: only short hashes are held.</summary>
    public static async Task<List<CaseKey>> LoadAllAsync(PortalDbContext db, SealedIndicators sealing, CancellationToken cancellationToken)
    {
        var keys = await LoadIndicatorsAsync(db, null, sealing, shown: false, cancellationToken);
        var cases = db.Cases.AsNoTracking().Where(c => c.PaymentAddress != null || c.SenderAddress != null)
            .Select(c => new { c.Id, c.PaymentAddress, c.SenderAddress });
        await foreach (var c in cases.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            keys.AddRange(OfCase(c.Id, c.PaymentAddress, c.SenderAddress, sealing, shown: false));
        }

        return keys;
    }

    /// <summary>
    /// Keys from the indicators found in the given cases' evidence (all cases when null); with
    /// <paramref name="shown"/>, each opened from its envelope for a page that lists them.
    /// </summary>
    public static async Task<List<CaseKey>> LoadIndicatorsAsync(PortalDbContext db, IQueryable<Guid>? caseIds, SealedIndicators sealing, bool shown, CancellationToken cancellationToken)
    {
        var indicators = db.CaseIndicators.AsNoTracking().Where(i => Kinds.Contains(i.Kind));
        if (caseIds is not null)
        {
            indicators = indicators.Where(i => caseIds.Contains(i.CaseId));
        }

        var keys = new List<CaseKey>();
        if (shown)
        {
            await foreach (var i in indicators.Select(i => new { i.CaseId, i.Kind, i.ValueMac, i.ValueEnvelope }).AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                keys.Add(new CaseKey(i.CaseId, RuleOf(i.Kind), Key(i.ValueMac), sealing.Open(i.ValueEnvelope)));
            }
        }
        else
        {
            await foreach (var i in indicators.Select(i => new { i.CaseId, i.Kind, i.ValueMac }).AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                keys.Add(new CaseKey(i.CaseId, RuleOf(i.Kind), Key(i.ValueMac)));
            }
        }

        return keys;
    }

    /// <summary>Keys from what the victim typed on the form, for the values that may join cases.</summary>
    public static IEnumerable<CaseKey> OfCase(Guid caseId, string? paymentAddress, string? senderAddress, SealedIndicators sealing, bool shown)
    {
        if (paymentAddress is not null && NormalisePayment(paymentAddress) is var payment && CampaignClustering.CanJoin(CampaignRule.PaymentAddress, payment))
        {
            yield return new CaseKey(caseId, CampaignRule.PaymentAddress, Key(sealing.Mac(IndicatorKind.BitcoinAddress, payment)), shown ? payment : null);
        }

        if (senderAddress is not null && NormaliseAddress(senderAddress) is var sender && CampaignClustering.CanJoin(CampaignRule.SenderAddress, sender))
        {
            yield return new CaseKey(caseId, CampaignRule.SenderAddress, Key(sealing.Mac(IndicatorKind.SenderAddress, sender)), shown ? sender : null);
        }
    }

    /// <summary>Bech32 addresses (bc1...) are case-insensitive and written lower-case; Base58 ones are case-sensitive.</summary>
    public static string NormalisePayment(string value)
    {
        var trimmed = value.Trim();
        return trimmed.StartsWith("bc1", StringComparison.OrdinalIgnoreCase) ? trimmed.ToLowerInvariant() : trimmed;
    }

    public static string NormaliseAddress(string value) => value.Trim().ToLowerInvariant();

    private static CampaignRule RuleOf(IndicatorKind kind) => kind switch
    {
        IndicatorKind.BitcoinAddress => CampaignRule.PaymentAddress,
        IndicatorKind.SenderAddress => CampaignRule.SenderAddress,
        _ => CampaignRule.DomainSubject,
    };

    private static string Key(byte[] mac) => Convert.ToBase64String(mac);
}
