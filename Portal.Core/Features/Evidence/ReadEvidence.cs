using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;

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
public sealed class ReadEvidenceHandler(PortalDbContext db, IEvidenceStore store, EnvelopeCipher cipher)
{
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
