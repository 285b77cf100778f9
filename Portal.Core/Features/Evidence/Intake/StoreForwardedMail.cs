using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Indicators;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>What became of one message, or of one email in it for one case.</summary>
public enum IntakeOutcome
{
    /// <summary>Stored as evidence of the case.</summary>
    Stored,

    /// <summary>Already in the case (same SHA-256 or Message-ID): kept once.</summary>
    Duplicate,

    /// <summary>Over a limit, or not an email: recorded as refused on the case, nothing of it kept.</summary>
    Refused,

    /// <summary>To no valid forwarding address (unknown or replaced): deleted unread.</summary>
    UnknownAddress,

    /// <summary>Automatic mail or the portal's own: dropped, never answered.</summary>
    Loop,
}

/// <summary>A case a message is addressed to, and whether its victim asked to be told of updates by email.</summary>
public sealed record IntakeCase(Guid CaseId, bool NotifyByEmail);

/// <summary>What to do with a message, decided from its header block and size before its body is fetched.</summary>
public abstract record IntakeDecision
{
    private IntakeDecision()
    {
    }

    public sealed record Drop(IntakeOutcome Outcome) : IntakeDecision;

    /// <summary>Over the per-message limit: refused on each case, the body never fetched.</summary>
    public sealed record Refuse(IReadOnlyList<IntakeCase> Cases) : IntakeDecision;

    public sealed record Take(IReadOnlyList<IntakeCase> Cases) : IntakeDecision;
}

