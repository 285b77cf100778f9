using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.CaseFile;

public sealed class SqliteDocumentsTests(SqlitePortalFactory factory) : DocumentsTests<SqlitePortalFactory>(factory);

public sealed class PostgresDocumentsTests(PostgresPortalFactory factory) : DocumentsTests<PostgresPortalFactory>(factory);

/// <summary>
/// "My documents": receipts and letters take the evidence upload path (streamed, encrypted), are
/// never analysed nor listed as evidence, and reach staff, partners and police bundles only while
/// the victim shares them.
/// </summary>
public abstract class DocumentsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Document_IsStoredLikeEvidence_NotAnalysedNorListedAsEvidence_AndSeenByStaffOnlyWhileShared()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        var name = $"kuitti-{Guid.NewGuid():N}.pdf";
        using (var uploaded = await CaseFileSteps.UploadDocumentAsync(victim, name, "application/pdf", CaseFileSteps.ReceiptPdf))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
            Assert.StartsWith("/status/documents?added=", uploaded.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // The same bytes as evidence are a file of their own: a receipt can be both.
        using (var asEvidence = await EvidenceUploads.UploadAsync(victim, EvidenceUploads.Token(await EvidenceUploads.PageAsync(victim)), "scan.pdf", "application/pdf", CaseFileSteps.ReceiptPdf))
        {
            Assert.Equal(HttpStatusCode.Redirect, asEvidence.StatusCode);
            Assert.StartsWith("/status/evidence?added=", asEvidence.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var document = await factory.QueryAsync(db => db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Document));
        Assert.Equal(AnalysisState.NotApplicable, document.AnalysisState);
        Assert.False(document.Shared);
        Assert.Equal(0, await EvidenceUploads.AnalysePendingAsync(factory));
        var documentsPage = await victim.GetPageAsync("/status/documents");
        Assert.Contains(name, Assert.Single(documentsPage.QuerySelectorAll("[data-testid=document]")).TextContent, StringComparison.Ordinal);
        var evidencePage = (await EvidenceUploads.PageAsync(victim)).Body?.TextContent ?? "";
        Assert.Contains("scan.pdf", evidencePage, StringComparison.Ordinal);
        Assert.DoesNotContain(name, evidencePage, StringComparison.Ordinal);

        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var casePage = await volunteer.GetPageAsync($"/staff/cases/{filed.Id}");
        Assert.DoesNotContain(name, casePage.Body?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Single(casePage.QuerySelectorAll("[data-testid=case-evidence]"));
        using (var refused = await OpenAsync(volunteer, filed.Id, document.Id))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using (var shared = await CaseFileSteps.ShareDocumentAsync(victim, document.Id, shared: true))
        {
            Assert.Equal(HttpStatusCode.Redirect, shared.StatusCode);
        }

        // A tampered value is refused, not read as "stop sharing".
        var beforeTampering = await victim.GetPageAsync("/status/documents");
        using (var tampered = await victim.SubmitAsync(beforeTampering, $"/status/documents/{document.Id}/share", new Dictionary<string, string?> { ["shared"] = "abc" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        }

        casePage = await volunteer.GetPageAsync($"/staff/cases/{filed.Id}");
        Assert.Contains(name, Assert.Single(casePage.QuerySelectorAll("[data-testid=shared-document]")).TextContent, StringComparison.Ordinal);
        using (var opened = await OpenAsync(volunteer, filed.Id, document.Id))
        {
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            Assert.Equal(CaseFileSteps.ReceiptPdf, await opened.Content.ReadAsByteArrayAsync());
        }

        using (var unshared = await CaseFileSteps.ShareDocumentAsync(victim, document.Id, shared: false))
        {
            Assert.Equal(HttpStatusCode.Redirect, unshared.StatusCode);
        }

        casePage = await volunteer.GetPageAsync($"/staff/cases/{filed.Id}");
        Assert.Empty(casePage.QuerySelectorAll("[data-testid=shared-document]"));
        using (var refusedAgain = await OpenAsync(volunteer, filed.Id, document.Id))
        {
            Assert.Equal(HttpStatusCode.NotFound, refusedAgain.StatusCode);
        }

        var page = await victim.GetPageAsync($"/status/documents/{document.Id}/delete");
        using (var deleted = await victim.SubmitAsync(page, $"/status/documents/{document.Id}/delete", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        Assert.False(await factory.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.Id == document.Id)));
        Assert.False(factory.Services.GetRequiredService<IEvidenceStore>().Exists(document.Id));
        Assert.True(await factory.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Evidence)));
        var actions = await factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.CaseId == filed.Id && a.Subject == document.Id.ToString()).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        Assert.Equal([AuditActions.DocumentAdded, AuditActions.DocumentShared, AuditActions.DocumentUnshared, AuditActions.DocumentDeleted], actions.Where(a => a.StartsWith("document.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Times_OfDocumentsAndTheEvidenceReceipt_AreInHelsinki_NotUtc()
    {
        // 22:30 UTC in late November is half past midnight the next day in Helsinki (UTC+2).
        var now = factory.Clock.GetUtcNow();
        var lateEvening = new DateTimeOffset(now.Year, now.Month, now.Day, 22, 30, 0, TimeSpan.Zero);
        factory.Clock.Advance(lateEvening > now ? lateEvening - now : lateEvening.AddDays(1) - now);
        var local = factory.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(2));
        var (victim, filed) = await CaseFileSteps.FileAsync(factory, language: "fi");
        (await CaseFileSteps.UploadDocumentAsync(victim, "kuitti.pdf", "application/pdf", CaseFileSteps.ReceiptPdf)).Dispose();
        (await EvidenceUploads.UploadAsync(victim, EvidenceUploads.Token(await EvidenceUploads.PageAsync(victim)), "viesti.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay " + Guid.NewGuid())))).Dispose();

        // Read now, so that no analysis is left waiting for the other tests of this class that count it.
        Assert.Equal(1, await EvidenceUploads.AnalysePendingAsync(factory));

        var page = await victim.GetPageAsync("/status/documents");

        var shown = page.QuerySelector("[data-testid=document-received]");
        Assert.Contains($"{local.Day}.{local.Month}.{local.Year}", shown?.TextContent, StringComparison.Ordinal);
        Assert.Contains("0.30", shown?.TextContent, StringComparison.Ordinal);
        Assert.EndsWith("+02:00", shown?.GetAttribute("datetime"), StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", page.QuerySelector("main")?.TextContent, StringComparison.Ordinal);

        using var receipt = await victim.GetAsync("/status/evidence/receipt");
        var receiptText = await receipt.Content.ReadAsStringAsync();
        Assert.Contains($"{local:yyyy-MM-dd} 00:30:00 +02:00", receiptText, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", receiptText, StringComparison.Ordinal);

        // Staff and partners read the shared document's time in the helpline's zone too.
        var documentId = await factory.QueryAsync(db => db.EvidenceFiles.Where(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Document).Select(e => e.Id).SingleAsync());
        (await CaseFileSteps.ShareDocumentAsync(victim, documentId, shared: true)).Dispose();
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var shared = Assert.Single((await volunteer.GetPageAsync($"/staff/cases/{filed.Id}")).QuerySelectorAll("[data-testid=shared-document]"));
        Assert.Contains($"{local:yyyy-MM-dd} 00:30", shared.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", shared.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmailKeptAsADocument_IsNeverReadForIndicators()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("A letter from my insurer " + Guid.NewGuid()));

        using var uploaded = await CaseFileSteps.UploadDocumentAsync(victim, "insurer.eml", "message/rfc822", email);

        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        Assert.Equal(0, await EvidenceUploads.AnalysePendingAsync(factory));
        var row = await factory.QueryAsync(db => db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.CaseId == filed.Id));
        Assert.Equal((FilePurpose.Document, AnalysisState.NotApplicable), (row.Purpose, row.AnalysisState));
        Assert.Null(row.ParsedEnvelope);
        Assert.False(await factory.QueryAsync(db => db.CaseIndicators.AnyAsync(i => i.CaseId == filed.Id)));
    }

    [Fact]
    public async Task PoliceBundle_CarriesASharedDocument_AndNeverAnUnsharedOne_AndStillVerifies()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        var sharedName = $"certificate-{Guid.NewGuid():N}.pdf";
        var privateName = $"private-{Guid.NewGuid():N}.pdf";
        var privateBytes = Encoding.ASCII.GetBytes("%PDF-1.4\n% PRIVATE-LETTER " + Guid.NewGuid() + "\n%%EOF\n");
        (await CaseFileSteps.UploadDocumentAsync(victim, sharedName, "application/pdf", CaseFileSteps.ReceiptPdf)).Dispose();
        (await CaseFileSteps.UploadDocumentAsync(victim, privateName, "application/pdf", privateBytes)).Dispose();
        var sharedId = await factory.QueryAsync(db => db.EvidenceFiles.Where(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Document).OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).Select(e => e.Id).FirstAsync());
        (await CaseFileSteps.ShareDocumentAsync(victim, sharedId, shared: true)).Dispose();

        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);
        await BundleDownloads.ConfirmNowAsync(factory, staff, supervisor);
        using var response = await staff.GetAsync(BundleDownloads.BundlePath(filed.Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var zip = await response.Content.ReadAsByteArrayAsync();
        Assert.True(zip.AsSpan().IndexOf(privateBytes) < 0, "the unshared document is in the bundle");
        using (var archive = new ZipArchive(new MemoryStream(zip)))
        {
            var documents = archive.Entries.Where(e => e.FullName.StartsWith("documents/", StringComparison.Ordinal)).Select(e => e.FullName).ToList();
            Assert.Equal([$"documents/01-{sharedName}"], documents);
        }

        var extracted = await CaseFileSteps.UnzipAsync(zip);
        var sums = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", "SHA256SUMS");
        Assert.True(sums.ExitCode == 0, sums.Output + sums.Errors);
        Assert.Contains($"documents/01-{sharedName}: OK", sums.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(privateName, await File.ReadAllTextAsync(Path.Combine(extracted, "manifest.json")), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient staff, Guid caseId, Guid fileId)
    {
        var page = await staff.GetPageAsync($"/staff/cases/{caseId}");
        var token = page.QuerySelector("input[name='__af']")?.GetAttribute("value") ?? "";
        return await staff.PostAsync($"/staff/cases/{caseId}/evidence/{fileId}/open", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["reason"] = "Checking the receipt the victim mentioned" }));
    }
}
