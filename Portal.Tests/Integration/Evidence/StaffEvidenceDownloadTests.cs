using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Evidence;

/// <summary>Staff get the original bytes only as a download, only after the integrity check, only for the right case.</summary>
public sealed class StaffEvidenceDownloadTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task Supervisor_DownloadsTheOriginalBytes_AsAnAttachmentThatNeverRenders()
    {
        var original = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("download " + Guid.NewGuid()));
        var (caseId, evidenceId) = await UploadAsync("viesti äöå \"quoted\".eml", original);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        using var response = await supervisor.GetAsync($"/staff/cases/{caseId}/evidence/{evidenceId}/download");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(original, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Equal("viesti äöå \"quoted\".eml", disposition?.FileNameStar);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvidenceOfAnotherCase_IsNotFound()
    {
        var (_, evidenceId) = await UploadAsync("a.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("a " + Guid.NewGuid())));
        var (otherCaseId, _) = await UploadAsync("b.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("b " + Guid.NewGuid())));
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        using var response = await supervisor.GetAsync($"/staff/cases/{otherCaseId}/evidence/{evidenceId}/download");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Admin)]
    public async Task OtherRoles_CannotDownloadYet(string role)
    {
        var (caseId, evidenceId) = await UploadAsync("c.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("c " + Guid.NewGuid())));
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);

        using var response = await staff.GetAsync($"/staff/cases/{caseId}/evidence/{evidenceId}/download");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedFile_IsReportedAndNeverServed()
    {
        var secret = "TAMPER-" + Guid.NewGuid().ToString("N");
        var (caseId, evidenceId) = await UploadAsync("t.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail(secret + new string('x', 100_000))));
        var blob = Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "evidence"), evidenceId.ToString("N") + ".pev", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[^20] ^= 0x40;
        await File.WriteAllBytesAsync(blob, bytes);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        using var response = await supervisor.GetAsync($"/staff/cases/{caseId}/evidence/{evidenceId}/download");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("failed its integrity check", StringComparison.Ordinal) && l.Contains(evidenceId.ToString(), StringComparison.Ordinal));
    }

    private async Task<(Guid CaseId, Guid EvidenceId)> UploadAsync(string fileName, byte[] content)
    {
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory);
        using var response = await EvidenceUploads.UploadAsync(client, token, fileName, null, content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var evidenceId = Guid.Parse(System.Text.RegularExpressions.Regex.Match(response.Headers.Location?.OriginalString ?? "", "added=([0-9a-f-]{36})").Groups[1].Value);
        await using var scope = factory.Services.CreateAsyncScope();
        var caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.Where(e => e.Id == evidenceId).Select(e => e.CaseId).SingleAsync();
        return (caseId, evidenceId);
    }
}
