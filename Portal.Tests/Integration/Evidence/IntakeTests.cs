using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Evidence.Intake;
using Portal.Core.Features.Messaging;
using Portal.Tests.Integration.Jobs;
using Portal.Tests.Support;
using Portal.Tests.Unit.Evidence.Email;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.Evidence;

/// <summary>
/// The forwarding intake end to end: a victim files a report, forwards mail to the address the
/// receipt showed, the reader takes it from a real IMAP server (dovecot on loopback) and stores it
/// through the upload path. Each kind of message ends with its own result and nothing else stored,
/// and the mailbox empty.
/// </summary>
public abstract class IntakeTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory, IIntakePortal
{
    private const string Wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    private IntakeTestMailbox Mailbox => factory.Mailbox;

    [Fact]
    public async Task Receipt_ShowsAPrivateAddress_WhoseTokenIsStoredOnlyAsAKeyedHash()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);

        Assert.Matches(@"^intake\+[0-9a-hjkmnp-tv-z]{24}@intake\.test\.example$", victim.Address);
        var token = victim.Address[(victim.Address.IndexOf('+') + 1)..victim.Address.IndexOf('@')];
        var stored = await factory.QueryAsync(db => db.ForwardingAddresses.AsNoTracking().SingleAsync(a => a.CaseId == victim.CaseId));
        Assert.Equal(32, stored.TokenHash.Length);
        await PlaintextSearch.AssertNowhereInDataAsync(factory, token);
        await PlaintextSearch.AssertNowhereInDataAsync(factory, token.ToUpperInvariant());

        // The case page cannot show it again; it offers a new one.
        var status = await victim.Client.GetPageAsync("/status");
        Assert.NotNull(status.QuerySelector("[data-testid=forwarding] [data-testid=forwarding-replace]"));
        Assert.Null(status.QuerySelector("[data-testid=forwarding-address]"));
    }

    [Fact]
    public async Task Receipt_AfterALanguageChangeOrAReload_ShowsTheSameAddress_UntilTheReceiptIsSaved()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);

        using var chosen = await victim.Client.SubmitAsync(victim.Receipt, "/language", new Dictionary<string, string?> { ["language"] = "sv" });
        Assert.Equal("/report/receipt", chosen.Headers.Location?.OriginalString);
        var again = await victim.Client.GetPageAsync("/report/receipt");
        Assert.Equal("sv", again.DocumentElement.GetAttribute("lang"));
        Assert.Equal(victim.Address, again.QuerySelector("[data-testid=forwarding-address]")?.TextContent.Trim());

        // Kept only sealed, like the key, and gone with the receipt once it is saved.
        var token = victim.Address[(victim.Address.IndexOf('+') + 1)..victim.Address.IndexOf('@')];
        await PlaintextSearch.AssertNowhereInDataAsync(factory, token);
        using var saved = await victim.Client.SubmitAsync(again, "/report/receipt/saved", new Dictionary<string, string?>());
        Assert.Equal("/status", saved.Headers.Location?.OriginalString);
        Assert.False(await factory.QueryAsync(db => db.ShownReceipts.AnyAsync(r => r.CaseId == victim.CaseId)));
        var status = await victim.Client.GetPageAsync("/status");
        Assert.Null(status.QuerySelector("[data-testid=forwarding-address]"));
    }

    [Fact]
    public async Task ForwardedAsAttachment_IsStoredAsTheOriginal_WithACustodyEntry_AndTheForwardingHeadersSealed()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var forwarder = $"fwd-{Guid.NewGuid():N}@victim.example";
        var original = ForwardedMail.Crlf(EvidenceUploads.SampleEmail($"Pay 0.1 BTC within 24 hours. {Guid.NewGuid()}"));
        var before = await ForwardedMail.CountsAsync(factory);

        await Mailbox.AppendAsync(ForwardedMail.AsAttachment(victim.Address, original, from: forwarder));
        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((1, 1, 0, 0, 0, 0), (run.Messages, run.Stored, run.Duplicates, run.Refused, run.UnknownAddress, run.Loops));
        Assert.Equal(0, await Mailbox.CountAsync());
        var file = Assert.Single(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        Assert.Equal((EvidenceSource.Forwarded, EvidenceKind.Email, AnalysisState.Pending), (file.Source, file.Kind, file.AnalysisState));
        Assert.Equal(SHA256.HashData(original), file.Sha256);
        Assert.False(file.NotificationPending);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
            Assert.Equal("Your therapy records.eml", cipher.OpenString(file.FileNameEnvelope));
            var headers = Encoding.UTF8.GetString(cipher.Open(file.ForwardingEnvelope ?? throw new InvalidOperationException("no forwarding headers")));
            Assert.Contains($"From: Victim <{forwarder}>", headers, StringComparison.Ordinal);
            Assert.Contains("Subject: Fwd: Your therapy records", headers, StringComparison.Ordinal);
            Assert.DoesNotContain("Forwarding the email I got", headers, StringComparison.Ordinal);

            var custody = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking()
                .SingleAsync(a => a.CaseId == victim.CaseId && a.Action == AuditActions.EvidenceAdded);
            Assert.Equal((AuditActor.System, file.Id.ToString(), Convert.ToHexStringLower(file.Sha256) + " forwarded"), (custody.ActorKind, custody.Subject, custody.Detail));
        }

        var after = await ForwardedMail.CountsAsync(factory);
        Assert.Equal((before.Messages + 1, before.Stored + 1), (after.Messages, after.Stored));
        var page = await EvidenceUploads.PageAsync(victim.Client);
        var row = Assert.Single(page.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.Equal(Convert.ToHexStringLower(file.Sha256), row.QuerySelector("[data-testid=evidence-sha256]")?.TextContent);
        await PlaintextSearch.AssertNowhereInDataAsync(factory, forwarder);
    }

    [Fact]
    public async Task ForwardedOriginal_GivesTheSameEvidence_AsUploadingTheSameEml()
    {
        var original = ForwardedMail.Crlf(EvidenceUploads.SampleEmail($"Pay 0.5 BTC within 72 hours. Questions: help-{Guid.NewGuid():N}@extortion-support.example, https://pay.extortion.example/{Guid.NewGuid():N}"));
        var (uploader, token) = await EvidenceUploads.NewCaseAsync(factory);
        using (var uploaded = await EvidenceUploads.UploadAsync(uploader, token, "ransom.eml", "message/rfc822", original))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        var victim = await ForwardedMail.NewCaseAsync(factory);
        await Mailbox.AppendAsync(ForwardedMail.AsAttachment(victim.Address, original));
        Assert.Equal(1, (await IntakeTestMailbox.ReadAsync(factory)).Stored);
        await EvidenceUploads.AnalysePendingAsync(factory);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
        var sealing = scope.ServiceProvider.GetRequiredService<SealedIndicators>();
        var sha256 = SHA256.HashData(original);
        var files = await db.EvidenceFiles.AsNoTracking().Where(e => e.Sha256 == sha256).ToListAsync();
        var upload = Assert.Single(files, f => f.Source == EvidenceSource.Upload);
        var forwarded = Assert.Single(files, f => f.Source == EvidenceSource.Forwarded);
        Assert.Equal(victim.CaseId, forwarded.CaseId);
        Assert.Equal((AnalysisState.Done, AnalysisState.Done), (upload.AnalysisState, forwarded.AnalysisState));

        Assert.Equal(Summary(upload), Summary(forwarded));
        Assert.Contains("\"subject\":\"Your therapy records\"", Summary(forwarded), StringComparison.Ordinal);
        var uploadedIndicators = await sealing.OfFileAsync(db, upload.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
        var forwardedIndicators = await sealing.OfFileAsync(db, forwarded.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
        Assert.Equal(uploadedIndicators.OrderBy(i => i.Kind).ThenBy(i => i.Value, StringComparer.Ordinal), forwardedIndicators.OrderBy(i => i.Kind).ThenBy(i => i.Value, StringComparer.Ordinal));
        Assert.Contains(forwardedIndicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == Wallet);
        Assert.Contains(forwardedIndicators, i => i.Kind == IndicatorKind.SenderAddress && i.Value == "ransom@extortion.example");

        string Summary(EvidenceFile file) => JsonSerializer.Serialize(EmailSummary.Open(cipher, file.ParsedEnvelope), EmailSummary.Json);
    }

    [Fact]
    public async Task ForwardedInline_IsTheMessageItself_MarkedThatTheOriginalHeadersAreMissing()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var forwarder = $"inline-{Guid.NewGuid():N}@victim.example";
        await Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, $"Pay 0.1 BTC to {Wallet} within 24 hours.", from: forwarder));
        var held = Assert.Single(await Mailbox.RawAsync());

        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((1, 1), (run.Messages, run.Stored));
        Assert.Equal(0, await Mailbox.CountAsync());
        var file = Assert.Single(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        Assert.Equal(EvidenceSource.ForwardedInline, file.Source);
        Assert.Equal(SHA256.HashData(held), file.Sha256);
        await EvidenceUploads.AnalysePendingAsync(factory);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var summary = EmailSummary.Open(scope.ServiceProvider.GetRequiredService<EnvelopeCipher>(), (await db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Id == file.Id)).ParsedEnvelope);
        Assert.Equal(AnalyseEvidenceHandler.ForwardedInlineWarning, summary?.Warnings[0]);
        var indicators = await scope.ServiceProvider.GetRequiredService<SealedIndicators>().OfFileAsync(db, file.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == Wallet);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.EmailAddress && i.Value == "ransom@extortion.example");

        // The forwarding message's own sender is the victim, never a campaign's sender.
        Assert.DoesNotContain(indicators, i => i.Kind == IndicatorKind.SenderAddress);
        Assert.DoesNotContain(indicators, i => i.Value.Contains(forwarder, StringComparison.Ordinal));
        var custody = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.CaseId == victim.CaseId && a.Action == AuditActions.EvidenceAdded);
        Assert.EndsWith("forwarded inline: the original headers are missing", custody.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutlookMessageWithWinmailDat_IsStored_AndWhatTheTnefHoldsIsAnalysed()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n");
        var tnef = new TnefBuilder().Body($"Pay 0.5 BTC to {Wallet} within 72 hours.").File("lasku.pdf", pdf).ToArray();
        var message = ForwardedMail.Crlf(TnefBuilder.Email(tnef).Replace("To: helpline@example.org", "To: " + victim.Address, StringComparison.Ordinal));

        await Mailbox.AppendAsync(message);
        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((1, 1), (run.Messages, run.Stored));
        var file = Assert.Single(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        Assert.Equal(EvidenceSource.ForwardedInline, file.Source);
        await EvidenceUploads.AnalysePendingAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var summary = EmailSummary.Open(scope.ServiceProvider.GetRequiredService<EnvelopeCipher>(), (await db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Id == file.Id)).ParsedEnvelope);
        var unpacked = Assert.Single(summary?.Attachments ?? [], a => a.UnpackedFrom == "winmail.dat");
        Assert.Equal(("lasku.pdf", Convert.ToHexStringLower(SHA256.HashData(pdf))), (unpacked.FileName, unpacked.Sha256));
        var indicators = await scope.ServiceProvider.GetRequiredService<SealedIndicators>().OfFileAsync(db, file.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == Wallet);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Deadline && i.Value == "72");
        Assert.Equal(0, await Mailbox.CountAsync());
    }

    [Fact]
    public async Task SameEmailForwardedAgain_IsKeptOnce_BySha256_AndByMessageIdWhenItsBytesDiffer()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var original = ForwardedMail.Crlf(EvidenceUploads.SampleEmail($"once {Guid.NewGuid()}"));

        // Another client re-wrote the header block it forwarded: other bytes, the same Message-ID.
        var rewritten = ForwardedMail.Crlf("X-Forwarded-By: another client\n").Concat(original).ToArray();
        var first = ForwardedMail.AsAttachment(victim.Address, original);
        await Mailbox.AppendAsync(first, first, ForwardedMail.AsAttachment(victim.Address, rewritten));

        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((3, 1, 2), (run.Messages, run.Stored, run.Duplicates));
        var file = Assert.Single(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        Assert.Equal(SHA256.HashData(original), file.Sha256);
        Assert.Equal(0, await Mailbox.CountAsync());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "evidence"), "*", SearchOption.AllDirectories), f => Path.GetFileName(f) == file.Id.ToString("N") + ".pev");
    }

    [Fact]
    public async Task MailToAnUnknownOrReplacedAddress_IsDeletedUnread_AndCounted()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var old = victim.Address;
        var status = await victim.Client.GetPageAsync("/status");
        using var replaced = await victim.Client.SubmitAsync(status, "/status/forwarding-address", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var fresh = (await HtmlForms.ParseAsync(replaced)).QuerySelector("[data-testid=forwarding-address]")?.TextContent.Trim() ?? "";
        Assert.StartsWith("intake+", fresh, StringComparison.Ordinal);
        Assert.NotEqual(old, fresh);

        var unknown = "intake+" + new string('7', 24) + "@" + IntakeTestMailbox.Domain;
        var canary = "UNKNOWN-" + Guid.NewGuid().ToString("N");
        var before = await ForwardedMail.CountsAsync(factory);
        await Mailbox.AppendAsync(
            ForwardedMail.Inline(unknown, $"{canary} to nobody"),
            ForwardedMail.Inline(old, $"{canary} to the old address"),
            ForwardedMail.Inline("someone@elsewhere.example", $"{canary} to another domain"),
            ForwardedMail.Inline(fresh, "to the new address"));

        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((4, 1, 3), (run.Messages, run.Stored, run.UnknownAddress));
        Assert.Single(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        var after = await ForwardedMail.CountsAsync(factory);
        Assert.Equal(before.UnknownAddress + 3, after.UnknownAddress);
        Assert.Equal(0, await Mailbox.CountAsync());
        Assert.True(await factory.QueryAsync(db => db.AuditEntries.AnyAsync(a => a.CaseId == victim.CaseId && a.Action == AuditActions.ForwardingAddressReplaced && a.ActorKind == AuditActor.Victim)));
        await PlaintextSearch.AssertNowhereInDataAsync(factory, canary);
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(canary, StringComparison.Ordinal) || line.Contains(old, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AutomaticMail_AndThePortalsOwn_AreDroppedUnanswered_ButAutoSubmittedNoIsAPerson()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var sender = $"auto-{Guid.NewGuid():N}@victim.example";
        var before = await ForwardedMail.CountsAsync(factory);
        await Mailbox.AppendAsync(
            ForwardedMail.Inline(victim.Address, "I am away.", from: sender, extraHeaders: "Auto-Submitted: auto-replied"),
            ForwardedMail.Inline(victim.Address, "There is an update.", from: sender, messageId: $"victim-update.{Guid.NewGuid():N}@portal.test.example"),
            ForwardedMail.Inline(victim.Address, $"Pay 0.1 BTC to {Wallet}.", from: sender, extraHeaders: "Auto-Submitted: no"));

        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((3, 2, 1), (run.Messages, run.Loops, run.Stored));
        Assert.Single(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        Assert.Equal(before.LoopsDropped + 2, (await ForwardedMail.CountsAsync(factory)).LoopsDropped);
        Assert.Equal(0, await Mailbox.CountAsync());
        Assert.Empty(TestMailbox.Smtp.To(sender));
    }

    [Fact]
    public async Task VictimWhoChoseEmail_GetsTheUsualContentlessUpdate_AndOthersNone()
    {
        var contact = $"contact-{Guid.NewGuid():N}@victim.example";
        var byEmail = await ForwardedMail.NewCaseAsync(factory, contactEmail: contact);
        var portalOnly = await ForwardedMail.NewCaseAsync(factory);
        var canary = "UPDATE-" + Guid.NewGuid().ToString("N");
        await Mailbox.AppendAsync(
            ForwardedMail.Inline(byEmail.Address, $"{canary} Pay 0.1 BTC."),
            ForwardedMail.Inline(portalOnly.Address, $"{canary} Pay 0.2 BTC."));

        Assert.Equal(2, (await IntakeTestMailbox.ReadAsync(factory)).Stored);

        Assert.True(Assert.Single(await ForwardedMail.FilesAsync(factory, byEmail.CaseId)).NotificationPending);
        Assert.False(Assert.Single(await ForwardedMail.FilesAsync(factory, portalOnly.CaseId)).NotificationPending);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<NotifyVictimsHandler>().HandleAsync(byEmail.CaseId, CancellationToken.None));
        }

        var email = Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));
        Assert.Contains("/status/open", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(byEmail.Reference, email.TextBody + email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("therapy", email.TextBody + email.Subject, StringComparison.OrdinalIgnoreCase);
        Assert.False(Assert.Single(await ForwardedMail.FilesAsync(factory, byEmail.CaseId)).NotificationPending);
    }
}

