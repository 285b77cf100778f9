using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.CaseFile;

/// <summary>The victim asks for their case file, typing their receipt key again.</summary>
public sealed record ExportCaseFile(Guid CaseId, string? ReceiptKey);

public abstract record ExportCaseFileResult
{
    private ExportCaseFileResult()
    {
    }

    public sealed record NotFound : ExportCaseFileResult;

    /// <summary>The key is not this case's (audited, without the key).</summary>
    public sealed record KeyRefused : ExportCaseFileResult;

    /// <summary>The fonts the PDF needs are not installed (CaseFile:RegularFont, BoldFont).</summary>
    public sealed record Unavailable : ExportCaseFileResult;

    /// <summary>A stored file is missing or failed its check: nothing was sent, supervisors were alerted.</summary>
    public sealed record Blocked(EvidenceSummary File) : ExportCaseFileResult;

    /// <summary>
    /// Checked as far as can be before streaming and audited; <see cref="WriteToAsync"/> writes the
    /// ZIP and throws <see cref="EvidenceIntegrityException"/> (after alerting supervisors; the
    /// output must be abandoned) if a file fails while it streams.
    /// </summary>
    public sealed record Ready(string FileName, Func<Stream, CancellationToken, Task> WriteToAsync) : ExportCaseFileResult;
}

