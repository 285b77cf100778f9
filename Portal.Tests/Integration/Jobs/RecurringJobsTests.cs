using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;
using Portal.Core.Features.Supervision;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.Jobs;

/// <summary>Retention and the urgent-case alert, run by the real scheduler with the test clock moved forward.</summary>
public abstract class RecurringJobsTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, IJobsPortal, new()
{
    private readonly TFactory portal = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)portal).InitializeAsync();
        _ = portal.Server;
    }

    public Task DisposeAsync() => ((IAsyncLifetime)portal).DisposeAsync();

    /// <summary>Files a report whose victim answered yes to self-harm (an urgent case); returns its reference.</summary>
    private async Task<string> NewUrgentCaseAsync()
    {
        var answers = ReportAnswers.Valid();
        answers["RiskSelfHarm"] = "true";
        var (client, _) = await EvidenceUploads.NewCaseAsync(portal, answers);
        client.Dispose();
        return await portal.QueryAsync(db => db.Cases.Where(c => c.Priority == CasePriority.Urgent).Select(c => c.Reference).SingleAsync());
    }

    [Fact]
    public async Task Retention_RemovesContentOfOldClosedCases_KeepsTheRowForCounts_AndTheAuditChainVerifies()
    {
        var canary = "CANARY-" + Guid.NewGuid().ToString("N");
        var old = await FileWithEvidenceAsync();
        var open = await FileWithEvidenceAsync();
        var staff = await StaffAccounts.CreateAsync(portal, StaffRoles.Volunteer);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var now = portal.Clock.GetUtcNow().UtcDateTime;
            await db.Cases.Where(c => c.Id == old).ExecuteUpdateAsync(c => c
                .SetProperty(x => x.Status, CaseStatus.Closed).SetProperty(x => x.UpdatedAt, now)
                .SetProperty(x => x.SenderAddress, "extortionist@example.net").SetProperty(x => x.PaymentAddress, "bc1qexample"));
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            await audit.AppendAsync(AuditEvent.Staff(AuditActions.EvidenceOpened, staff.Email, null, old, "file", $"victim asked me to read it {canary}"), CancellationToken.None);
            await audit.AppendAsync(AuditEvent.Staff(AuditActions.EvidenceOpened, staff.Email, null, open, "file", $"still open {canary}"), CancellationToken.None);
        }

        Assert.Equal(2, EvidenceBlobs().Count);
        portal.Clock.Advance(TimeSpan.FromDays(366));

        portal.RunRecurring(PortalJobKeys.Retention);
        await Eventually.WaitAsync(() => portal.QueryAsync(db => db.Cases.AnyAsync(c => c.Id == old && c.RetainedAt != null)), "the old closed case to be retained");

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
            var retained = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == old);
            Assert.Equal(CaseStatus.Closed, retained.Status);
            Assert.Equal("", cipher.OpenString(retained.NarrativeEnvelope));
            Assert.Null(retained.ContactEnvelope);
            Assert.Null(retained.SenderAddress);
            Assert.Null(retained.PaymentAddress);
            Assert.Equal(2, await db.Cases.CountAsync());
            Assert.False(await db.EvidenceFiles.AnyAsync(e => e.CaseId == old));
            Assert.False(await db.CaseIndicators.AnyAsync(i => i.CaseId == old));

            // The open case is untouched: its file, text and audit detail remain.
            Assert.True(await db.EvidenceFiles.AnyAsync(e => e.CaseId == open));
            Assert.Contains("my therapy notes", cipher.OpenString((await db.Cases.AsNoTracking().SingleAsync(c => c.Id == open)).NarrativeEnvelope));
            Assert.True(await db.AuditEntries.AnyAsync(e => e.CaseId == open && e.Detail != null && e.Detail.Contains(canary)));

            // Audit entries stay, the typed reason does not, and the chain still verifies.
            var entries = await db.AuditEntries.AsNoTracking().Where(e => e.CaseId == old).ToListAsync();
            var opened = Assert.Single(entries, e => e.Action == AuditActions.EvidenceOpened);
            Assert.Null(opened.Detail);
            Assert.NotNull(opened.RedactedDetailDigest);
            Assert.Contains(entries, e => e.Action == AuditActions.ReportSubmitted && e.Detail != null);
            Assert.Contains(entries, e => e.Action == AuditActions.CaseRetained);
            Assert.DoesNotContain(entries, e => e.Action == AuditActions.EvidenceAdded && e.Detail != null);
            var verification = await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(CancellationToken.None);
            Assert.True(verification.IsIntact, verification.Problem);
        }

        Assert.Single(EvidenceBlobs());
        if (portal is SqliteJobsPortal sqlite)
        {
            SqliteConnection.ClearAllPools();
            var bytes = File.ReadAllBytes(sqlite.DatabaseFile);
            var wal = sqlite.DatabaseFile + "-wal";
            var walBytes = File.Exists(wal) ? File.ReadAllBytes(wal) : [];
            var canaryBytes = Encoding.UTF8.GetBytes("victim asked me to read it");
            Assert.Equal(-1, bytes.AsSpan().IndexOf(canaryBytes));
            Assert.Equal(-1, walBytes.AsSpan().IndexOf(canaryBytes));
        }

        // Running it again changes nothing more.
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Retention.ApplyRetentionHandler>().HandleAsync(CancellationToken.None);
            Assert.Equal(0, again.CasesRetained);
        }
    }

    [Fact]
    public async Task ARetainedCase_EndsItsSessions_OpensToAPageThatSaysSo_TakesNoMessage_AndLosesAnythingThatReachesItAnyway()
    {
        var victim = await VictimSteps.FileAsync(portal, new Dictionary<string, string?> { ["ContactPreference"] = "Email", ["ContactEmail"] = "retained@example.org" });
        Assert.True(await VictimSteps.SeesCaseAsync(victim.Client));
        await portal.QueryAsync(db => db.Cases.Where(c => c.Id == victim.Case.Id).ExecuteUpdateAsync(c => c.SetProperty(x => x.Status, CaseStatus.Closed)));
        portal.Clock.Advance(TimeSpan.FromDays(366));
        Assert.Equal(1, (await RetainAsync()).CasesRetained);

        // The session open before retention ends with it; the receipt opens a page that says what happened, and no session.
        Assert.False(await VictimSteps.SeesCaseAsync(victim.Client));
        var browser = portal.CreatePortalClient();
        var open = await browser.GetPageAsync("/status/open");
        using (var opened = await browser.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = victim.Case.Reference, ["ReceiptKey"] = victim.Case.ReceiptKey }))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, opened.StatusCode);
            Assert.Contains("its details were removed", (await HtmlForms.ParseAsync(opened)).QuerySelector("[data-testid=case-retained]")?.TextContent, StringComparison.Ordinal);
        }

        Assert.False(await VictimSteps.SeesCaseAsync(browser));

        // Staff are offered no message form, and a message sent by hand is refused.
        var supervisor = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Supervisor);
        var casePage = await supervisor.GetPageAsync($"/staff/cases/{victim.Case.Id}");
        Assert.Null(casePage.QuerySelector("[data-testid=message-form]"));
        var token = casePage.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
        using (var sent = await supervisor.PostAsync($"/staff/cases/{victim.Case.Id}/messages", new FormUrlEncodedContent([new("__af", token), new("Body", "Anyone there?")])))
        {
            Assert.Equal(System.Net.HttpStatusCode.Conflict, sent.StatusCode);
            Assert.StartsWith("This case's content was removed", (await HtmlForms.ParseAsync(sent)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        Assert.False(await portal.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == victim.Case.Id)));

        // Whatever reaches a retained case all the same is removed by the next run, not kept for ever.
        var cipher = portal.Services.GetRequiredService<EnvelopeCipher>();
        await portal.QueryAsync(async db =>
        {
            db.CaseMessages.Add(new CaseMessage { CaseId = victim.Case.Id, Direction = MessageDirection.FromVictim, BodyEnvelope = cipher.SealString("slipped through"), SentAt = portal.Clock.GetUtcNow().UtcDateTime });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(1, (await RetainAsync()).CasesRetained);
        Assert.False(await portal.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == victim.Case.Id)));
        Assert.Equal(0, (await RetainAsync()).CasesRetained);
    }

    private async Task<Portal.Core.Features.Retention.RetentionResult> RetainAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Retention.ApplyRetentionHandler>().HandleAsync(CancellationToken.None);
    }

    [Fact]
    public async Task UrgentCaseUnclaimedFor15Minutes_AlertsSupervisorsOnce()
    {
        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var reference = await NewUrgentCaseAsync();

        // Not yet 15 minutes: nothing is due.
        portal.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, await RunAlertAsync());

        portal.Clock.Advance(TimeSpan.FromMinutes(2));
        portal.RunRecurring(PortalJobKeys.UrgentAlert);
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.Contains(reference, mail.TextBody);
        Assert.DoesNotContain("therapy", mail.TextBody);
        await Eventually.WaitAsync(() => portal.QueryAsync(db => db.SupervisorAlerts.AnyAsync(a => a.SentAt != null)), "the alert to be marked sent");

        portal.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, await RunAlertAsync());
        Assert.Single(TestMailbox.Smtp.To(supervisor.Email));
    }

    [Fact]
    public async Task UrgentAlert_WithOneSupervisorsAddressRefused_ReachesTheOther_AndIsMarkedSent()
    {
        // The mail server refuses this mailbox at RCPT TO (infra/smtp_sink.py), as a relay refuses one it knows is gone.
        var gone = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor, email: $"refused-{Guid.NewGuid():N}@portal.test");
        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var reference = await NewUrgentCaseAsync();

        portal.Clock.Advance(TimeSpan.FromMinutes(16));
        await portal.WaitForJobAsync(portal.RunRecurring(PortalJobKeys.UrgentAlert), "Succeeded");

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.Contains(reference, mail.TextBody);
        var envelope = mail.Headers.First(h => h.Name.Equals("X-Envelope-To", StringComparison.OrdinalIgnoreCase)).Value;
        Assert.Equal(supervisor.Email, envelope.Trim(), ignoreCase: true);
        Assert.True(await portal.QueryAsync(db => db.SupervisorAlerts.AllAsync(a => a.SentAt != null)));

        // What was refused is logged as a count, without the address.
        Assert.Contains(portal.Logs.Lines, line => line.Contains("refused 1 of the 2 addresses", StringComparison.Ordinal));
        Assert.DoesNotContain(portal.Logs.Lines, line => line.Contains(gone.Email, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AnUpdateEmailThatCouldNotGo_IsSentByTheRecurringJob_Once()
    {
        var contact = $"victim-{Guid.NewGuid():N}@test.example";
        var answers = ReportAnswers.Valid();
        answers["ContactPreference"] = "Email";
        answers["ContactEmail"] = contact;
        var (client, _) = await EvidenceUploads.NewCaseAsync(portal, answers);
        client.Dispose();
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            // As the case page leaves it when the SMTP server was down at the time.
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var caseId = await db.Cases.Where(c => c.ContactPreference == ContactPreference.Email).OrderByDescending(c => c.CreatedAt).Select(c => c.Id).FirstAsync();
            db.CaseMessages.Add(new CaseMessage
            {
                CaseId = caseId,
                Direction = MessageDirection.ToVictim,
                BodyEnvelope = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>().SealString("Written while the mail server was down"),
                SentAt = portal.Clock.GetUtcNow().UtcDateTime,
                NotificationPending = true,
            });
            await db.SaveChangesAsync();
        }

        portal.RunRecurring(PortalJobKeys.VictimNotifications);
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));
        Assert.DoesNotContain("mail server was down", mail.TextBody, StringComparison.Ordinal);
        await Eventually.WaitAsync(() => portal.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.NotifiedAt != null && !m.NotificationPending)), "the message to be marked notified");

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Messaging.NotifyVictimsHandler>().HandleAsync(null, CancellationToken.None));
        }

        Assert.Single(TestMailbox.Smtp.To(contact));
    }

    [Fact]
    public async Task AnIntegrityAlertThatCouldNotGo_IsDue_AndSentByTheAlertJob_Once()
    {
        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var (client, _) = await EvidenceUploads.NewCaseAsync(portal);
        client.Dispose();
        Guid caseId;
        string reference;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            // As a bundle download leaves it when the mail server was down at the time.
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            (caseId, reference) = await db.Cases.OrderByDescending(c => c.CreatedAt).Select(c => new ValueTuple<Guid, string>(c.Id, c.Reference)).FirstAsync();
            db.SupervisorAlerts.Add(new SupervisorAlert { CaseId = caseId, Kind = SupervisorAlertKind.EvidenceIntegrity, RaisedAt = portal.Clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        }

        var takeOver = Portal.Core.Features.Bundles.EvidenceIntegrityAlert.TakeOverAfter(portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Portal.Core.Email.EmailOptions>>().Value);
        portal.Clock.Advance(takeOver + TimeSpan.FromSeconds(1));
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Jobs.DueWorkQuery>().HandleAsync(CancellationToken.None)).HasFlag(Portal.Core.Features.Jobs.DueWork.UrgentAlerts));
        }

        portal.RunRecurring(PortalJobKeys.UrgentAlert);
        var alert = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email), m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true);
        Assert.Contains($"/staff/cases/{caseId}", alert.TextBody, StringComparison.Ordinal);
        await Eventually.WaitAsync(() => portal.QueryAsync(db => db.SupervisorAlerts.AnyAsync(a => a.CaseId == caseId && a.SentAt != null)), "the alert to be marked sent");

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Bundles.EvidenceIntegrityAlert>().SendPendingAsync(CancellationToken.None));
        }

        Assert.Single(TestMailbox.Smtp.To(supervisor.Email), m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task AStaffMessage_NudgesTheNotificationJob_WhichEmailsTheVictimOnce()
    {
        var contact = $"victim-{Guid.NewGuid():N}@test.example";
        var answers = ReportAnswers.Valid();
        answers["ContactPreference"] = "Email";
        answers["ContactEmail"] = contact;
        var (victim, _) = await EvidenceUploads.NewCaseAsync(portal, answers);
        var reference = (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        victim.Dispose();
        var caseId = await portal.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        var volunteer = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Volunteer);
        (await volunteer.SubmitAsync(await volunteer.GetPageAsync("/staff/queue"), $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>())).Dispose();
        using (var sent = await volunteer.SubmitAsync(await volunteer.GetPageAsync($"/staff/cases/{caseId}"), $"/staff/cases/{caseId}/messages", new Dictionary<string, string?> { ["Body"] = "Told by the job" }))
        {
            Assert.Equal($"/staff/cases/{caseId}?sent=1#messages", sent.Headers.Location?.OriginalString);
        }

        // Nobody runs the job here: the send's nudge does, at once.
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));
        await Eventually.WaitAsync(() => portal.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == caseId && m.NotifiedAt != null && !m.NotificationPending)), "the message to be marked notified");

        // Another run (the schedule's), once the nudged one is over, finds nothing more to send or record.
        var nudged = portal.LastJobOf(PortalJobKeys.OfRecurring(PortalJobKeys.VictimNotifications)) ?? throw new InvalidOperationException("No notification job was enqueued.");
        await portal.WaitForJobAsync(nudged, "Succeeded");
        await portal.WaitForJobAsync(portal.RunRecurring(PortalJobKeys.VictimNotifications), "Succeeded");
        Assert.Single(TestMailbox.Smtp.To(contact));
        Assert.Equal(1, await portal.QueryAsync(db => db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.VictimNotified)));
    }

    [Fact]
    public async Task EvidenceAnalysis_WhileARunIsReading_ASecondRunReadsNothing_AndLeavesTheFileForTheNext()
    {
        // Two runs at once would both count an attempt on the same file (using up its tries) and
        // race each other's inserts of the case's indicators.
        var jobs = portal.Services.GetRequiredService<PortalRecurringJobs>();
        Guid fileId;
        using (var connection = portal.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection())
        using (connection.AcquireDistributedLock("portal:single-run:" + nameof(EvidenceAnalysisJob), TimeSpan.FromSeconds(5)))
        {
            // As a run elsewhere holds it: the upload's own nudge and a run by hand both end at once,
            // cancelled by the filter (Hangfire files such a job as deleted, not failed).
            var (client, token) = await EvidenceUploads.NewCaseAsync(portal);
            using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "demand.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail())))
            {
                Assert.Equal(System.Net.HttpStatusCode.Redirect, uploaded.StatusCode);
            }

            var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
            var second = await Eventually.WaitAsync(() => Task.FromResult(jobs.Enqueue(PortalJobKeys.EvidenceAnalysis)), "a run of the analysis to be enqueued");
            await portal.WaitForJobAsync(second, "Deleted");
            var waiting = await portal.QueryAsync(db => db.EvidenceFiles.AsNoTracking().SingleAsync(e => db.Cases.Any(c => c.Id == e.CaseId && c.Reference == reference)));
            fileId = waiting.Id;
            Assert.Equal(AnalysisState.Pending, waiting.AnalysisState);
            Assert.Equal(0, waiting.AnalysisAttempts);
        }

        var next = await Eventually.WaitAsync(() => Task.FromResult(jobs.Enqueue(PortalJobKeys.EvidenceAnalysis)), "a run of the analysis to be enqueued");
        await portal.WaitForJobAsync(next, "Succeeded");
        var read = await portal.QueryAsync(db => db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Id == fileId));
        Assert.Equal(AnalysisState.Done, read.AnalysisState);
        Assert.Equal(1, read.AnalysisAttempts);
    }

    [Fact]
    public async Task CampaignRecompute_JoinsReportsThatShareAWallet()
    {
        var wallet = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var answers = ReportAnswers.Valid();
            answers["PaymentAddress"] = wallet;
            var (client, _) = await EvidenceUploads.NewCaseAsync(portal, answers);
            client.Dispose();
        }

        portal.RunRecurring(PortalJobKeys.CampaignRecompute);
        await Eventually.WaitAsync(
            () => portal.QueryAsync(async db => await (from m in db.CampaignCases join c in db.Cases on m.CaseId equals c.Id where c.PaymentAddress == wallet select m.CampaignId).Distinct().CountAsync() == 1
                && await (from m in db.CampaignCases join c in db.Cases on m.CaseId equals c.Id where c.PaymentAddress == wallet select m).CountAsync() == 2),
            "the two reports to form one campaign");
    }

    private async Task<int> RunAlertAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AlertUrgentUnclaimedHandler>().HandleAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Cleanup_DeletesReceiptCopiesAndDraftsPastTheirTime_WithoutANewReport()
    {
        // A quiet night: a victim files a report and another leaves a form half-done, and nobody
        // else comes. The sealed key copy goes after its hour and the draft after its day all the same.
        var filed = await VictimSteps.FileAsync(portal);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ReportDrafts>().SaveAsync(null, new SubmitReport { WhatHappened = "half-written" }, 2, CancellationToken.None);
        }

        async Task<(bool Receipt, bool Draft)> KeptAsync() =>
            (await portal.QueryAsync(db => db.ShownReceipts.AnyAsync(r => r.CaseId == filed.Case.Id)), await portal.QueryAsync(db => db.ReportDrafts.AnyAsync()));

        await portal.WaitForJobAsync(portal.RunRecurring(PortalJobKeys.EvidenceCleanup), "Succeeded");
        Assert.Equal((true, true), await KeptAsync());

        portal.Clock.Advance(TimeSpan.FromMinutes(61));
        await portal.WaitForJobAsync(portal.RunRecurring(PortalJobKeys.EvidenceCleanup), "Succeeded");
        Assert.Equal((false, true), await KeptAsync());

        portal.Clock.Advance(TimeSpan.FromHours(24));
        await portal.WaitForJobAsync(portal.RunRecurring(PortalJobKeys.EvidenceCleanup), "Succeeded");
        Assert.Equal((false, false), await KeptAsync());
    }

    private async Task<Guid> FileWithEvidenceAsync()
    {
        var before = await portal.QueryAsync(db => db.Cases.Select(c => c.Id).ToListAsync());
        var (client, token) = await EvidenceUploads.NewCaseAsync(portal, ReportAnswers.Valid("my therapy notes were stolen"));
        using (var response = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail())))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        }

        client.Dispose();
        return await portal.QueryAsync(db => db.Cases.Where(c => !before.Contains(c.Id)).Select(c => c.Id).SingleAsync());
    }

    private IReadOnlyList<Guid> EvidenceBlobs() =>
        portal.Services.GetRequiredService<IEvidenceStore>().CommittedBlobs().Select(b => b.Id).ToList();
}

public sealed class SqliteRecurringJobsTests : RecurringJobsTests<SqliteJobsPortal>;

public sealed class PostgresRecurringJobsTests : RecurringJobsTests<PostgresJobsPortal>;
