using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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

/// <summary>How one run of the analysis ended.</summary>
public enum AnalysisOutcome
{
    /// <summary>No such file, not a kind that is read, or already read.</summary>
    Nothing,
    Done,
    Partial,

    /// <summary>The file used up its attempts (it may be what killed the earlier runs): kept, not read.</summary>
    Failed,
}

/// <summary>
/// Reads a stored email (.eml or Outlook .msg) or text file for what the extortionist left in it: the parsed headers
/// (sealed with the evidence) and indicators (per case, normalised). Follow-up work of the
/// upload, run by the job engine, never inside the request. Bounded: a file over the size budget
/// is not read, the scanned text and the indicators per file and per case are capped, and
/// a run that passes its time budget skips what is left; each ends the file "partly read" with
/// the reason noted. The attempt is counted (and committed) before reading, so a file that
/// crashes the process is given up after a few runs instead of read forever.
/// </summary>
public sealed class AnalyseEvidenceHandler(PortalDbContext db, IEvidenceStore store, EnvelopeCipher cipher, SubjectFingerprint subjects, SealedIndicators indicators, IOptions<EvidenceOptions> options, TimeProvider clock)
{
    /// <summary>Shown first among the reader's warnings for an email forwarded inline.</summary>
    public const string ForwardedInlineWarning = "Forwarded inline: the original headers are missing. Sender, date and route are those of the forwarding message.";

    public static bool IsRead(EvidenceKind kind) => kind is EvidenceKind.Email or EvidenceKind.OutlookMessage or EvidenceKind.Text;