public sealed class SqliteIntakeTests(SqliteIntakePortal factory)
    : IntakeTests<SqliteIntakePortal>(factory), IClassFixture<SqliteIntakePortal>;

public sealed class PostgresIntakeTests(PostgresIntakePortal factory)
    : IntakeTests<PostgresIntakePortal>(factory), IClassFixture<PostgresIntakePortal>;

/// <summary>Limits: per message (before it is fetched) and per file (as for an upload); refusals are recorded on the case, without content.</summary>
public sealed class IntakeLimitTests(SmallLimitsIntakePortal factory) : IClassFixture<SmallLimitsIntakePortal>
{
    [Fact]
    public async Task MessagesOverALimit_AreRefusedOnTheCase_VisibleToTheVictim_AndNothingOfThemKept()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        var canary = "LIMIT-" + Guid.NewGuid().ToString("N");

        // An original over Evidence:MaxFileBytes, in a message the reader does fetch...
        var padding = string.Join('\n', Enumerable.Repeat(canary + new string('x', 70), SmallLimitsIntakePortal.MaxFileBytes / 60));
        var large = ForwardedMail.Crlf(EvidenceUploads.SampleEmail(padding));
        Assert.True(large.Length > SmallLimitsIntakePortal.MaxFileBytes);

        // ...and a message over the per-message limit, which is never fetched.
        var huge = ForwardedMail.Inline(victim.Address, string.Join('\n', Enumerable.Repeat(canary + new string('y', 70), 20_000)));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.True(huge.Length > scope.ServiceProvider.GetRequiredService<StoreForwardedMailHandler>().MaxMessageBytes);
        }

        await factory.Mailbox.AppendAsync(ForwardedMail.AsAttachment(victim.Address, large), huge);
        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((2, 2, 0), (run.Messages, run.Refused, run.Stored));
        Assert.Empty(await ForwardedMail.FilesAsync(factory, victim.CaseId));
        var refusals = await factory.QueryAsync(db => db.EvidenceRefusals.AsNoTracking().Where(r => r.CaseId == victim.CaseId).ToListAsync());
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(nameof(EvidenceRejection.TooLarge), r.Reason));
        Assert.Equal(2, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == victim.CaseId && a.Action == AuditActions.EvidenceRefused)));
        Assert.Equal(0, await factory.Mailbox.CountAsync());

        var page = await EvidenceUploads.PageAsync(victim.Client);
        Assert.Equal(["TooLarge", "TooLarge"], page.QuerySelectorAll("[data-testid=forwarded-refusal]").Select(r => r.GetAttribute("data-reason") ?? ""));
        Assert.Empty(page.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.DoesNotContain(canary, page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        await PlaintextSearch.AssertNowhereInDataAsync(factory, canary);
    }
}

