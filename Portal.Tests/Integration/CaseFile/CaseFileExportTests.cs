using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.CaseFile;

/// <summary>Portals that mail through the loopback SMTP server (integrity alerts) and check whole files before streaming only up to 1 MiB.</summary>
public sealed class CaseFileSqliteFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. TestMailbox.SmtpSettings, new("CaseFile:VerifyBeforeStreamingBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class CaseFilePostgresFactory : PostgresPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. TestMailbox.SmtpSettings, new("CaseFile:VerifyBeforeStreamingBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class SqliteCaseFileExportTests(CaseFileSqliteFactory factory) : CaseFileExportTests<CaseFileSqliteFactory>(factory);

public sealed class PostgresCaseFileExportTests(CaseFilePostgresFactory factory) : CaseFileExportTests<CaseFilePostgresFactory>(factory);

/// <summary>
/// The victim's case file download: only with the receipt key typed again (refusals audited), a
/// ZIP whose SHA256SUMS `sha256sum -c` accepts, holding the original files and a PDF that Debian's
/// pdftotext reads in the victim's language, with the reference, the hashes and the diary.
/// </summary>
public abstract class CaseFileExportTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Theory]
    [InlineData("en", "Case file", "Diary", "Therapy visit")]
    [InlineData("fi", "Tapauskansio", "Päiväkirja", "Terapiakäynti")]
    [InlineData("sv", "Ärendemapp", "Dagbok", "Terapibesök")]
    public async Task CaseFile_VerifiesWithSha256sum_AndPdftotextReadsReferenceHashesAndDiary(string language, string title, string diaryHeading, string therapyVisit)
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory, language: language);
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Case file " + Guid.NewGuid()));
        using (var uploaded = await EvidenceUploads.UploadAsync(victim, EvidenceUploads.Token(await EvidenceUploads.PageAsync(victim)), "kiristysviesti äö.eml", "message/rfc822", email))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        var receipt = Encoding.ASCII.GetBytes("%PDF-1.4\n% receipt " + Guid.NewGuid() + "\n%%EOF\n");
        (await CaseFileSteps.UploadDocumentAsync(victim, "kuitti-terapia.pdf", "application/pdf", receipt)).Dispose();
        var diaryText = "Soitin poliisille ja kävin lääkärissä; Åsa följde med.";
        (await CaseFileSteps.AddEntryAsync(victim, diaryText, kind: "TherapyVisit", amount: "85,00", shared: true)).Dispose();
        (await CaseFileSteps.AddEntryAsync(victim, "Sick day, could not work.", kind: "SickDay", date: "2026-11-21")).Dispose();

        using var response = await CaseFileSteps.DownloadAsync(victim, filed.ReceiptKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"case-file-{filed.Reference}.zip", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var zip = await response.Content.ReadAsByteArrayAsync();
        var pdfName = $"case-file-{filed.Reference}.pdf";
        using (var archive = new ZipArchive(new MemoryStream(zip)))
        {
            Assert.Equal(["evidence/01-kiristysviesti_ao.eml", "documents/01-kuitti-terapia.pdf", pdfName, "SHA256SUMS"], archive.Entries.Select(e => e.FullName));
        }

        var extracted = await CaseFileSteps.UnzipAsync(zip);
        var check = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", "SHA256SUMS");
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Equal(3, Regex.Count(check.Output, ": OK$", RegexOptions.Multiline));
        Assert.Equal(email, await File.ReadAllBytesAsync(Path.Combine(extracted, "evidence", "01-kiristysviesti_ao.eml")));
        Assert.Equal(receipt, await File.ReadAllBytesAsync(Path.Combine(extracted, "documents", "01-kuitti-terapia.pdf")));

        var text = await CaseFileSteps.PdfTextAsync(Path.Combine(extracted, pdfName));
        Assert.Contains($"{title} {filed.Reference}", text, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(email)), text, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(receipt)), text, StringComparison.Ordinal);
        Assert.Contains("kiristysviesti äö.eml", text, StringComparison.Ordinal);
        Assert.Contains(diaryHeading, text, StringComparison.Ordinal);
        Assert.Contains(therapyVisit, text, StringComparison.Ordinal);
        Assert.Contains(diaryText, text, StringComparison.Ordinal);
        Assert.Contains("An email said my therapy notes would be published", text, StringComparison.Ordinal);
        Assert.Contains("sha256sum -c SHA256SUMS", text, StringComparison.Ordinal);
        var receivedAt = await factory.QueryAsync(db => db.EvidenceFiles.Where(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Evidence).Select(e => e.ReceivedAt).SingleAsync());
        var helsinki = TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(receivedAt, DateTimeKind.Utc)), TimeZoneInfo.FindSystemTimeZoneById("Europe/Helsinki"));
        Assert.Contains(helsinki.ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.DoesNotContain(" UTC", text, StringComparison.Ordinal);

        var downloaded = await factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.CaseId == filed.Id && a.Action == AuditActions.CaseFileDownloaded).ToListAsync());
        var entry = Assert.Single(downloaded);
        Assert.Equal((AuditActor.Victim, null, "2"), (entry.ActorKind, entry.IpAddress, entry.Detail));
    }

    [Theory]
    [InlineData("en", "Other or not sure")]
    [InlineData("fi", "Muu tai en ole varma")]
    [InlineData("sv", "Annan eller osäker")]
    public async Task CaseFile_OfABreachNamedOtherOrNotSure_SaysSoInTheVictimsLanguage(string language, string other)
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory, new Dictionary<string, string?> { ["BreachOrganisation"] = "other" }, language);

        using var response = await CaseFileSteps.DownloadAsync(victim, filed.ReceiptKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var extracted = await CaseFileSteps.UnzipAsync(await response.Content.ReadAsByteArrayAsync());
        var text = await CaseFileSteps.PdfTextAsync(Path.Combine(extracted, $"case-file-{filed.Reference}.pdf"));
        Assert.Contains(other, text, StringComparison.Ordinal);
        Assert.DoesNotContain(text.Split('\n'), line => line.Trim() == "other" || line.TrimEnd().EndsWith(" other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CaseFile_OfALongDiary_BreaksAcrossPages_AndHoldsTheReportNumberAndPartners()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        for (var i = 0; i < 40; i++)
        {
            (await CaseFileSteps.AddEntryAsync(victim, $"Entry {i:00}: " + string.Concat(Enumerable.Repeat("a long day of calls and letters ", 12)) + $"END-{i:00}", date: $"2026-11-{1 + (i % 20):00}")).Dispose();
        }

        var partner = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Police, "uusimaa");
        await factory.QueryAsync(async db =>
        {
            var now = factory.Clock.GetUtcNow().UtcDateTime;
            var referral = new Referral { CaseId = filed.Id, PartnerType = PartnerType.Police, PartnerId = partner.Id, Status = ReferralStatus.Accepted, CreatedAt = now, UpdatedAt = now, PoliceReportNumber = "5500/R/98765/26" };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            db.ReferralAssignments.Add(new ReferralAssignment { ReferralId = referral.Id, PartnerId = partner.Id, AssignedAt = now });
            return await db.SaveChangesAsync();
        });

        using var response = await CaseFileSteps.DownloadAsync(victim, filed.ReceiptKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var extracted = await CaseFileSteps.UnzipAsync(await response.Content.ReadAsByteArrayAsync());
        var pdf = Path.Combine(extracted, $"case-file-{filed.Reference}.pdf");
        var info = await BundleDownloads.RunAsync("/usr/bin/pdfinfo", extracted, pdf);
        var pages = int.Parse(Regex.Match(info.Output, @"^Pages:\s+(\d+)", RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pages >= 4, $"{pages} page(s) for a diary of 40 long entries");
        var text = await CaseFileSteps.PdfTextAsync(pdf);
        Assert.All(Enumerable.Range(0, 40), i => Assert.Contains($"END-{i:00}", text, StringComparison.Ordinal));
        Assert.Contains("5500/R/98765/26", text, StringComparison.Ordinal);
        Assert.Contains(partner.Name, text, StringComparison.Ordinal);
        Assert.Contains($"{filed.Reference} · page {pages} of {pages}", text, StringComparison.Ordinal);
        var check = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", "SHA256SUMS");
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
    }

    [Fact]
    public async Task WrongReceiptKey_GetsThePageAgainWithOneMessage_AndIsAudited_AndSendsNothing()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        var (_, other) = await CaseFileSteps.FileAsync(factory);

        foreach (var key in new[] { other.ReceiptKey, "not a key", "" })
        {
            using var response = await CaseFileSteps.DownloadAsync(victim, key);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var page = await HtmlForms.ParseAsync(response);
            Assert.Equal("#receiptKey", page.QuerySelector(".error-summary a")?.GetAttribute("href"));
            Assert.Equal("", page.QuerySelector("#receiptKey")?.GetAttribute("value") ?? "");
        }

        var refused = await factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.CaseId == filed.Id && a.Action == AuditActions.CaseFileRefused).ToListAsync());
        Assert.Equal(3, refused.Count);
        Assert.All(refused, a => Assert.Null(a.Detail));
        Assert.False(await factory.QueryAsync(db => db.AuditEntries.AnyAsync(a => a.CaseId == filed.Id && a.Action == AuditActions.CaseFileDownloaded)));
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(other.ReceiptKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyField_ShowsWhatIsTyped_LikeTheOpenPage()
    {
        var (victim, _) = await CaseFileSteps.FileAsync(factory);

        var page = await victim.GetPageAsync("/status/case-file");

        var field = page.QuerySelector("#receiptKey");
        Assert.Equal("text", field?.GetAttribute("type"));
        Assert.Equal("receipt-input", field?.GetAttribute("class"));
        Assert.Equal("characters", field?.GetAttribute("autocapitalize"));
        Assert.Equal("off", field?.GetAttribute("autocomplete"));
        Assert.Equal("false", field?.GetAttribute("spellcheck"));
        Assert.Equal("receiptKey-hint", field?.GetAttribute("aria-describedby"));
    }

    [Fact]
    public async Task DamagedFile_IsRefusedWithAPage_AndSupervisorsAreAlerted()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        (await CaseFileSteps.UploadDocumentAsync(victim, "letter.pdf", "application/pdf", Encoding.ASCII.GetBytes("%PDF-1.4\n% letter " + Guid.NewGuid() + "\n%%EOF\n"))).Dispose();
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var fileId = await factory.QueryAsync(db => db.EvidenceFiles.Where(e => e.CaseId == filed.Id).Select(e => e.Id).SingleAsync());
        var path = Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "evidence"), fileId.ToString("N") + ".pev", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^20] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        using var response = await CaseFileSteps.DownloadAsync(victim, filed.ReceiptKey);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.NotNull((await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=case-file-error]"));
        var alert = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.Contains(filed.Reference, alert.Subject + alert.TextBody, StringComparison.Ordinal);
        Assert.True(await factory.QueryAsync(db => db.AuditEntries.AnyAsync(a => a.CaseId == filed.Id && a.Action == AuditActions.EvidenceTampered && a.Subject == fileId.ToString())));
    }

    [Fact]
    public async Task CaseFilePages_AnswerAnotherCasesDocumentAsNotFound()
    {
        var (owner, _) = await CaseFileSteps.FileAsync(factory);
        (await CaseFileSteps.UploadDocumentAsync(owner, "mine.pdf", "application/pdf", CaseFileSteps.ReceiptPdf)).Dispose();
        var ownerPage = await owner.GetPageAsync("/status/documents");
        var id = ownerPage.QuerySelector("[data-testid=document]")?.Id?["document-".Length..] ?? "";
        var (other, _) = await CaseFileSteps.FileAsync(factory);
        var otherPage = await other.GetPageAsync("/status/documents");
        var token = otherPage.QuerySelector("input[name='__af']")?.GetAttribute("value") ?? "";

        using var share = await other.PostAsync($"/status/documents/{id}/share", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["shared"] = "true" }));
        using var delete = await other.PostAsync($"/status/documents/{id}/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));

        Assert.Equal(HttpStatusCode.NotFound, share.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        var row = await factory.QueryAsync(db => db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Id == Guid.Parse(id)));
        Assert.False(row.Shared);
        Assert.True(factory.Services.GetRequiredService<IEvidenceStore>().Exists(row.Id));
    }
}
