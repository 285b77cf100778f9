using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;

namespace Portal.Core.Features.CaseFile;

public sealed record DocumentView(EvidenceSummary File, bool Shared);

/// <summary>
/// The victim's own documents (receipts, certificates, letters). They arrive through the evidence
/// upload path (<see cref="AddEvidenceHandler"/> with <see cref="FilePurpose.Document"/>); this
/// lists them for the victim, shares or stops sharing one, and deletes one.
/// </summary>
public sealed class ListDocumentsHandler(PortalDbContext db, EnvelopeCipher cipher)
{
    public async Task<IReadOnlyList<DocumentView>> HandleAsync(Guid caseId, CancellationToken cancellationToken) =>
        (await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Purpose == FilePurpose.Document)
            .OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken))
        .Select(e => new DocumentView(EvidenceNames.Summarize(e, cipher), e.Shared))
        .ToList();
}

public enum DocumentOutcome
{
    Done,
    NotFound,

    /// <summary>The document was this case's, and was deleted before (a second press of Delete, or another tab).</summary>
    Deleted,
}

/// <summary>The victim shares a document with the case's staff and partners, or stops sharing it; the change and its audit entry commit together.</summary>
public sealed class ShareDocumentHandler(PortalDbContext db, AuditTrail audit)
{
    public Task<DocumentOutcome> HandleAsync(Guid caseId, Guid documentId, bool shared, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var changed = await db.EvidenceFiles
                .Where(e => e.Id == documentId && e.CaseId == caseId && e.Purpose == FilePurpose.Document)
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.Shared, shared), token);
            if (changed == 0)
            {
                return DocumentOutcome.NotFound;
            }

            await audit.AppendAsync(actor.Event(shared ? AuditActions.DocumentShared : AuditActions.DocumentUnshared, caseId, documentId.ToString()), token);
            return DocumentOutcome.Done;
        }, cancellationToken);
}

/// <summary>
/// The victim removes one of their documents (never evidence): the row and its audit entry commit
/// together, then the bytes go. A crash between leaves an unreferenced file, which the evidence
/// cleanup deletes (docs/decisions/0020).
/// </summary>
public sealed class DeleteDocumentHandler(PortalDbContext db, IEvidenceStore store, AuditTrail audit)
{
    public async Task<DocumentOutcome> HandleAsync(Guid caseId, Guid documentId, Actor actor, CancellationToken cancellationToken)
    {
        var outcome = await db.InTransactionAsync(async token =>
        {
            var deleted = await db.EvidenceFiles
                .Where(e => e.Id == documentId && e.CaseId == caseId && e.Purpose == FilePurpose.Document)
                .ExecuteDeleteAsync(token);
            if (deleted == 0)
            {
                return await audit.RecordsAsync(AuditActions.DocumentDeleted, documentId.ToString(), caseId, token) ? DocumentOutcome.Deleted : DocumentOutcome.NotFound;
            }

            await audit.AppendAsync(actor.Event(AuditActions.DocumentDeleted, caseId, documentId.ToString()), token);
            return DocumentOutcome.Done;
        }, cancellationToken);

        if (outcome == DocumentOutcome.Done)
        {
            store.Delete(documentId);
        }

        return outcome;
    }
}

/// <summary>What the victim chose to share from their case file, for the staff case view and the partners who can see the case.</summary>
public sealed record SharedCaseFileView(IReadOnlyList<DiaryEntryView> Entries, IReadOnlyList<EvidenceSummary> Documents)
{
    public static readonly SharedCaseFileView Empty = new([], []);

    public bool IsEmpty => Entries.Count == 0 && Documents.Count == 0;

    /// <summary>Only what is shared is read and opened: an unshared entry never leaves its envelope here.</summary>
    public static async Task<SharedCaseFileView> LoadAsync(PortalDbContext db, EnvelopeCipher cipher, Guid caseId, CancellationToken cancellationToken)
    {
        var entries = (await db.DiaryEntries.AsNoTracking()
                .Where(d => d.CaseId == caseId && d.Shared)
                .OrderBy(d => d.OccurredOn).ThenBy(d => d.Id)
                .ToListAsync(cancellationToken))
            .Select(d => DiaryContent.Open(cipher, d))
            .ToList();
        var documents = (await db.EvidenceFiles.AsNoTracking()
                .Where(e => e.CaseId == caseId && e.Purpose == FilePurpose.Document && e.Shared)
                .OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id)
                .ToListAsync(cancellationToken))
            .Select(e => EvidenceNames.Summarize(e, cipher))
            .ToList();
        return new SharedCaseFileView(entries, documents);
    }
}