/// <summary>
/// The intake reader in a real process, killed (SIGKILL) after it recorded a refusal and before it
/// flagged the message in the mailbox: the next run meets the message again, deletes it, and
/// records nothing more.
/// </summary>
public sealed class IntakeCrashTests : IAsyncLifetime
{
    /// <summary>In process, for the victim's side and the next run; its data directory, keys and database are the node's.</summary>
    private readonly SmallLimitsIntakePortal portal = new();

    public async Task InitializeAsync()
    {
        await portal.InitializeAsync();
        _ = portal.Server;
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)portal).DisposeAsync();

    [Fact]
    public async Task KilledAfterRefusingAMessageOverTheLimit_TheNextRunDeletesIt_AndTheRefusalIsRecordedOnce()
    {
        var victim = await ForwardedMail.NewCaseAsync(portal);
        var huge = ForwardedMail.Inline(victim.Address, string.Join('\n', Enumerable.Repeat("over the limit " + new string('y', 70), 20_000)));
        await portal.Mailbox.AppendAsync(huge);

        // A node that runs jobs reads the intake at start; it dies once the refusal is committed.
        var node = new Dictionary<string, string?>(portal.Mailbox.Settings())
        {
            ["Jobs:Enabled"] = "true",
            ["Evidence:MaxFileBytes"] = SmallLimitsIntakePortal.MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var (doomed, _) = await PortalNodeProcess.StartServingAsync(portal, CrashPoint.IntakeMessageTaken, node, mayCrashAtStart: true);
        await using (doomed)
        {
            await doomed.WaitForCrashAsync();
        }

        Assert.Equal((1, 1), await RecordedAsync(victim.CaseId));
        Assert.Equal(1, await portal.Mailbox.CountAsync());

        var run = await IntakeTestMailbox.ReadAsync(portal);

        Assert.Equal((1, 1, 0), (run.Messages, run.Refused, run.Stored));
        Assert.Equal(0, await portal.Mailbox.CountAsync());
        Assert.Equal((1, 1), await RecordedAsync(victim.CaseId));
        var page = await EvidenceUploads.PageAsync(victim.Client);
        Assert.Single(page.QuerySelectorAll("[data-testid=forwarded-refusal]"));
    }

    /// <summary>The case's refusal rows and refusal audit entries.</summary>
    private async Task<(int Rows, int Entries)> RecordedAsync(Guid caseId) =>
        (await portal.QueryAsync(db => db.EvidenceRefusals.CountAsync(r => r.CaseId == caseId)),
         await portal.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == caseId && a.Action == AuditActions.EvidenceRefused)));
}

