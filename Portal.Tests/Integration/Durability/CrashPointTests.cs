using AngleSharp.Dom;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Durability;

/// <summary>
/// The portal as a real process, killed (SIGKILL) at the named moments between the steps of a
/// use case, then started again on the same data: what was acknowledged is kept and audited,
/// what was not leaves nothing that could be mistaken for it, and the victim can carry on.
/// </summary>
public sealed class CrashPointTests : IAsyncLifetime
{
    /// <summary>In process, for what staff and the tests read; its data directory, keys and database are the nodes'.</summary>
    private readonly SqlitePortalFactory portal = new();

    public async Task InitializeAsync()
    {
        await portal.InitializeAsync();
        _ = portal.Server;
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)portal).DisposeAsync();

    [Fact]
    public async Task KilledAfterTheReportCommitted_TheResendGetsAKeyThatOpensTheCase_AndTheReportIsAuditedOnce()
    {
        var (doomed, client) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.ReportCommitted);
        await using (doomed)
        {
            var form = await client.GetPageAsync("/report");
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.SubmitAsync(form, "/report", ReportAnswers.Valid("killed while answering")));
            await doomed.WaitForCrashAsync();

            var (node, _) = await PortalNodeProcess.StartServingAsync(portal, client: client);
            await using (node)
            {
                // The browser resends the form it still has.
                using var resent = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("killed while answering"));
                Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
                var page = await HtmlForms.ParseAsync(resent);
                var reference = page.QuerySelector("[data-testid=reference]")?.TextContent ?? "";
                var key = page.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";
                Assert.NotNull(page.QuerySelector("[data-testid=receipt-reissued]"));
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/status")).StatusCode);

                var caseId = await portal.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
                var actions = await portal.QueryAsync(db => db.AuditEntries.Where(e => e.CaseId == caseId).Select(e => e.Action).ToListAsync());
                Assert.Single(actions, AuditActions.ReportSubmitted);
                Assert.Single(actions, AuditActions.ReceiptReissued);
                Assert.True(await OpensAsync(node, client, reference, key));
            }
        }

        Assert.True((await AuditVerificationAsync()).IsIntact);
    }

    [Fact]
    public async Task KilledAfterAReportFromTheStepsCommitted_ItsDraftIsAlreadyMarkedSent_SoTheFormStartsAfresh_AndTheResendGetsAKey()
    {
        var (doomed, client) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.ReportCommitted);
        var answers = ReportAnswers.Valid("killed after the check step");
        IDocument check;
        await using (doomed)
        {
            check = await ReportStepsWalk.WalkAsync(client, answers);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.SubmitAsync(check, "/report", new Dictionary<string, string?>()));
            await doomed.WaitForCrashAsync();
        }

        // Marked in the report's own transaction: the draft names its case although the process died before answering.
        var caseId = await LatestCaseAsync();
        Assert.Equal(caseId, await portal.QueryAsync(db => db.ReportDrafts.Select(d => d.SubmittedCaseId).SingleAsync()));

        var (node, _) = await PortalNodeProcess.StartServingAsync(portal, client: client);
        await using (node)
        {
            var fresh = await client.GetPageAsync("/report");
            Assert.Null(fresh.QuerySelector("[data-testid=resumed]"));
            Assert.Equal("safety", fresh.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));

            using var resent = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
            var page = await HtmlForms.ParseAsync(resent);
            Assert.NotNull(page.QuerySelector("[data-testid=receipt-reissued]"));
            Assert.True(await OpensAsync(node, client, page.QuerySelector("[data-testid=reference]")?.TextContent ?? "", page.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? ""));
        }

        Assert.Equal(1, await portal.QueryAsync(db => db.Cases.CountAsync()));
        Assert.True((await AuditVerificationAsync()).IsIntact);
    }

    [Fact]
    public async Task KilledBetweenTheFileAndItsRow_NothingIsListedOrAudited_AndTheSameFileCanBeSentAgain()
    {
        var (doomed, client) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.EvidenceFileMoved);
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("killed between file and row"));
        Guid caseId;
        await using (doomed)
        {
            var token = await FileReportAsync(client);
            caseId = await LatestCaseAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", email));
            await doomed.WaitForCrashAsync();
        }

        Assert.Single(EvidenceBlobs());

        // Restarted with no grace for abandoned uploads: start-up recovery removes the unreferenced file.
        var (node, _) = await PortalNodeProcess.StartServingAsync(portal, client: client, extra: new Dictionary<string, string?> { ["Evidence:AbandonedUploadAge"] = "00:00:00" });
        await using (node)
        {
            Assert.Empty(EvidenceBlobs());
            Assert.False(await portal.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.CaseId == caseId)));
            Assert.False(await portal.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.CaseId == caseId && e.Action == AuditActions.EvidenceAdded)));

            var page = await EvidenceUploads.PageAsync(client);
            using var again = await EvidenceUploads.UploadAsync(client, EvidenceUploads.Token(page), "ransom.eml", "message/rfc822", email);
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
            Assert.Contains("added=", again.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KilledAfterTheRowCommitted_TheFileIsListed_OpensForStaff_AndIsReadAfterTheRestart()
    {
        var (doomed, client) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.EvidenceCommitted);
        Guid caseId;
        await using (doomed)
        {
            var token = await FileReportAsync(client);
            caseId = await LatestCaseAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("killed after the row"))));
            await doomed.WaitForCrashAsync();
        }

        // The job engine runs on this node: the analysis the dead node never started is picked up at start.
        var (node, _) = await PortalNodeProcess.StartServingAsync(portal, client: client, extra: new Dictionary<string, string?> { ["Jobs:Enabled"] = "true" });
        await using (node)
        {
            var file = await portal.QueryAsync(db => db.EvidenceFiles.SingleAsync(e => e.CaseId == caseId));
            var listed = await EvidenceUploads.PageAsync(client);
            Assert.NotNull(listed.QuerySelector($"#file-{file.Id}"));

            await using (var scope = portal.Services.CreateAsyncScope())
            {
                var read = await scope.ServiceProvider.GetRequiredService<ReadEvidenceHandler>().HandleAsync(new ReadEvidence(caseId, file.Id), CancellationToken.None);
                Assert.IsType<ReadEvidenceResult.Verified>(read);
            }

            var actions = await portal.QueryAsync(db => db.AuditEntries.Where(e => e.CaseId == caseId).Select(e => e.Action).ToListAsync());
            Assert.Single(actions, AuditActions.EvidenceAdded);
            Assert.DoesNotContain(AuditActions.EvidenceTampered, actions);

            await Eventually.WaitAsync(
                async () => await portal.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.Id == file.Id && e.AnalysisState == AnalysisState.Done)),
                "the restarted node to read the file", TimeSpan.FromSeconds(60));
            Assert.True(await portal.QueryAsync(db => db.CaseIndicators.AnyAsync(i => i.EvidenceFileId == file.Id)));
        }
    }

    [Fact]
    public async Task KilledWhileReadingAFile_TheRestartReadsItAgain_AndAFileThatAlwaysKillsIsGivenUp()
    {
        var jobs = new Dictionary<string, string?> { ["Jobs:Enabled"] = "true", ["Evidence:MaxAnalysisAttempts"] = "2" };
        var (doomed, client) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.AnalysisStarted, jobs);
        Guid fileId;
        await using (doomed)
        {
            var token = await FileReportAsync(client);
            try
            {
                // The file is kept before the reading starts; the reading may kill the process
                // before or after the answer has gone out.
                using var uploaded = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("killed while read")));
                Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
            }
            catch (HttpRequestException)
            {
                Assert.True(doomed.HasExited || await portal.QueryAsync(db => db.EvidenceFiles.AnyAsync()));
            }

            await doomed.WaitForCrashAsync();
            fileId = await portal.QueryAsync(db => db.EvidenceFiles.Select(e => e.Id).SingleAsync());
        }

        // The file kills the reader again: its second attempt is its last.
        var (again, _) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.AnalysisStarted, jobs, client, mayCrashAtStart: true);
        await using (again)
        {
            await again.WaitForCrashAsync();
        }

        var (node, _) = await PortalNodeProcess.StartServingAsync(portal, extra: jobs, client: client);
        await using (node)
        {
            await Eventually.WaitAsync(
                async () => await portal.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.Id == fileId && e.AnalysisState == AnalysisState.Failed)),
                "the file to be given up after its attempts", TimeSpan.FromSeconds(60));
            var file = await portal.QueryAsync(db => db.EvidenceFiles.SingleAsync(e => e.Id == fileId));
            Assert.Equal(3, file.AnalysisAttempts);
            Assert.Null(file.ParsedEnvelope);

            // Kept whole all the same, and the victim's page no longer says it is being read.
            var page = await EvidenceUploads.PageAsync(client);
            Assert.NotNull(page.QuerySelector($"#file-{fileId}"));
            Assert.Null(page.QuerySelector("[data-testid=analysis-pending]"));
        }
    }

    private async Task<string> FileReportAsync(HttpClient client)
    {
        var form = await client.GetPageAsync("/report");
        using var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        return EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
    }

    private Task<Guid> LatestCaseAsync() =>
        portal.QueryAsync(db => db.Cases.OrderByDescending(c => c.CreatedAt).Select(c => c.Id).FirstAsync());

    private List<string> EvidenceBlobs()
    {
        var directory = Path.Combine(portal.DataDirectory, "evidence");
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.pev*", SearchOption.AllDirectories).ToList() : [];
    }

    private async Task<AuditVerification> AuditVerificationAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(CancellationToken.None);
    }

    private static async Task<bool> OpensAsync(PortalNodeProcess node, HttpClient victim, string reference, string key)
    {
        using var other = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = victim.BaseAddress };
        var open = await other.GetPageAsync("/status/open");
        using var response = await other.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = reference, ["ReceiptKey"] = key });
        Assert.False(node.HasExited);
        return response.StatusCode == HttpStatusCode.Redirect;
    }
}