    /// <summary>Files still waiting to be read, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> PendingAsync(int limit, CancellationToken cancellationToken) =>
        await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.AnalysisState == AnalysisState.Pending)
            .OrderBy(e => e.ReceivedAt)
            .Select(e => e.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);

    public async Task<AnalysisOutcome> HandleAsync(Guid evidenceId, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var started = clock.GetTimestamp();

        // Claim the run: counted before reading, in a transaction of its own.
        var claimed = await db.EvidenceFiles
            .Where(e => e.Id == evidenceId && e.AnalysisState == AnalysisState.Pending)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.AnalysisAttempts, x => x.AnalysisAttempts + 1), cancellationToken);
        var row = claimed == 0 ? null : await db.EvidenceFiles.FirstOrDefaultAsync(e => e.Id == evidenceId, cancellationToken);
        if (row is null)
        {
            return AnalysisOutcome.Nothing;
        }

        CrashPoint.Reach(CrashPoint.AnalysisStarted);

        if (row.AnalysisAttempts > limits.MaxAnalysisAttempts)
        {
            row.AnalysisState = AnalysisState.Failed;
            row.AnalysisNote = "attempts";
            await db.SaveChangesAsync(cancellationToken);
            return AnalysisOutcome.Failed;
        }

        if (!IsRead(row.Kind) || row.Size > limits.MaxAnalysedBytes)
        {
            row.AnalysisState = IsRead(row.Kind) ? AnalysisState.Partial : AnalysisState.NotApplicable;
            row.AnalysisNote = IsRead(row.Kind) ? "size" : null;
            await db.SaveChangesAsync(cancellationToken);
            return IsRead(row.Kind) ? AnalysisOutcome.Partial : AnalysisOutcome.Nothing;
        }

        using var plaintext = new MemoryStream((int)row.Size);
        await using (var envelope = store.OpenRead(row.Id))
        {
            await cipher.DecryptAsync(envelope, plaintext, cancellationToken);
        }

        var bytes = plaintext.GetBuffer().AsSpan(0, (int)plaintext.Length).ToArray();
        var notes = new List<string>();
        var email = row.Kind switch
        {
            EvidenceKind.Email => EmailReader.Read(bytes),

            // Read as the internet message it stands for; the stored .msg stays as it came.
            EvidenceKind.OutlookMessage => OutlookMessageReader.Read(bytes),
            _ => null,
        };
        if (email?.Warnings is [var first, ..] && row.Kind == EvidenceKind.OutlookMessage && first.StartsWith(OutlookMessageReader.Unreadable, StringComparison.Ordinal))
        {
            notes.Add("unreadable");
        }

        var own = await OwnAddressesAsync(row, email, cancellationToken);
        var found = new List<Indicator>();
        if (email is not null)
        {
            var summary = EmailSummary.Of(email);
            if (row.Source == EvidenceSource.ForwardedInline)
            {
                summary = summary with { Warnings = [ForwardedInlineWarning, .. summary.Warnings] };
            }

            row.ParsedEnvelope = cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(summary, EmailSummary.Json));
            if (row.MessageIdMac is null && email.MessageId is { Length: <= 998 } messageId)
            {
                // So that the same email forwarded later is recognised as already here.
                row.MessageIdMac = indicators.Mac("message-id", messageId);
            }

            found.AddRange(SenderIndicators(email, own));
        }

        if (clock.GetElapsedTime(started) > limits.AnalysisTimeBudget)
        {
            notes.Add("time");
        }
        else
        {
            var text = email is not null ? EmailIndicators.Text(email) : Encoding.UTF8.GetString(bytes);
            if (text.Length > limits.MaxScannedCharacters)
            {
                text = text[..limits.MaxScannedCharacters];
                notes.Add("text");
            }

            var extracted = IndicatorExtractor.Extract(text);

            // A text file is the victim's own writing as often as the extortionist's: keep only
            // what cannot identify anyone else (payment address, amount, deadline).
            found.AddRange(email is not null
                ? extracted
                : extracted.Where(i => i.Kind is IndicatorKind.BitcoinAddress or IndicatorKind.Amount or IndicatorKind.Deadline));
            if (clock.GetElapsedTime(started) > limits.AnalysisTimeBudget)
            {
                notes.Add("time");
            }
        }

        // Compared by their keyed hashes: the values themselves are only ever stored sealed.
        var known = (await db.CaseIndicators.Where(i => i.CaseId == row.CaseId).Select(i => new { i.Kind, i.ValueMac }).ToListAsync(cancellationToken))
            .Select(i => (i.Kind, Convert.ToBase64String(i.ValueMac))).ToHashSet();
        var roomInCase = Math.Max(0, limits.MaxIndicatorsPerCase - known.Count);
        var room = Math.Min(limits.MaxIndicatorsPerFile, roomInCase);
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        foreach (var indicator in found)
        {
            if (IsOwn(indicator, own))
            {
                continue;
            }

            var value = SealedIndicators.Normalise(indicator.Kind, indicator.Value);
            var mac = indicators.Mac(indicator.Kind, value);
            if (known.Contains((indicator.Kind, Convert.ToBase64String(mac))))
            {
                continue;
            }

            if (added == room)
            {
                notes.Add(room == roomInCase ? "case-indicators" : "file-indicators");
                break;
            }

            known.Add((indicator.Kind, Convert.ToBase64String(mac)));
            db.CaseIndicators.Add(indicators.New(row.CaseId, row.Id, indicator.Kind, value, mac, indicator.Detail, now));
            added++;
        }

        row.AnalysisState = notes.Count == 0 ? AnalysisState.Done : AnalysisState.Partial;
        row.AnalysisNote = notes.Count == 0 ? null : string.Join(",", notes.Distinct());
        await db.SaveChangesAsync(cancellationToken);

        // The sweep reads file after file through one context (a forwarded backlog is thousands):
        // what is saved need not stay tracked, or every later save checks it again.
        db.ChangeTracker.Clear();
        return notes.Count == 0 ? AnalysisOutcome.Done : AnalysisOutcome.Partial;
    }

    /// <summary>
    /// The victim's own addresses (recipients, chosen contact address, and for a forwarded file
    /// whoever forwarded it): never indicators of a campaign.
    /// </summary>
    private async Task<HashSet<string>> OwnAddressesAsync(EvidenceFile row, ParsedEmail? email, CancellationToken cancellationToken)
    {
        var caseId = row.CaseId;
        var own = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (email is not null)
        {
            own.UnionWith(email.To.Concat(email.Cc).Select(a => a.Address));
        }

        if (row.ForwardingEnvelope is { } forwarding)
        {
            var forwarder = EmailReader.Read(cipher.Open(forwarding));
            own.UnionWith(forwarder.ReplyTo.Select(a => a.Address).Append(forwarder.From?.Address).Append(forwarder.ReturnPath).OfType<string>().Select(a => a.Trim().ToLowerInvariant()));
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
    /// says nothing about the sender. Only values that may join cases are made (an address with a
    /// mailbox and a domain; a domain anyone can send from never joins on its subject): campaigns
    /// compare the keyed hashes and cannot look at the values again.
    /// </summary>
    private List<Indicator> SenderIndicators(ParsedEmail email, HashSet<string> own)
    {
        var found = new List<Indicator>();
        var from = email.From?.Address.Trim().ToLowerInvariant();
        if (from is not null && CampaignClustering.CanJoin(CampaignRule.SenderAddress, from) && !own.Contains(from))
        {
            found.Add(new Indicator(IndicatorKind.SenderAddress, from, "from"));
            var host = from[(from.LastIndexOf('@') + 1)..];
            if (HostName.IsValid(host)
                && subjects.DomainSubject(HostName.ToDomain(host), email.Subject) is { } domainSubject
                && CampaignClustering.CanJoin(CampaignRule.DomainSubject, domainSubject))
            {
                found.Add(new Indicator(IndicatorKind.DomainSubject, domainSubject, null));
            }
        }

        foreach (var replyTo in email.ReplyTo.Select(r => r.Address.Trim().ToLowerInvariant()).Where(a => CampaignClustering.CanJoin(CampaignRule.SenderAddress, a) && !own.Contains(a)))
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
    public static IReadOnlyList<Indicator> Of(ParsedEmail email) => IndicatorExtractor.Extract(Text(email));

    /// <summary>What is scanned for indicators: the sender's addresses, the subject and the text body.</summary>
    public static string Text(ParsedEmail email)
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

        return string.Join('\n', senders) + "\n" + email.Subject + "\n" + email.TextBody;
    }
}
