using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;

namespace Portal.Core.Features.Retention;

public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>A closed case whose last update is older than this loses its content.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Cases handled per database round; the job loops until none is left.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;
}

public sealed record RetentionResult(int CasesRetained, int FilesDeleted);

/// <summary>
/// Closed cases past the retention period lose their evidence files (ciphertext and the wrapped
/// data key in its header), their free text, contact details, sender and payment details,
/// messages, indicators, staff notes and partners' outcome notes, and every open case session
/// ends; the case row stays with its anonymous fields (status, priority,
/// dates, risk flags, consents) so counts remain. Audit entries stay, with their free-text
/// details replaced by the digest the chain covers.
/// Safe to stop anywhere: the database changes of one case commit together with its
/// case.retained entry, so the trail records exactly the cases whose content is gone, and the
/// files go after that commit (a case stopped before it is simply done again, whole; files left
/// by a stop after it have no row and are deleted by the evidence cleanup).
/// </summary>
public sealed class ApplyRetentionHandler(PortalDbContext db, IEvidenceStore store, EnvelopeCipher cipher, AuditTrail audit, IOptions<RetentionOptions> options, TimeProvider clock)
{
    /// <summary>Actions whose detail is an outcome or category name, not words anyone typed.</summary>
    private static readonly IReadOnlySet<string> ContentlessDetails = new HashSet<string>(StringComparer.Ordinal)
    {
        AuditActions.ReportSubmitted,
        AuditActions.CaseClaimed,
        AuditActions.TriageDecided,
        AuditActions.AccessDenied,
        AuditActions.CaseRetained,
    };

    public async Task<RetentionResult> HandleAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.Period;
        var cases = 0;
        var files = 0;
        var sqlite = db.Database.IsSqlite();
        if (sqlite)
        {
            // Removed text must not linger in free pages or the write-ahead log of the file:
            // overwrite what is deleted, and fold the log back at the end (one connection throughout).
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON;", cancellationToken);
        }

        try
        {
            return await RetainDueAsync(cutoff, cases, files, cancellationToken);
        }
        finally
        {
            if (sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private async Task<RetentionResult> RetainDueAsync(DateTime cutoff, int cases, int files, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A retained case takes nothing new (its sessions end with it, and every path that
            // writes to a case refuses one); should anything reach it all the same, the next run
            // removes it rather than keeping it forever.
            var due = await db.Cases.AsNoTracking()
                .Where(c => c.Status == CaseStatus.Closed
                    && ((c.RetainedAt == null && c.UpdatedAt < cutoff) || (c.RetainedAt != null && (
                        db.CaseMessages.Any(m => m.CaseId == c.Id)
                        || db.EvidenceFiles.Any(e => e.CaseId == c.Id)
                        || db.DiaryEntries.Any(d => d.CaseId == c.Id)
                        || db.CaseIndicators.Any(i => i.CaseId == c.Id)
                        || db.ForwardingAddresses.Any(a => a.CaseId == c.Id)
                        || db.Referrals.Any(r => r.CaseId == c.Id && r.OutcomeNote != null)
                        || c.ContactEnvelope != null))))
                .OrderBy(c => c.UpdatedAt)
                .Select(c => c.Id)
                .Take(options.Value.BatchSize)
                .ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                return new RetentionResult(cases, files);
            }

            foreach (var caseId in due)
            {
                files += await RetainAsync(caseId, cancellationToken);
                cases++;
            }
        }
    }

    private async Task<int> RetainAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var evidenceIds = await db.InTransactionAsync(async token =>
        {
            // Read inside the transaction, so every row it deletes has its file deleted after.
            var ids = await db.EvidenceFiles.Where(e => e.CaseId == caseId).Select(e => e.Id).ToListAsync(token);
            await db.CaseIndicators.Where(i => i.CaseId == caseId).ExecuteDeleteAsync(token);
            await db.EvidenceFiles.Where(e => e.CaseId == caseId).ExecuteDeleteAsync(token);
            await db.CaseMessages.Where(m => m.CaseId == caseId).ExecuteDeleteAsync(token);
            await db.ForwardingAddresses.Where(a => a.CaseId == caseId).ExecuteDeleteAsync(token);
            await db.EvidenceRefusals.Where(r => r.CaseId == caseId).ExecuteDeleteAsync(token);
            await db.DiaryEntries.Where(d => d.CaseId == caseId).ExecuteDeleteAsync(token);
            await db.TriageDecisions.Where(d => d.CaseId == caseId).ExecuteUpdateAsync(d => d.SetProperty(x => x.Reason, (string?)null), token);
            await db.Referrals.Where(r => r.CaseId == caseId).ExecuteUpdateAsync(r => r.SetProperty(x => x.OutcomeNote, (string?)null), token);

            // An envelope of empty text rather than none: every reader keeps working, and it holds nothing.
            var empty = cipher.SealString("");
            await db.Cases.Where(c => c.Id == caseId).ExecuteUpdateAsync(c => c
                .SetProperty(x => x.NarrativeEnvelope, empty)
                .SetProperty(x => x.ContactEnvelope, (byte[]?)null)
                .SetProperty(x => x.ContactPreference, ContactPreference.PortalOnly)
                .SetProperty(x => x.SenderAddress, (string?)null)
                .SetProperty(x => x.AmountDemanded, (decimal?)null)
                .SetProperty(x => x.Currency, (string?)null)
                .SetProperty(x => x.PaymentAddress, (string?)null)
                .SetProperty(x => x.EmailReceivedOn, (DateOnly?)null)
                .SetProperty(x => x.ClaimedById, (string?)null)
                .SetProperty(x => x.ClaimedAt, (DateTime?)null)
                .SetProperty(x => x.RetainedAt, clock.GetUtcNow().UtcDateTime)
                .SetProperty(x => x.SessionGeneration, x => x.SessionGeneration + 1), token);
            await audit.RedactCaseDetailsAsync(caseId, ContentlessDetails, token);

            // Last, with the change it records: the chain head is held only until the commit.
            await audit.AppendAsync(Actor.Automatic.Event(AuditActions.CaseRetained, caseId, detail: ids.Count.ToString(CultureInfo.InvariantCulture)), token);
            return ids;
        }, cancellationToken);
        db.ChangeTracker.Clear();

        // The files go once the rows naming them are gone, never before: a failure or crash before
        // the commit keeps the case whole for the next run (deleting first left evidence rows
        // without files, which every later bundle or opening reports as tampering). One after the
        // commit leaves only unreferenced encrypted files, which the evidence cleanup deletes.
        foreach (var id in evidenceIds)
        {
            store.Delete(id);
        }

        return evidenceIds.Count;
    }
}
