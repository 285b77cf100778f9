using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;

namespace Portal.Core.Features.Evidence;

/// <summary>
/// A file arriving for a case: its bytes come as a stream beside this record, never whole in memory.
/// A <see cref="FilePurpose.Document"/> (the victim's own receipts and letters) takes the same path
/// but is never analysed and is audited as a document.
/// </summary>
public sealed record AddEvidence(Guid CaseId, string? FileName, string? DeclaredMediaType, EvidenceSource Source, FilePurpose Purpose = FilePurpose.Evidence)
{
    /// <summary>A forwarded file: the header block of the message it arrived in, sealed.</summary>
    public byte[]? ForwardingEnvelope { get; init; }

    /// <summary>A forwarded file: the keyed hash of its Message-ID, so that the same email forwarded again is stored once.</summary>
    public byte[]? MessageIdMac { get; init; }

    /// <summary>The victim chose email contact and is to be told (without content) that the file arrived.</summary>
    public bool NotifyVictim { get; init; }

    public bool IsForwarded => Source is EvidenceSource.Forwarded or EvidenceSource.ForwardedInline;
}

public enum EvidenceRejection
{
    /// <summary>Nothing in the file (zero bytes).</summary>
    Empty,

    /// <summary>Not a type the portal keeps (415).</summary>
    UnsupportedType,

    /// <summary>The declared type or extension contradicts the content (415).</summary>
    TypeMismatch,

    /// <summary>Over the per-file limit (413).</summary>
    TooLarge,

    /// <summary>The case already holds as many files as allowed.</summary>
    TooManyFiles,

    /// <summary>The case's total storage would pass its quota.</summary>
    CaseQuotaExceeded,

    /// <summary>Pasted content that is neither an email's source nor text.</summary>
    NotAnEmail,
}

public sealed record EvidenceSummary(Guid Id, string FileName, EvidenceKind Kind, string MediaType, long Size, string Sha256, DateTime ReceivedAt);

public abstract record AddEvidenceResult
{
    private AddEvidenceResult()
    {
    }

    public sealed record Stored(EvidenceSummary File) : AddEvidenceResult;

    /// <summary>The same bytes were already in this case: stored once, the earlier entry is returned.</summary>
    public sealed record AlreadyStored(EvidenceSummary File) : AddEvidenceResult;

    public sealed record Rejected(EvidenceRejection Reason) : AddEvidenceResult;
}

/// <summary>
/// Takes one file into a case, uploaded, pasted or forwarded to the case's address: type by
/// magic bytes, limits while streaming, encryption and hashing on the way to the store, one row
/// per distinct file (by SHA-256, and for forwarded email by Message-ID too). The file is synced and moved to
/// its final name before its row, its audit entry and its pending analysis commit together, so
/// an acknowledged file always has its bytes and its entry. A rejection or a failure leaves no
/// row behind, and no blob that the cleanup does not remove.
/// </summary>
public sealed class AddEvidenceHandler(PortalDbContext db, IEvidenceStore store, EnvelopeCipher cipher, AuditTrail audit, IFollowUpSignal followUp, IOptions<EvidenceOptions> options, TimeProvider clock)
{
    /// <summary>The name a pasted text that is not an email's source is kept under.</summary>
    public const string PastedTextName = "pasted-text.txt";