/// <summary>
/// The victim's case file: one ZIP of stored entries, streamed in constant memory, holding their
/// evidence (evidence/NN-name) and documents (documents/NN-name) decrypted chunk by chunk, a
/// printable PDF in their language (case-file-REF.pdf: what they reported, the evidence list
/// with SHA-256 and times received, the police report number, the partners, the diary and the
/// documents) and a SHA256SUMS over all of them that `sha256sum -c` accepts. Only after the
/// receipt key is typed again (checked like at the door: one answer for every failure, same
/// cost); the download and every refusal are audited by case, never by address.
/// </summary>
public sealed class ExportCaseFileHandler(
    PortalDbContext db,
    ReceiptHasher receipts,
    EnvelopeCipher cipher,
    EvidenceArchiver archiver,
    CaseFileFonts fonts,
    CaseFilePdf pdf,
    AuditTrail audit,
    EvidenceIntegrityAlert alert,
    IOptions<CaseFileOptions> options,
    IOptions<ReportOptions> reports,
    TimeProvider clock)
{
    public const string ChecksumsName = "SHA256SUMS";

    public async Task<ExportCaseFileResult> HandleAsync(ExportCaseFile request, CaseFileLanguage language, Actor actor, CancellationToken cancellationToken)
    {
        var found = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.CaseId && c.RetainedAt == null, cancellationToken);
        if (found is null)
        {
            return new ExportCaseFileResult.NotFound();
        }

        var keyValid = ReceiptKey.TryNormalize(request.ReceiptKey, out var key);
        if (receipts.Match(found.Reference, keyValid ? key : "", found.ReceiptHash, found.EarlierReceiptHashes) is null || !keyValid)
        {
            await audit.AppendAsync(actor.Event(AuditActions.CaseFileRefused, found.Id), cancellationToken);
            return new ExportCaseFileResult.KeyRefused();
        }

        if (!fonts.Available)
        {
            return new ExportCaseFileResult.Unavailable();
        }

        var evidence = await FilesAsync(found.Id, FilePurpose.Evidence, cancellationToken);
        var documents = await FilesAsync(found.Id, FilePurpose.Document, cancellationToken);
        var all = evidence.Concat(documents).Select(d => d.File).ToList();
        var verifyWhole = all.Sum(f => f.Size) <= options.Value.VerifyBeforeStreamingBytes;
        foreach (var file in all)
        {
            if (await archiver.ProblemAsync(file, verifyWhole, cancellationToken) is { } problem)
            {
                await AlertAsync(found, actor, file.Id, problem, language, cancellationToken);
                return new ExportCaseFileResult.Blocked(file);
            }
        }

        var content = await ContentAsync(found, evidence, documents, language, cancellationToken);
        await audit.AppendAsync(actor.Event(AuditActions.CaseFileDownloaded, found.Id, detail: all.Count.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        return new ExportCaseFileResult.Ready($"case-file-{found.Reference}.zip", async (output, token) =>
        {
            try
            {
                await WriteAsync(content, evidence, documents, language, output, token);
            }
            catch (EvidenceIntegrityException failure)
            {
                // Recorded and reported before the caller cuts the connection.
                await AlertAsync(found, actor, failure.File.Id, failure.Problem, language, CancellationToken.None);
                throw;
            }
        });
    }

    private sealed record Listed(EvidenceSummary File, string Entry, bool Shared);

    private async Task<List<Listed>> FilesAsync(Guid caseId, FilePurpose purpose, CancellationToken cancellationToken)
    {
        var rows = await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Purpose == purpose)
            .OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        var files = rows.Select(r => EvidenceNames.Summarize(r, cipher)).ToList();
        var names = EvidenceArchiver.EntryNames(files, purpose == FilePurpose.Evidence ? "evidence" : "documents");
        return files.Select((f, i) => new Listed(f, names[f.Id], rows[i].Shared)).ToList();
    }

    private async Task<CaseFileContent> ContentAsync(Case found, List<Listed> evidence, List<Listed> documents, CaseFileLanguage language, CancellationToken cancellationToken)
    {
        var policeReportNumber = await db.Referrals.AsNoTracking()
            .Where(r => r.CaseId == found.Id && r.PartnerType == PartnerType.Police && r.PoliceReportNumber != null)
            .Select(r => r.PoliceReportNumber).FirstOrDefaultAsync(cancellationToken);
        var partners = await (
            from a in db.ReferralAssignments.AsNoTracking()
            join r in db.Referrals on a.ReferralId equals r.Id
            join p in db.Partners on a.PartnerId equals p.Id
            where r.CaseId == found.Id
            orderby a.AssignedAt, a.Id
            select new CaseFilePartner(p.Name, p.Type, a.AssignedAt))
            .ToListAsync(cancellationToken);
        var diary = (await db.DiaryEntries.AsNoTracking()
                .Where(d => d.CaseId == found.Id)
                .OrderBy(d => d.OccurredOn).ThenBy(d => d.Id)
                .ToListAsync(cancellationToken))
            .Select(d => DiaryContent.Open(cipher, d))
            .ToList();
        var organisation = reports.Value.BreachOrganisationName(found.BreachOrganisation, language.Text("Report.BreachOrganisation.Other"));
        static CaseFileListedFile List(Listed l, bool withSharing) =>
            new(l.Entry, l.File.FileName, l.File.ReceivedAt, l.File.Size, l.File.Sha256, withSharing ? l.Shared : null);

        return new CaseFileContent(
            found.Reference, clock.GetUtcNow().UtcDateTime, found.CreatedAt, cipher.OpenString(found.NarrativeEnvelope),
            found.EmailReceivedOn, found.SenderAddress, found.AmountDemanded, found.Currency, found.PaymentAddress, organisation,
            found.Paid, found.DataPublished, found.ConsentPolice, policeReportNumber, partners,
            evidence.Select(e => List(e, false)).ToList(), diary, documents.Select(d => List(d, true)).ToList());
    }

    private async Task WriteAsync(CaseFileContent content, List<Listed> evidence, List<Listed> documents, CaseFileLanguage language, Stream output, CancellationToken cancellationToken)
    {
        // 1 MiB writes to the response instead of one per 64 KiB chunk; not disposed (that would
        // dispose the response), the writer flushes it at the end.
        var buffered = new BufferedStream(output, 1024 * 1024);
        var zip = new StreamingZipWriter(buffered, content.GeneratedAt);
        var sums = new StringBuilder();
        foreach (var item in evidence.Concat(documents))
        {
            await archiver.AddAsync(zip, item.Entry, item.File, cancellationToken);
            sums.Append(item.File.Sha256).Append("  ").Append(item.Entry).Append('\n');
        }

        // The PDF is small and bounded (CaseFile:MaxDiaryEntries); it is drawn once the files are out.
        var pdfName = $"case-file-{content.Reference}.pdf";
        var document = pdf.Render(content, language);
        await zip.AddAsync(pdfName, document, cancellationToken);
        sums.Append(Convert.ToHexStringLower(SHA256.HashData(document))).Append("  ").Append(pdfName).Append('\n');

        // sha256sum's format: hash, two spaces, name. Entry names are ASCII without newlines.
        await zip.AddAsync(ChecksumsName, Encoding.ASCII.GetBytes(sums.ToString()), cancellationToken);
        await zip.FinishAsync(cancellationToken);
    }

    private Task AlertAsync(Case found, Actor actor, Guid fileId, string problem, CaseFileLanguage language, CancellationToken cancellationToken)
    {
        var alertLanguage = ReportOptions.Languages.Contains(language.Culture.TwoLetterISOLanguageName) ? language.Culture.TwoLetterISOLanguageName : "en";
        return alert.RaiseAsync(new EvidenceIntegrityFailure(found.Id, found.Reference, fileId, "case file: " + problem, actor.Event(AuditActions.EvidenceTampered, found.Id)), alertLanguage, cancellationToken);
    }
}