/// <summary>
/// The storing half of the forwarding intake (docs/decisions/0026), one intake message at a time;
/// the IMAP half is <see cref="ReadIntakeMailboxHandler"/>. The portal never answers intake mail
/// (the sender may be the extortionist): what is not for a case is dropped and counted. What is for
/// a case goes through the same path as an upload (<see cref="AddEvidenceHandler"/>: hash,
/// envelope, file before row, custody entry, pending analysis) with the intake message's own
/// header block kept sealed beside it; what a limit refuses is recorded on the case, audited,
/// and shown to the victim without content.
/// </summary>
public sealed class StoreForwardedMailHandler(
    PortalDbContext db,
    ForwardingAddresses addresses,
    AddEvidenceHandler addEvidence,
    SealedIndicators indicators,
    EnvelopeCipher cipher,
    EmailComposer composer,
    AuditTrail audit,
    IOptions<IntakeOptions> options,
    IOptions<EvidenceOptions> evidenceOptions,
    TimeProvider clock)
{
    /// <summary>The audit subject of a refusal starts with this and the intake message's key.</summary>
    public const string RefusalSubjectPrefix = "intake ";

    /// <summary>The largest intake message read: one file at its limit, base64-encoded in a forward, with room for the forward's own text.</summary>
    public long MaxMessageBytes => (evidenceOptions.Value.MaxFileBytes * 4 / 3) + (1024 * 1024);

    public async Task<IntakeDecision> ClassifyAsync(ReadOnlyMemory<byte> headerBlock, long size, CancellationToken cancellationToken)
    {
        var headers = IntakeMessage.ReadHeaders(headerBlock.Span);
        if (headers.IsAutomatic || headers.MessageIdDomain == composer.MessageIdDomain)
        {
            return new IntakeDecision.Drop(IntakeOutcome.Loop);
        }

        var cases = new List<IntakeCase>();
        foreach (var token in addresses.TokensIn(headers.Recipients).Take(options.Value.MaxCasesPerMessage))
        {
            var hash = addresses.Hash(token);
            var found = await (
                from a in db.ForwardingAddresses.AsNoTracking()
                join c in db.Cases.AsNoTracking() on a.CaseId equals c.Id
                where a.TokenHash == hash && c.RetainedAt == null
                select new IntakeCase(c.Id, c.ContactPreference == ContactPreference.Email))
                .FirstOrDefaultAsync(cancellationToken);
            if (found is not null && !cases.Contains(found))
            {
                cases.Add(found);
            }
        }

        if (cases.Count == 0)
        {
            return new IntakeDecision.Drop(IntakeOutcome.UnknownAddress);
        }

        return size > MaxMessageBytes ? new IntakeDecision.Refuse(cases) : new IntakeDecision.Take(cases);
    }

    /// <summary>
    /// Stores what the message carries for each case: one outcome per email and case.
    /// <paramref name="messageKey"/> names the intake message in its mailbox (<see cref="IntakeMailbox.Item.Key"/>).
    /// </summary>
    public async Task<IReadOnlyList<IntakeOutcome>> StoreAsync(IReadOnlyList<IntakeCase> cases, byte[] message, string messageKey, CancellationToken cancellationToken)
    {
        var forwarding = cipher.Seal(IntakeMessage.HeaderBlockOf(message).Span);
        var originals = IntakeMessage.Originals(message);
        var outcomes = new List<IntakeOutcome>();
        foreach (var target in cases)
        {
            foreach (var (original, index) in originals.Select((o, i) => (o, i)))
            {
                var source = original.Inline ? EvidenceSource.ForwardedInline : EvidenceSource.Forwarded;
                var request = new AddEvidence(target.CaseId, FileName(original), "message/rfc822", source)
                {
                    ForwardingEnvelope = forwarding,
                    MessageIdMac = original.MessageId is { } id ? indicators.Mac("message-id", id) : null,
                    NotifyVictim = target.NotifyByEmail,
                };
                await using var content = new MemoryStream(original.Content, writable: false);
                var result = await addEvidence.HandleAsync(request, content, cancellationToken);
                switch (result)
                {
                    case AddEvidenceResult.Stored:
                        outcomes.Add(IntakeOutcome.Stored);
                        break;
                    case AddEvidenceResult.AlreadyStored:
                        outcomes.Add(IntakeOutcome.Duplicate);
                        break;
                    case AddEvidenceResult.Rejected rejected:
                        await RefuseAsync(target.CaseId, source, rejected.Reason, original.Content.Length, $"{RefusalSubjectPrefix}{messageKey} #{index + 1}", cancellationToken);
                        outcomes.Add(IntakeOutcome.Refused);
                        break;
                }
            }
        }

        // One run reads thousands of messages through this context: what is saved need not be tracked.
        db.ChangeTracker.Clear();
        return outcomes;
    }

    /// <summary>A message over the per-message limit: refused on each case it was for, without reading it.</summary>
    public async Task RefuseAsync(IReadOnlyList<IntakeCase> cases, long size, string messageKey, CancellationToken cancellationToken)
    {
        foreach (var target in cases)
        {
            await RefuseAsync(target.CaseId, EvidenceSource.Forwarded, EvidenceRejection.TooLarge, size, RefusalSubjectPrefix + messageKey, cancellationToken);
        }

        db.ChangeTracker.Clear();
    }

    /// <summary>Adds what a run did to the counters (counts only); one short write per batch.</summary>
    public async Task CountAsync(IntakeTally tally, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var updated = await db.IntakeStatistics.Where(s => s.Id == IntakeStatistics.SingletonId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Messages, x => x.Messages + tally.Messages)
                .SetProperty(x => x.Stored, x => x.Stored + tally.Stored)
                .SetProperty(x => x.Duplicates, x => x.Duplicates + tally.Duplicates)
                .SetProperty(x => x.Refused, x => x.Refused + tally.Refused)
                .SetProperty(x => x.UnknownAddress, x => x.UnknownAddress + tally.UnknownAddress)
                .SetProperty(x => x.LoopsDropped, x => x.LoopsDropped + tally.Loops)
                .SetProperty(x => x.LastRunAt, now), cancellationToken);
        if (updated == 0)
        {
            throw new InvalidOperationException("The IntakeStatistics row is missing: apply the migrations.");
        }
    }

    /// <summary>
    /// Records a refusal on the case with its audit entry, whose subject names the intake message
    /// (and the email in it): the message is flagged in the mailbox only after this commits, so a
    /// run after a crash in between meets it again, and finds its refusal already recorded.
    /// </summary>
    private async Task RefuseAsync(Guid caseId, EvidenceSource source, EvidenceRejection reason, long size, string subject, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.InTransactionAsync(async token =>
        {
            if (await db.AuditEntries.AnyAsync(a => a.CaseId == caseId && a.Action == AuditActions.EvidenceRefused && a.Subject == subject, token))
            {
                return;
            }

            db.EvidenceRefusals.Add(new EvidenceRefusal { CaseId = caseId, Source = source, Reason = reason.ToString(), Size = size, RefusedAt = now });
            await db.SaveChangesAsync(token);
            await audit.AppendAsync(AuditEvent.System(AuditActions.EvidenceRefused, caseId, subject, $"{reason} forwarded {size} bytes"), token);
        }, cancellationToken);
    }

    /// <summary>The name shown for a forwarded email: its subject (sealed like any file name), else a plain one.</summary>
    private static string FileName(ForwardedOriginal original)
    {
        var subject = new StringBuilder();
        foreach (var c in (original.Subject ?? "").Trim())
        {
            subject.Append(c is '/' or '\\' ? '-' : c);
        }

        var name = subject.Length == 0 ? "forwarded-email" : subject.ToString();
        return (name.Length > 150 ? name[..150] : name) + ".eml";
    }
}

/// <summary>Counts of what a run did with the messages it took.</summary>
public sealed class IntakeTally
{
    public int Messages { get; private set; }

    public int Stored { get; private set; }

    public int Duplicates { get; private set; }

    public int Refused { get; private set; }

    public int UnknownAddress { get; private set; }

    public int Loops { get; private set; }

    public void Message(IEnumerable<IntakeOutcome> outcomes)
    {
        Messages++;
        foreach (var outcome in outcomes)
        {
            switch (outcome)
            {
                case IntakeOutcome.Stored: Stored++; break;
                case IntakeOutcome.Duplicate: Duplicates++; break;
                case IntakeOutcome.Refused: Refused++; break;
                case IntakeOutcome.UnknownAddress: UnknownAddress++; break;
                case IntakeOutcome.Loop: Loops++; break;
            }
        }
    }

    public void Add(IntakeTally other)
    {
        Messages += other.Messages;
        Stored += other.Stored;
        Duplicates += other.Duplicates;
        Refused += other.Refused;
        UnknownAddress += other.UnknownAddress;
        Loops += other.Loops;
    }
}