/// <summary>The per-case limits (Evidence:MaxFilesPerCase, MaxBytesPerCase) hold for forwarded mail as for uploads.</summary>
public sealed class IntakeCaseLimitTests(SmallLimitsIntakePortal factory) : IClassFixture<SmallLimitsIntakePortal>
{
    [Fact]
    public async Task ForwardBeyondTheCasesFileCount_IsRefusedOnTheCase_AndNothingOfItKept()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        await factory.Mailbox.AppendAsync(
            ForwardedMail.Inline(victim.Address, "first " + Guid.NewGuid().ToString("N")),
            ForwardedMail.Inline(victim.Address, "second " + Guid.NewGuid().ToString("N")));
        var filled = await IntakeTestMailbox.ReadAsync(factory);
        Assert.Equal((2, 2, 0), (filled.Messages, filled.Stored, filled.Refused));
        Assert.Equal(SmallLimitsIntakePortal.MaxFilesPerCase, (await ForwardedMail.FilesAsync(factory, victim.CaseId)).Count);

        var canary = "COUNT-" + Guid.NewGuid().ToString("N");
        await factory.Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, canary));
        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((1, 1, 0), (run.Messages, run.Refused, run.Stored));
        await AssertRefusedAndNothingKeptAsync(victim, nameof(EvidenceRejection.TooManyFiles), SmallLimitsIntakePortal.MaxFilesPerCase, canary);
    }

    [Fact]
    public async Task ForwardBeyondTheCasesStorage_IsRefusedOnTheCase_AndNothingOfItKept()
    {
        // Each under the per-file limit; the two together over the case's storage.
        var size = (SmallLimitsIntakePortal.MaxBytesPerCase / 2) + 4096;
        Assert.True(size < SmallLimitsIntakePortal.MaxFileBytes);
        var victim = await ForwardedMail.NewCaseAsync(factory);
        await factory.Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, Padding("first-" + Guid.NewGuid().ToString("N"), size)));
        var first = await IntakeTestMailbox.ReadAsync(factory);
        Assert.Equal((1, 1, 0), (first.Messages, first.Stored, first.Refused));

        var canary = "QUOTA-" + Guid.NewGuid().ToString("N");
        await factory.Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, Padding(canary, size)));
        var run = await IntakeTestMailbox.ReadAsync(factory);

        Assert.Equal((1, 1, 0), (run.Messages, run.Refused, run.Stored));
        await AssertRefusedAndNothingKeptAsync(victim, nameof(EvidenceRejection.CaseQuotaExceeded), 1, canary);
    }

    private static string Padding(string line, int size) => string.Join('\n', Enumerable.Repeat(line + new string('z', 40), size / (line.Length + 41)));

    private async Task AssertRefusedAndNothingKeptAsync(ForwardingVictim victim, string reason, int filesKept, string canary)
    {
        var files = await ForwardedMail.FilesAsync(factory, victim.CaseId);
        Assert.Equal(filesKept, files.Count);
        var refusal = Assert.Single(await factory.QueryAsync(db => db.EvidenceRefusals.AsNoTracking().Where(r => r.CaseId == victim.CaseId).ToListAsync()));
        Assert.Equal((EvidenceSource.ForwardedInline, reason), (refusal.Source, refusal.Reason));
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == victim.CaseId && a.Action == AuditActions.EvidenceRefused)));
        Assert.Equal(0, await factory.Mailbox.CountAsync());

        // No bytes of it on disk: one sealed file per row, and no temporary file left.
        var evidence = Path.Combine(factory.DataDirectory, "evidence");
        var rows = await factory.QueryAsync(db => db.EvidenceFiles.CountAsync());
        Assert.Equal(rows, Directory.EnumerateFiles(evidence, "*.pev", SearchOption.AllDirectories).Count());
        var temporary = Path.Combine(evidence, "tmp");
        Assert.True(!Directory.Exists(temporary) || !Directory.EnumerateFiles(temporary).Any(), "a temporary file was left behind");

        var page = await EvidenceUploads.PageAsync(victim.Client);
        Assert.Equal([reason], page.QuerySelectorAll("[data-testid=forwarded-refusal]").Select(r => r.GetAttribute("data-reason") ?? ""));
        Assert.Equal(filesKept, page.QuerySelectorAll("[data-testid=evidence-file]").Length);
        Assert.DoesNotContain(canary, page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        await PlaintextSearch.AssertNowhereInDataAsync(factory, canary);
    }
}

