using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Evidence;

public sealed record ReadEvidence(Guid CaseId, Guid EvidenceId);

public abstract record ReadEvidenceResult
{
    private ReadEvidenceResult()
    {
    }

    public sealed record NotFound : ReadEvidenceResult;

    /// <summary>The stored ciphertext failed authentication or no longer matches the hash taken on arrival: never served.</summary>
    public sealed record Tampered(EvidenceSummary File) : ReadEvidenceResult;

    /// <summary>Verified whole; <see cref="WriteToAsync"/> streams the original bytes.</summary>
    public sealed record Verified(EvidenceSummary File, Func<Stream, CancellationToken, Task> WriteToAsync) : ReadEvidenceResult;
}

/// <summary>
/// The original bytes of one file, only after the whole envelope has authenticated and its
/// plaintext hash equals the one recorded on arrival. The id pair must match: an evidence id
/// from another case is simply not found, and so is a document of the victim's case file that
/// the victim has not shared.
/// </summary>
public sealed class ReadEvidenceHandler(PortalDbContext db, IEvidenceStore store, EnvelopeCipher cipher, AuditTrail audit, ILogger<ReadEvidenceHandler> logger)
{
    /// <summary>
    /// A staff member opens a file's content for a stated reason: recorded as opened (with the
    /// reason) before a byte is served, as an integrity failure, or as a denial.
    /// </summary>
    public async Task<ReadEvidenceResult> OpenForStaffAsync(ReadEvidence request, string reason, Actor actor, CancellationToken cancellationToken)
    {
        var result = await HandleAsync(request, cancellationToken);
        switch (result)
        {
            case ReadEvidenceResult.NotFound:
                await audit.AppendAsync(actor.Event(AuditActions.AccessDenied, request.CaseId, request.EvidenceId.ToString(), "evidence"), cancellationToken);
                break;
            case ReadEvidenceResult.Tampered tampered:
                logger.LogError("Evidence {EvidenceId} of case {CaseId} failed its integrity check and was not served", tampered.File.Id, request.CaseId);
                await audit.AppendAsync(actor.Event(AuditActions.EvidenceTampered, request.CaseId, tampered.File.Id.ToString()), cancellationToken);
                break;
            case ReadEvidenceResult.Verified verified:
                await audit.AppendAsync(actor.Event(AuditActions.EvidenceOpened, request.CaseId, verified.File.Id.ToString(), reason.Trim()), cancellationToken);
                break;
        }

        return result;
    }

    public async Task<ReadEvidenceResult> HandleAsync(ReadEvidence request, CancellationToken cancellationToken)
    {
        var row = await db.EvidenceFiles.AsNoTracking()
            .FirstOrDefaultAsync(e => e.Id == request.EvidenceId && e.CaseId == request.CaseId && (e.Purpose == FilePurpose.Evidence || e.Shared), cancellationToken);
        if (row is null)
        {
            return new ReadEvidenceResult.NotFound();
        }

        var summary = EvidenceNames.Summarize(row, cipher);
        if (!store.Exists(row.Id))
        {
            return new ReadEvidenceResult.Tampered(summary);
        }

        try
        {
            await using var envelope = store.OpenRead(row.Id);
            var verified = await cipher.VerifyAsync(envelope, cancellationToken);
            if (!verified.Sha256.AsSpan().SequenceEqual(row.Sha256) || verified.Length != row.Size)
            {
                return new ReadEvidenceResult.Tampered(summary);
            }
        }
        catch (EnvelopeTamperedException)
        {
            return new ReadEvidenceResult.Tampered(summary);
        }

        return new ReadEvidenceResult.Verified(summary, async (destination, token) =>
        {
            await using var envelope = store.OpenRead(row.Id);
            await cipher.DecryptAsync(envelope, destination, token);
        });
    }
}