    public async Task<AddEvidenceResult> HandleAsync(AddEvidence request, Stream content, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (request.MessageIdMac is { } messageId
            && await db.EvidenceFiles.AsNoTracking().Where(e => e.CaseId == request.CaseId && e.MessageIdMac == messageId).FirstOrDefaultAsync(cancellationToken) is { } sameMessage)
        {
            return new AddEvidenceResult.AlreadyStored(EvidenceNames.Summarize(sameMessage, cipher));
        }

        var usage = await db.EvidenceFiles
            .Where(e => e.CaseId == request.CaseId)
            .GroupBy(e => e.CaseId)
            .Select(g => new { Count = g.Count(), Bytes = g.Sum(e => e.Size) })
            .FirstOrDefaultAsync(cancellationToken);
        if (usage is not null && usage.Count >= limits.MaxFilesPerCase)
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.TooManyFiles);
        }

        var remaining = limits.MaxBytesPerCase - (usage?.Bytes ?? 0);
        if (remaining <= 0)
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.CaseQuotaExceeded);
        }

        var head = new byte[FileTypes.SniffLength];
        var headLength = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        if (headLength == 0)
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.Empty);
        }

        var detected = FileTypes.Detect(head.AsSpan(0, headLength), request.FileName);
        if (request.Source == EvidenceSource.Pasted && detected?.Kind is not (EvidenceKind.Email or EvidenceKind.Text))
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.NotAnEmail);
        }

        if (request.IsForwarded && detected != FileTypes.EmailType)
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.NotAnEmail);
        }

        // Often only the message's text can be copied, not its source: kept as the text it is.
        var requestedName = request.Source == EvidenceSource.Pasted && detected?.Kind == EvidenceKind.Text ? PastedTextName : request.FileName;

        if (detected is null)
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.UnsupportedType);
        }

        if (request.Source == EvidenceSource.Upload && !FileTypes.Agrees(detected, request.DeclaredMediaType, request.FileName))
        {
            return new AddEvidenceResult.Rejected(EvidenceRejection.TypeMismatch);
        }

        var limit = Math.Min(limits.MaxFileBytes, remaining);
        var id = Guid.CreateVersion7();
        EnvelopeInfo written;
        try
        {
            var whole = new PrefixedStream(head.AsMemory(0, headLength), content);
            written = await store.WriteTemporaryAsync(id, whole, limit, cancellationToken);
        }
        catch (EvidenceTooLargeException)
        {
            return new AddEvidenceResult.Rejected(limit < limits.MaxFileBytes ? EvidenceRejection.CaseQuotaExceeded : EvidenceRejection.TooLarge);
        }

        var existing = await FindAsync(request.CaseId, request.Purpose, written.Sha256, cancellationToken);
        if (existing is not null)
        {
            store.Delete(id);
            return new AddEvidenceResult.AlreadyStored(existing);
        }

        var fileName = EvidenceNames.Clean(requestedName, detected);
        var analysed = request.Purpose == FilePurpose.Evidence && AnalyseEvidenceHandler.IsRead(detected.Kind);
        var row = new EvidenceFile
        {
            Id = id,
            CaseId = request.CaseId,
            Kind = detected.Kind,
            Source = request.Source,
            Purpose = request.Purpose,
            MediaType = detected.MediaType,
            FileNameEnvelope = cipher.SealString(fileName),
            Size = written.Length,
            Sha256 = written.Sha256,
            KeyId = written.KeyId,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
            AnalysisState = analysed ? AnalysisState.Pending : AnalysisState.NotApplicable,
            ForwardingEnvelope = request.ForwardingEnvelope,
            MessageIdMac = request.MessageIdMac,
            NotificationPending = request.NotifyVictim,
        };
        try
        {
            // Bytes first, durably under their final name; then the row that points at them.
            store.Commit(id);
            CrashPoint.Reach(CrashPoint.EvidenceFileMoved);
            await db.InTransactionAsync(async token =>
            {
                db.EvidenceFiles.Add(row);
                await db.SaveChangesAsync(token);
                await audit.AppendAsync(Custody(request, id, row.Sha256), token);
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two uploads of the same file raced; the unique (case, hash) index kept one.
            store.Delete(id);
            var winner = await FindAsync(request.CaseId, request.Purpose, written.Sha256, cancellationToken);
            if (winner is null)
            {
                throw;
            }

            return new AddEvidenceResult.AlreadyStored(winner);
        }
        catch
        {
            store.Delete(id);
            throw;
        }

        CrashPoint.Reach(CrashPoint.EvidenceCommitted);
        if (analysed)
        {
            followUp.Notify(FollowUpWork.EvidenceAnalysis);
        }

        if (row.NotificationPending)
        {
            followUp.Notify(FollowUpWork.VictimNotifications);
        }

        return new AddEvidenceResult.Stored(new EvidenceSummary(id, fileName, row.Kind, row.MediaType, row.Size, Convert.ToHexStringLower(row.Sha256), row.ReceivedAt));
    }

    /// <summary>
    /// The custody entry: the victim added it (upload, paste; a document of their own is recorded
    /// as such), or the portal took it from the intake mailbox, forwarded to the case's address;
    /// the detail is the hash and, for forwarded files, how they came.
    /// </summary>
    private static AuditEvent Custody(AddEvidence request, Guid id, byte[] sha256)
    {
        var hash = Convert.ToHexStringLower(sha256);
        return request.Source switch
        {
            EvidenceSource.Forwarded => AuditEvent.System(AuditActions.EvidenceAdded, request.CaseId, id.ToString(), hash + " forwarded"),
            EvidenceSource.ForwardedInline => AuditEvent.System(AuditActions.EvidenceAdded, request.CaseId, id.ToString(), hash + " forwarded inline: the original headers are missing"),
            _ when request.Purpose == FilePurpose.Document => AuditEvent.Victim(AuditActions.DocumentAdded, request.CaseId, id.ToString(), hash),
            _ => AuditEvent.Victim(AuditActions.EvidenceAdded, request.CaseId, id.ToString(), hash),
        };
    }

    private async Task<EvidenceSummary?> FindAsync(Guid caseId, FilePurpose purpose, byte[] sha256, CancellationToken cancellationToken)
    {
        var row = await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Purpose == purpose && e.Sha256 == sha256)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : EvidenceNames.Summarize(row, cipher);
    }

    /// <summary>The bytes already read for sniffing, then the rest of the upload.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> pending = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!pending.IsEmpty)
            {
                return TakePending(buffer);
            }

            return rest.Read(buffer);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            !pending.IsEmpty ? ValueTask.FromResult(TakePending(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int TakePending(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, pending.Length);
            pending.Span[..count].CopyTo(buffer);
            pending = pending[count..];
            return count;
        }
    }
}

/// <summary>File names are shown, never used: cleaned for display and sealed at rest.</summary>
public static class EvidenceNames
{
    public const int MaxLength = 200;

    public static string Clean(string? fileName, DetectedType detected)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormC))
        {
            if (!char.IsControl(c) && !DisplayText.IsDirectionControl(c))
            {
                builder.Append(c);
            }
        }

        var cleaned = builder.ToString().Trim().Trim('.').Trim();
        if (cleaned.Length == 0)
        {
            cleaned = "evidence" + detected.Extension;
        }

        return cleaned.Length <= MaxLength ? cleaned : WholeTextElements(cleaned, MaxLength - detected.Extension.Length) + detected.Extension;
    }

    /// <summary>
    /// The longest start of the name that is at most that long and ends between text elements:
    /// a cut inside a surrogate pair or a combined emoji would leave a broken character.
    /// </summary>
    private static string WholeTextElements(string name, int maxLength)
    {
        var length = 0;
        while (length < name.Length)
        {
            var next = StringInfo.GetNextTextElementLength(name.AsSpan(length));
            if (length + next > maxLength)
            {
                break;
            }

            length += next;
        }

        return name[..length];
    }

    public static EvidenceSummary Summarize(EvidenceFile row, EnvelopeCipher cipher) =>
        new(row.Id, cipher.OpenString(row.FileNameEnvelope), row.Kind, row.MediaType, row.Size, Convert.ToHexStringLower(row.Sha256), row.ReceivedAt);
}
