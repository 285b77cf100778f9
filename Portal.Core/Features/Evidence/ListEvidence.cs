using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence;

/// <summary>Something forwarded to the case that was not kept: when, why (an <see cref="EvidenceRejection"/> name) and how large; never what it held.</summary>
public sealed record EvidenceRefusalView(DateTime RefusedAt, string Reason, long Size);

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

    /// <summary>What was forwarded to the case but refused (over a limit, not an email), newest first.</summary>
    public async Task<IReadOnlyList<EvidenceRefusalView>> RefusalsAsync(Guid caseId, CancellationToken cancellationToken) =>
        await db.EvidenceRefusals.AsNoTracking()
            .Where(r => r.CaseId == caseId)
            .OrderByDescending(r => r.RefusedAt).ThenByDescending(r => r.Id)
            .Take(50)
            .Select(r => new EvidenceRefusalView(r.RefusedAt, r.Reason, r.Size))
            .ToListAsync(cancellationToken);

    /// <summary>Whether a file of the case is still waiting to be read (its suggestions are not ready yet).</summary>
    public Task<bool> AnalysisPendingAsync(Guid caseId, CancellationToken cancellationToken) =>
        db.EvidenceFiles.AnyAsync(e => e.CaseId == caseId && e.AnalysisState == AnalysisState.Pending, cancellationToken);
}