/// <summary>An idle portal reads an empty intake mailbox every minute: those runs write to the database at most once an hour.</summary>
public sealed class IntakeEmptyRunTests(SqliteIntakePortal factory) : IClassFixture<SqliteIntakePortal>
{
    [Fact]
    public async Task RunsFindingNothing_RecordTheirLookOnceAnHour_ARunThatReadsMailAlways()
    {
        Task<DateTime?> LastRunAtAsync() => factory.QueryAsync(db => db.IntakeStatistics.AsNoTracking().Select(s => s.LastRunAt).SingleAsync());

        Assert.Equal(0, (await IntakeTestMailbox.ReadAsync(factory)).Messages);
        var first = await LastRunAtAsync();
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime, first);

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await IntakeTestMailbox.ReadAsync(factory);
        Assert.Equal(first, await LastRunAtAsync());
        factory.Clock.Advance(TimeSpan.FromMinutes(58));
        await IntakeTestMailbox.ReadAsync(factory);
        Assert.Equal(first, await LastRunAtAsync());

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await IntakeTestMailbox.ReadAsync(factory);
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime, await LastRunAtAsync());

        var victim = await ForwardedMail.NewCaseAsync(factory);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await factory.Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, "read at once"));
        Assert.Equal(1, (await IntakeTestMailbox.ReadAsync(factory)).Stored);
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime, await LastRunAtAsync());
    }
}

