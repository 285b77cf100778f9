using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Evidence.Email;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Evidence;

/// <summary>
/// What the email reader found, as stored (sealed) with the evidence and shown to staff. The
/// recipients are the victim's own addresses: kept here for police, never made indicators.
/// </summary>
public sealed record EmailSummary(
    EmailAddress? From,
    IReadOnlyList<EmailAddress> ReplyTo,
    string? ReturnPath,
    IReadOnlyList<EmailAddress> To,
    string? Subject,
    DateTimeOffset? Date,
    string? MessageId,
    IReadOnlyList<ReceivedHop> Received,
    IReadOnlyList<string> AuthenticationResults,
    IReadOnlyList<string> DkimDomains,
    string? OriginatingIp,
    IReadOnlyList<EmailAttachment> Attachments,
    IReadOnlyList<string> Warnings)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static EmailSummary Of(ParsedEmail email) => new(
        email.From, email.ReplyTo, email.ReturnPath, email.To, email.Subject, email.Date, email.MessageId, email.Received,
        email.AuthenticationResults, email.DkimDomains, email.OriginatingIp, email.Attachments, email.Warnings);

    public static EmailSummary? Open(EnvelopeCipher cipher, byte[]? envelope) =>
        envelope is null ? null : JsonSerializer.Deserialize<EmailSummary>(cipher.Open(envelope), Json);
}

/// <summary>
/// Reads a stored email or text file for what the extortionist left in it: the parsed headers
/// (sealed with the evidence) and indicators (per case, normalised). Runs after the file is
/// safely stored, so a parser problem can never cost the victim the file itself.
/// </summary>
public sealed class AnalyseEvidenceHandler(PortalDbContext db, IEvidenceStore store, EnvelopeCipher cipher, SubjectFingerprint subjects, TimeProvider clock)
{
    /// <summary>Emails and texts larger than this are stored but not read for indicators.</summary>
    public const long MaxAnalysedBytes = 25L * 1024 * 1024;

    public async Task<int> HandleAsync(Guid evidenceId, CancellationToken cancellationToken)
    {
        var row = await db.EvidenceFiles.FirstOrDefaultAsync(e => e.Id == evidenceId, cancellationToken);
        if (row is null || row.Kind is not (EvidenceKind.Email or EvidenceKind.Text) || row.Size > MaxAnalysedBytes)
        {
            return 0;
        }

        using var plaintext = new MemoryStream((int)row.Size);
        await using (var envelope = store.OpenRead(row.Id))
        {
            await cipher.DecryptAsync(envelope, plaintext, cancellationToken);
        }

        var bytes = plaintext.GetBuffer().AsSpan(0, (int)plaintext.Length).ToArray();
        var email = row.Kind == EvidenceKind.Email ? EmailReader.Read(bytes) : null;
        var own = await OwnAddressesAsync(row.CaseId, email, cancellationToken);
        List<Indicator> found;
        if (email is not null)
        {
            row.ParsedEnvelope = cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(EmailSummary.Of(email), EmailSummary.Json));
            found = [.. EmailIndicators.Of(email), .. SenderIndicators(email, own)];
        }
        else
        {
            // A text file is the victim's own writing as often as the extortionist's: keep only
            // what cannot identify anyone else (payment address, amount, deadline).
            found = [.. IndicatorExtractor.Extract(Encoding.UTF8.GetString(bytes))
                .Where(i => i.Kind is IndicatorKind.BitcoinAddress or IndicatorKind.Amount or IndicatorKind.Deadline)];
        }

        var known = (await db.CaseIndicators.Where(i => i.CaseId == row.CaseId).Select(i => new { i.Kind, i.Value }).ToListAsync(cancellationToken))
            .Select(i => (i.Kind, i.Value)).ToHashSet();
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        foreach (var indicator in found)
        {
            var value = indicator.Value.Length <= 512 ? indicator.Value : indicator.Value[..512];
            if (IsOwn(indicator, own) || !known.Add((indicator.Kind, value)))
            {
                continue;
            }

            db.CaseIndicators.Add(new CaseIndicator
            {
                CaseId = row.CaseId,
                EvidenceFileId = row.Id,
                Kind = indicator.Kind,
                Value = value,
                Detail = indicator.Detail is { Length: > 128 } detail ? detail[..128] : indicator.Detail,
                FoundAt = now,
            });
            added++;
        }

        await db.SaveChangesAsync(cancellationToken);
        return added;
    }

    /// <summary>The victim's own addresses (recipients, chosen contact address): never indicators of a campaign.</summary>
    private async Task<HashSet<string>> OwnAddressesAsync(Guid caseId, ParsedEmail? email, CancellationToken cancellationToken)
    {
        var own = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (email is not null)
        {
            own.UnionWith(email.To.Concat(email.Cc).Select(a => a.Address));
        }

        var contact = await db.Cases.Where(c => c.Id == caseId).Select(c => c.ContactEnvelope).FirstOrDefaultAsync(cancellationToken);
        if (ContactDetails.Open(cipher, contact)?.Email is { } contactEmail)
        {
            own.Add(contactEmail);
        }

        return own;
    }

    private static bool IsOwn(Indicator indicator, HashSet<string> own) =>
        indicator.Kind is IndicatorKind.EmailAddress or IndicatorKind.SenderAddress && own.Contains(indicator.Value);

    /// <summary>
    /// What the campaign rules match on: the From and Reply-To addresses, and the sending domain
    /// with a fingerprint of the subject. A message the victim forwarded from their own address
    /// says nothing about the sender.
    /// </summary>
    private List<Indicator> SenderIndicators(ParsedEmail email, HashSet<string> own)
    {
        var found = new List<Indicator>();
        var from = email.From?.Address.Trim().ToLowerInvariant();
        if (from is not null && !own.Contains(from))
        {
            found.Add(new Indicator(IndicatorKind.SenderAddress, from, "from"));
            var host = from[(from.LastIndexOf('@') + 1)..];
            if (HostName.IsValid(host) && subjects.DomainSubject(HostName.ToDomain(host), email.Subject) is { } domainSubject)
            {
                found.Add(new Indicator(IndicatorKind.DomainSubject, domainSubject, null));
            }
        }

        foreach (var replyTo in email.ReplyTo.Select(r => r.Address.Trim().ToLowerInvariant()).Where(a => a.Contains('@', StringComparison.Ordinal) && !own.Contains(a)))
        {
            found.Add(new Indicator(IndicatorKind.SenderAddress, replyTo, "reply-to"));
        }

        return found;
    }
}

/// <summary>Indicators of one parsed email, shared by the evidence analysis and the inspect-email verb.</summary>
public static class EmailIndicators
{
    /// <summary>The sender's side of the message first (From, Reply-To, Return-Path), then everything in the text.</summary>
    public static IReadOnlyList<Indicator> Of(ParsedEmail email)
    {
        var senders = new List<string>();
        if (email.From is not null)
        {
            senders.Add(email.From.Address);
        }

        senders.AddRange(email.ReplyTo.Select(r => r.Address));
        if (email.ReturnPath is { Length: > 0 } returnPath)
        {
            senders.Add(returnPath);
        }

        var text = string.Join('\n', senders) + "\n" + email.Subject + "\n" + email.TextBody;
        return IndicatorExtractor.Extract(text);
    }
}
