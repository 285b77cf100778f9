using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence;

/// <summary>A case's evidence, oldest first, with the names the victim gave them (the victim's own documents are not evidence).</summary>
public sealed class ListEvidenceHandler(PortalDbContext db, EnvelopeCipher cipher)
{
    public async Task<IReadOnlyList<EvidenceSummary>> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var rows = await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Purpose == FilePurpose.Evidence)
            .OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        return rows.Select(row => EvidenceNames.Summarize(row, cipher)).ToList();
    }

    /// <summary>Whether a file of the case is still waiting to be read (its suggestions are not ready yet).</summary>
    public Task<bool> AnalysisPendingAsync(Guid caseId, CancellationToken cancellationToken) =>
        db.EvidenceFiles.AnyAsync(e => e.CaseId == caseId && e.AnalysisState == AnalysisState.Pending, cancellationToken);
}