/// <summary>The reader waits in IDLE while a run lasts, so mail arriving meanwhile is stored in the same run.</summary>
public sealed class IntakeIdleTests(SqliteIntakePortal factory) : IClassFixture<SqliteIntakePortal>
{
    [Fact]
    public async Task MailArrivingWhileTheRunWaits_IsStoredInTheSameRun()
    {
        var victim = await ForwardedMail.NewCaseAsync(factory);
        await factory.Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, "first"));
        await using var scope = factory.Services.CreateAsyncScope();
        var configured = scope.ServiceProvider.GetRequiredService<IOptions<IntakeOptions>>().Value;
        var idling = new IntakeOptions
        {
            Host = configured.Host,
            Port = configured.Port,
            Security = configured.Security,
            AllowInsecure = configured.AllowInsecure,
            CertificateAuthorityFile = configured.CertificateAuthorityFile,
            UserName = configured.UserName,
            Password = configured.Password,
            Address = configured.Address,
            Idle = true,
            RunTime = TimeSpan.FromSeconds(60),
        };
        var handler = new ReadIntakeMailboxHandler(scope.ServiceProvider.GetRequiredService<StoreForwardedMailHandler>(), new IntakeEmptyRuns(TimeProvider.System), Options.Create(idling), TimeProvider.System);
        using var stopping = new CancellationTokenSource();

        var run = handler.HandleAsync(stopping.Token, CancellationToken.None);
        await Eventually.WaitAsync(async () => (await ForwardedMail.FilesAsync(factory, victim.CaseId)).Count == 1, "the first forward to be stored");
        await factory.Mailbox.AppendAsync(ForwardedMail.Inline(victim.Address, "second, while the run waits"));
        await Eventually.WaitAsync(async () => (await ForwardedMail.FilesAsync(factory, victim.CaseId)).Count == 2, "the second forward to be stored", TimeSpan.FromSeconds(20));

        Assert.False(run.IsCompleted, "the run ended before the second message came: it did not wait for it");
        await stopping.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((2, 2), (result.Messages, result.Stored));
        Assert.Equal(0, await factory.Mailbox.CountAsync());
    }
}

