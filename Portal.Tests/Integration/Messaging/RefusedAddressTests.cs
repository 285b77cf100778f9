using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Reports;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.Messaging;

/// <summary>
/// One victim's address that the mail server refuses (a mistyped domain or mailbox the relay
/// knows does not exist: 550 at RCPT TO, sent by infra/smtp_sink.py for "refused-" addresses)
/// must not stop the update emails of every other victim: the sweep that sends them reads the
/// pending ones oldest first, so a refusal that ended the run would be met first again by every
/// retry, for good.
/// </summary>
public sealed class RefusedAddressTests(RefusedAddressTests.Factory factory) : IClassFixture<RefusedAddressTests.Factory>
{
    /// <summary>Mail is down while the messages are written, so each update email waits for the sweep.</summary>
    public sealed class Factory : SqlitePortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.DownSettings(TestMailbox.ClosedPort());
    }

    [Fact]
    public async Task AnUpdateEmailTheServerRefuses_StaysPending_AndTheOthersAreSentAllTheSame()
    {
        var refused = $"refused-{Guid.NewGuid():N}@test.example";
        var deliverable = $"victim-{Guid.NewGuid():N}@test.example";
        var first = await CaseWithMessageAsync(refused);
        var second = await CaseWithMessageAsync(deliverable);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var notify = NotifierWithWorkingMail(scope.ServiceProvider);

            // The run tells the job engine something went wrong (so it retries and, in the end,
            // shows the failure), but only after sending what it could.
            var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => notify.HandleAsync(null, CancellationToken.None));
            Assert.Equal(550, failure.SmtpStatus);
        }

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(deliverable));
        Assert.Empty(TestMailbox.Smtp.To(refused));
        Assert.False(await PendingAsync(second));
        Assert.True(await PendingAsync(first));
        Assert.Single(await NotifiedEntriesAsync(second));
        Assert.Empty(await NotifiedEntriesAsync(first));

        // A retry sends nothing twice and still reports the address it cannot deliver to.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await Assert.ThrowsAsync<EmailDeliveryException>(() => NotifierWithWorkingMail(scope.ServiceProvider).HandleAsync(null, CancellationToken.None));
        }

        Assert.Single(TestMailbox.Smtp.To(deliverable));
        Assert.Single(await NotifiedEntriesAsync(second));
    }

    [Fact]
    public async Task AReceiptKeyTheServerRefuses_HoldsBackNeitherOtherKeysNorUpdateEmails()
    {
        var refused = $"refused-{Guid.NewGuid():N}@test.example";
        var deliverable = $"victim-{Guid.NewGuid():N}@test.example";
        var waiting = await CaseWithMessageAsync($"victim-{Guid.NewGuid():N}@test.example");
        var lost = await ReferenceOfNewCaseAsync(refused);
        var found = await ReferenceOfNewCaseAsync(deliverable);

        // The refused address asked first, so its key waits first.
        await RequestKeyAsync(lost, refused);
        await Assert.ThrowsAsync<EmailDeliveryException>(RunVictimEmailsAsync);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await RequestKeyAsync(found, deliverable);
        await Assert.ThrowsAsync<EmailDeliveryException>(RunVictimEmailsAsync);

        var key = Assert.Single(await TestMailbox.Smtp.WaitForAsync(deliverable));
        Assert.Contains(found, key.TextBody, StringComparison.Ordinal);
        Assert.Empty(TestMailbox.Smtp.To(refused));
        Assert.False(await PendingAsync(waiting));
        Assert.True(await factory.QueryAsync(db => db.Cases.AnyAsync(c => c.Reference == lost && c.ReceiptKeyEmailEnvelope != null)));
        Assert.False(await factory.QueryAsync(db => db.Cases.AnyAsync(c => c.Reference == found && c.ReceiptKeyEmailEnvelope != null)));
    }

    /// <summary>The job that sends victims' emails (new receipt keys, then update emails), with the mail server up.</summary>
    private async Task RunVictimEmailsAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var keys = new SendNewReceiptKeysHandler(
            services.GetRequiredService<PortalDbContext>(),
            services.GetRequiredService<EnvelopeCipher>(),
            services.GetRequiredService<ReceiptHasher>(),
            services.GetRequiredService<EmailComposer>(),
            new SmtpEmailSender(Options.Create(TestMailbox.SmtpOptions()), factory.Clock, NullLogger<SmtpEmailSender>.Instance),
            services.GetRequiredService<AuditTrail>(),
            services.GetRequiredService<IOptions<ReportOptions>>(),
            factory.Clock);
        var job = new VictimNotificationJob(NotifierWithWorkingMail(services), keys, NullLogger<VictimNotificationJob>.Instance);
        await job.RunAsync(CancellationToken.None);
    }

    private async Task<string> ReferenceOfNewCaseAsync(string contact)
    {
        var answers = ReportAnswers.Valid();
        answers["ContactPreference"] = "Email";
        answers["ContactEmail"] = contact;
        var (victim, _) = await EvidenceUploads.NewCaseAsync(factory, answers);
        using (victim)
        {
            return (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent ?? throw new InvalidOperationException("No reference shown.");
        }
    }

    private async Task RequestKeyAsync(string reference, string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RequestNewReceiptKeyHandler>().HandleAsync(new RequestNewReceiptKey(reference, email), CancellationToken.None);
    }

    private NotifyVictimsHandler NotifierWithWorkingMail(IServiceProvider services) =>
        new(
            services.GetRequiredService<PortalDbContext>(),
            services.GetRequiredService<EnvelopeCipher>(),
            services.GetRequiredService<EmailComposer>(),
            new SmtpEmailSender(Options.Create(TestMailbox.SmtpOptions()), factory.Clock, NullLogger<SmtpEmailSender>.Instance),
            services.GetRequiredService<AuditTrail>(),
            factory.Clock);

    private async Task<Guid> CaseWithMessageAsync(string contact)
    {
        var answers = ReportAnswers.Valid();
        answers["ContactPreference"] = "Email";
        answers["ContactEmail"] = contact;
        var (victim, _) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var reference = (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        victim.Dispose();
        var caseId = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");
        (await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>())).Dispose();
        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        using (var sent = await volunteer.SubmitAsync(page, $"/staff/cases/{caseId}/messages", new Dictionary<string, string?> { ["Body"] = "We have read your report." }))
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        }

        Assert.True(await PendingAsync(caseId));
        return caseId;
    }

    private Task<bool> PendingAsync(Guid caseId) =>
        factory.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == caseId && m.NotificationPending));

    private Task<List<AuditEntry>> NotifiedEntriesAsync(Guid caseId) =>
        factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.CaseId == caseId && e.Action == AuditActions.VictimNotified).ToListAsync());
}
