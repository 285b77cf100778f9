using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Email;
using Portal.Tests.Support;
using Portal.Web.Controllers;

namespace Portal.Tests.Integration.Evidence;

/// <summary>
/// The case view for volunteers, and files released only by an explicit, reasoned, audited
/// action: as a download, after the integrity check, and only for the case they belong to.
/// </summary>
public sealed class StaffEvidenceDownloadTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task CaseView_ShowsAnswersParsedHeadersIndicatorsAndTimeline_AndIsAudited()
    {
        var (caseId, _) = await UploadAsync("ransom.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay 0.3 BTC within 24 hours.")));
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);

        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");

        Assert.Contains("therapy notes would be published", page.QuerySelector("[data-testid=narrative]")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("ransom@extortion.example", page.QuerySelector("[data-testid=parsed-email]")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", page.QuerySelector("[data-testid=indicators]")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("Bitcoin address", page.QuerySelector("[data-testid=indicators]")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(IndicatorKind.BitcoinAddress), page.QuerySelector("[data-testid=indicators]")?.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=no-indicators]"));
        var timeline = page.QuerySelector("[data-testid=timeline]")?.TextContent ?? "";
        Assert.Contains("Report submitted", timeline, StringComparison.Ordinal);
        Assert.Contains("Evidence added", timeline, StringComparison.Ordinal);
        Assert.DoesNotContain(AuditActions.ReportSubmitted, timeline, StringComparison.Ordinal);
        Assert.DoesNotContain(AuditActions.EvidenceAdded, timeline, StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(AuditActions.CaseViewed), e => e.CaseId == caseId);
    }

    [Fact]
    public async Task CaseView_EmailWithoutDateOrHopAddress_SaysSo_AndShowsTheReadersWarningsTranslated()
    {
        // No Date header is a fact of the email, not a question the victim skipped; the reader's warnings used to reach only the bundle.
        var email = Encoding.UTF8.GetBytes("""
            Received: from relay.extortion.example by mx.victim.example; Thu, 22 Oct 2020 09:14:03 +0300
            From: "Ransom Team" <ransom@extortion.example>
            To: victim@victim.example
            Subject: No date here
            Content-Type: multipart/mixed

            Pay now.
            """.ReplaceLineEndings("\r\n"));
        var (caseId, _) = await UploadAsync("undated.eml", email);
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var staffHome = await volunteer.GetPageAsync("/staff");
        using (var finnish = await volunteer.SubmitAsync(staffHome, "/language", new Dictionary<string, string?> { ["language"] = "fi", ["returnUrl"] = "/staff" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, finnish.StatusCode);
        }

        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");

        Assert.Equal("Ei ilmene viestistä", page.QuerySelector("[data-testid=email-date]")?.TextContent.Trim());
        Assert.Equal("relay.extortion.example → mx.victim.example", page.QuerySelector("[data-testid=email-received] li")?.TextContent.Trim());
        var warnings = page.QuerySelectorAll("[data-testid=email-warnings] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Contains("Moniosaiselta osalta puuttuu rajamerkkijono (boundary); sen sisältö luettiin pelkkänä tekstinä.", warnings);
        Assert.Null(page.QuerySelector("[data-testid=analysis-status]"));
    }

    [Fact]
    public async Task CaseView_ShowsTheParsedHeadersOfAnOutlookMessage_AndSaysWhenOneCouldNotBeRead()
    {
        var msg = OutlookMessageBuilder.FromInternetMessage(
            EvidenceUploads.SampleEmail("Pay 0.4 BTC within 24 hours."), "Your therapy records", "Ransom Team", "ransom@extortion.example").ToArray();
        var (caseId, _) = await UploadAsync("ransom.msg", msg);
        var (brokenCaseId, _) = await UploadAsync("broken.msg", msg[..1536]);
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);

        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        var parsed = page.QuerySelector("[data-testid=parsed-email]")?.TextContent ?? "";
        Assert.Contains("ransom@extortion.example", parsed, StringComparison.Ordinal);
        Assert.Contains("mail.extortion.example [203.0.113.9] → mx.victim.example", parsed, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=email-warnings]"));
        Assert.Contains("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", page.QuerySelector("[data-testid=indicators]")?.TextContent, StringComparison.Ordinal);

        var broken = await volunteer.GetPageAsync($"/staff/cases/{brokenCaseId}");
        Assert.StartsWith(OutlookMessageReader.Unreadable, broken.QuerySelector("[data-testid=email-warnings] li")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(broken.QuerySelector("[data-testid=no-indicators]"));
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Supervisor)]
    public async Task OpenWithReason_GivesTheOriginalBytes_AsAnAttachmentThatNeverRenders_AndIsAudited(string role)
    {
        var original = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("download " + Guid.NewGuid()));
        var (caseId, evidenceId) = await UploadAsync("viesti äöå \"quoted\".eml", original);
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);
        var page = await staff.GetPageAsync($"/staff/cases/{caseId}");

        using var response = await staff.SubmitAsync(page, $"/staff/cases/{caseId}/evidence/{evidenceId}/open", new Dictionary<string, string?> { ["reason"] = "Checking the headers for police" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(original, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Equal("viesti äöå \"quoted\".eml", disposition?.FileNameStar);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(AuditActions.EvidenceOpened), e => e.Subject == evidenceId.ToString() && e.Detail == "Checking the headers for police" && e.IpAddress != null);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("four")]
    [InlineData(null)]
    public async Task OpenWithoutReason_IsRefused_AndReleasesNothing(string? reason)
    {
        // Null stands for a reason past the field's maxlength, which only a hand-made form sends: refused, never cut into the trail.
        reason ??= new string('w', CaseController.MaximumReasonLength + 1);
        var secret = "NO-REASON-" + Guid.NewGuid().ToString("N");
        var (caseId, evidenceId) = await UploadAsync("r.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail(secret)));
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");

        var views = (await AuditAsync(AuditActions.CaseViewed)).Count(e => e.CaseId == caseId);
        using var response = await volunteer.SubmitAsync(page, $"/staff/cases/{caseId}/evidence/{evidenceId}/open", new Dictionary<string, string?> { ["reason"] = reason });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull((await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reason-error]"));
        Assert.DoesNotContain(await AuditAsync(AuditActions.EvidenceOpened), e => e.Subject == evidenceId.ToString());

        // The case page it shows again is a showing of the case like any other: recorded.
        Assert.Equal(views + 1, (await AuditAsync(AuditActions.CaseViewed)).Count(e => e.CaseId == caseId));
    }

    [Fact]
    public async Task EvidenceOfAnotherCase_OrAnUnknownCase_Is404_AndAuditedAsADenial()
    {
        var (_, evidenceId) = await UploadAsync("a.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("a " + Guid.NewGuid())));
        var (otherCaseId, _) = await UploadAsync("b.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("b " + Guid.NewGuid())));
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync($"/staff/cases/{otherCaseId}");
        var unknownCase = Guid.NewGuid();

        // The page offers no such form, so the request is made by hand, as an attacker would.
        var token = page.QuerySelector("form.open-evidence input[name=__af]")?.GetAttribute("value") ?? "";
        using var crossed = await supervisor.PostAsync($"/staff/cases/{otherCaseId}/evidence/{evidenceId}/open", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["reason"] = "trying another case's file" }));
        using var unknown = await supervisor.GetAsync($"/staff/cases/{unknownCase}");

        Assert.Equal(HttpStatusCode.NotFound, crossed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var denials = await AuditAsync(AuditActions.AccessDenied);
        Assert.Contains(denials, e => e.CaseId == otherCaseId && e.Subject == evidenceId.ToString());
        Assert.Contains(denials, e => e.Subject == unknownCase.ToString());
    }

    [Theory]
    [InlineData(StaffRoles.Police)]
    [InlineData(StaffRoles.Admin)]
    public async Task OtherRoles_CannotSeeCases(string role)
    {
        var (caseId, _) = await UploadAsync("c.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("c " + Guid.NewGuid())));
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);

        using var response = await staff.GetAsync($"/staff/cases/{caseId}");

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
        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");

        using var response = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/evidence/{evidenceId}/open", new Dictionary<string, string?> { ["reason"] = "checking the original" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("failed its integrity check", StringComparison.Ordinal) && l.Contains(evidenceId.ToString(), StringComparison.Ordinal));
        Assert.Contains(await AuditAsync(AuditActions.EvidenceTampered), e => e.Subject == evidenceId.ToString());
    }

    private async Task<List<AuditEntry>> AuditAsync(string action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking().Where(e => e.Action == action).ToListAsync();
    }

    private async Task<(Guid CaseId, Guid EvidenceId)> UploadAsync(string fileName, byte[] content)
    {
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory);
        using var response = await EvidenceUploads.UploadAsync(client, token, fileName, null, content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var evidenceId = Guid.Parse(System.Text.RegularExpressions.Regex.Match(response.Headers.Location?.OriginalString ?? "", "added=([0-9a-f-]{36})").Groups[1].Value);
        await EvidenceUploads.AnalysePendingAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.Where(e => e.Id == evidenceId).Select(e => e.CaseId).SingleAsync();
        return (caseId, evidenceId);
    }
}