/// <summary>The recurring job as the scheduler runs it, and the analysis its stored files start.</summary>
public sealed class IntakeJobTests(JobsIntakePortal factory) : IClassFixture<JobsIntakePortal>
{
    [Fact]
    public async Task RecurringJob_ReadsTheMailbox_AndTheStoredFileIsAnalysed()
    {
        _ = factory.Server;
        var victim = await ForwardedMail.NewCaseAsync(factory);
        await factory.Mailbox.AppendAsync(ForwardedMail.AsAttachment(victim.Address, ForwardedMail.Crlf(EvidenceUploads.SampleEmail())));

        Assert.NotNull(factory.RunRecurring(PortalJobKeys.ForwardingIntake));

        var file = await Eventually.WaitAsync(
            async () => (await ForwardedMail.FilesAsync(factory, victim.CaseId)).FirstOrDefault(f => f.AnalysisState == AnalysisState.Done),
            "the forwarded email to be stored and analysed");
        Assert.Equal(EvidenceSource.Forwarded, file.Source);
        Assert.Equal(0, await factory.Mailbox.CountAsync());
    }
}

/// <summary>
/// The watcher (IMAP IDLE, outside the job engine) starts the reading when mail arrives, so a
/// forward is stored within seconds although no run is scheduled and none waits in the job engine.
/// </summary>
public sealed class IntakeWatcherTests(WatchedIntakePortal factory) : IClassFixture<WatchedIntakePortal>
{
    [Fact]
    public async Task MailArriving_IsReadAtOnce_ByTheRunTheWatcherStarts_WithNoScheduledRun()
    {
        _ = factory.Server;
        var victim = await ForwardedMail.NewCaseAsync(factory);

        foreach (var round in new[] { "first", "second" })
        {
            var original = EvidenceUploads.SampleEmail($"watched {round}").Replace("<abc123@extortion.example>", $"<{round}@extortion.example>", StringComparison.Ordinal);
            await factory.Mailbox.AppendAsync(ForwardedMail.AsAttachment(victim.Address, ForwardedMail.Crlf(original)));
            await Eventually.WaitAsync(
                async () => await factory.Mailbox.CountAsync() == 0,
                $"the {round} forward to be taken from the mailbox",
                TimeSpan.FromSeconds(30));
        }

        var files = await ForwardedMail.FilesAsync(factory, victim.CaseId);
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Equal(EvidenceSource.Forwarded, f.Source));
    }
}

/// <summary>Without Intake:Host there is no forwarding: no address is made or shown.</summary>
public sealed class IntakeOffTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task WithoutAnIntakeMailbox_NoAddressIsMadeOrShown()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", ReportAnswers.Valid());
        var receipt = await HtmlForms.ParseAsync(response);

        Assert.NotNull(receipt.QuerySelector("[data-testid=receipt-key]"));
        Assert.Null(receipt.QuerySelector("[data-testid=forwarding]"));
        Assert.Null((await client.GetPageAsync("/status")).QuerySelector("[data-testid=forwarding]"));
        Assert.False(await factory.QueryAsync(db => db.ForwardingAddresses.AnyAsync()));
        using var replace = await client.GetAsync("/status/forwarding-address");
        Assert.Equal(HttpStatusCode.NotFound, replace.StatusCode);
    }
}
