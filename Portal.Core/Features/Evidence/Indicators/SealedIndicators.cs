using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Campaigns;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>An indicator as staff, police and the victim's suggestions see it: its value opened from the envelope.</summary>
public sealed record OpenedIndicator(IndicatorKind Kind, string Value, string? Detail);

/// <summary>
/// How indicator values are kept (docs/decisions/0027). A link in an extortion email may carry a
/// patient id, an address may be the victim's own, so the normalised value is stored only sealed
/// with the envelope. Beside it goes a keyed hash (HMAC-SHA-256 under the "indicator-mac" secret,
/// which lives in the key directory, never in the database): equal values have equal hashes, so
/// duplicates within a case and campaigns across cases are still found by equality, while the
/// database alone neither shows a value nor lets anyone test a guessed one against it.
/// <para>
/// The hash covers an equality class and the value, so that a payment address typed on the form
/// and one found in an email compare equal (class "payment"), as do a sender address and an
/// address found in the text (class "address"), while an amount never equals a deadline.
/// </para>
/// </summary>
public sealed class SealedIndicators(IKeySource keys, EnvelopeCipher cipher)
{
    public const string SecretName = SubjectFingerprint.SecretName;

    /// <summary>Longer values are cut: a link stuffed with parameters must not grow a row without bound.</summary>
    public const int MaxValueLength = 512;

    /// <summary>The form in which equal things are equal; the same rules campaigns apply to what victims type.</summary>
    public static string Normalise(IndicatorKind kind, string value)
    {
        var normalised = kind switch
        {
            IndicatorKind.BitcoinAddress => CampaignKeys.NormalisePayment(value),
            IndicatorKind.EmailAddress or IndicatorKind.SenderAddress => CampaignKeys.NormaliseAddress(value),
            _ => value,
        };
        return normalised.Length <= MaxValueLength ? normalised : normalised[..MaxValueLength];
    }

    public static string EqualityClass(IndicatorKind kind) => kind switch
    {
        IndicatorKind.BitcoinAddress => "payment",
        IndicatorKind.EmailAddress or IndicatorKind.SenderAddress => "address",
        IndicatorKind.Url => "url",
        IndicatorKind.Domain => "domain",
        IndicatorKind.Amount => "amount",
        IndicatorKind.Deadline => "deadline",
        IndicatorKind.DomainSubject => "domain-subject",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The keyed hash of an already normalised value of this kind.</summary>
    public byte[] Mac(IndicatorKind kind, string normalised) => Mac(EqualityClass(kind), normalised);

    /// <summary>The keyed hash of a value in a named class of values (e.g. "message-id").</summary>
    public byte[] Mac(string equalityClass, string value)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, keys.GetSecret(SecretName));
        hmac.AppendData(Encoding.UTF8.GetBytes(equalityClass));
        hmac.AppendData([0]);
        hmac.AppendData(Encoding.UTF8.GetBytes(value));
        return hmac.GetHashAndReset();
    }

    /// <summary>A row for a value found in a case's evidence, normalised, sealed and hashed.</summary>
    public CaseIndicator New(Guid caseId, Guid? evidenceFileId, IndicatorKind kind, string normalised, byte[] mac, string? detail, DateTime foundAt) => new()
    {
        CaseId = caseId,
        EvidenceFileId = evidenceFileId,
        Kind = kind,
        ValueEnvelope = cipher.SealString(normalised),
        ValueMac = mac,
        Detail = detail is { Length: > 128 } ? detail[..128] : detail,
        FoundAt = foundAt,
    };

    public string Open(byte[] envelope) => cipher.OpenString(envelope);

    /// <summary>A case's indicators, opened, by kind and in the order found.</summary>
    public async Task<IReadOnlyList<OpenedIndicator>> OfCaseAsync(PortalDbContext db, Guid caseId, CancellationToken cancellationToken) =>
        await OpenAsync(db.CaseIndicators.AsNoTracking().Where(i => i.CaseId == caseId).OrderBy(i => i.Kind).ThenBy(i => i.Id), cancellationToken);

    /// <summary>The indicators of one file of the given kinds, opened, in the order found.</summary>
    public async Task<IReadOnlyList<OpenedIndicator>> OfFileAsync(PortalDbContext db, Guid evidenceFileId, IReadOnlyCollection<IndicatorKind> kinds, CancellationToken cancellationToken) =>
        await OpenAsync(db.CaseIndicators.AsNoTracking().Where(i => i.EvidenceFileId == evidenceFileId && kinds.Contains(i.Kind)).OrderBy(i => i.Id), cancellationToken);

    private async Task<IReadOnlyList<OpenedIndicator>> OpenAsync(IQueryable<CaseIndicator> query, CancellationToken cancellationToken) =>
        (await query.Select(i => new { i.Kind, i.ValueEnvelope, i.Detail }).ToListAsync(cancellationToken))
            .Select(i => new OpenedIndicator(i.Kind, Open(i.ValueEnvelope), i.Detail))
            .ToList();
}
