using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Email;
using Portal.Core.Features.Evidence.Email;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Email;

/// <summary>The sender against the real SMTP servers infra/test starts: plain, STARTTLS and implicit TLS with a throwaway CA.</summary>
public sealed class SmtpEmailSenderTests : IDisposable
{
    private readonly TestClock clock = new();
    private readonly CapturedLogs logs = new();
    private readonly ILoggerFactory loggers;

    public SmtpEmailSenderTests() => loggers = new LoggerFactory([logs]);

    public void Dispose() => loggers.Dispose();

    private static EmailMessage Message(string to, string messageId = "victim-update.0123456789abcdef@test.example") =>
        new([to], "Päivitys: ärende åäö", "Hello\n\nhttps://portal.example/status", "<p>Hello</p>", messageId);

    private static string Recipient() => $"{Guid.NewGuid():N}@test.example";

    private SmtpEmailSender Sender(EmailOptions options) => new(Options.Create(options), clock, loggers.CreateLogger<SmtpEmailSender>());

    /// <summary>The addresses the SMTP server accepted for a delivered message (infra/smtp_sink.py's X-Envelope-To).</summary>
    private static string[] EnvelopeTo(ParsedEmail mail) =>
        (Header(mail, "X-Envelope-To") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string? Header(ParsedEmail mail, string name) =>
        mail.Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    [Fact]
    public async Task Send_ThroughARealSmtpServer_DeliversTextAndHtml_AsAnAutomaticMessageWithItsMessageId()
    {
        var recipient = Recipient();
        await Sender(TestMailbox.SmtpOptions()).SendAsync(Message(recipient), CancellationToken.None);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient));
        Assert.Equal("Päivitys: ärende åäö", mail.Subject);
        Assert.Equal("portal@test.example", mail.From?.Address);
        Assert.Contains("https://portal.example/status", mail.TextBody);
        Assert.Contains("multipart/alternative", Header(mail, "Content-Type"));
        Assert.Equal("victim-update.0123456789abcdef@test.example", mail.MessageId);
        Assert.Equal("auto-generated", Header(mail, "Auto-Submitted"));
        Assert.Equal("OOF, AutoReply", Header(mail, "X-Auto-Response-Suppress"));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds(), mail.Date?.ToUnixTimeSeconds());
        Assert.Empty(mail.Warnings);
    }

    [Fact]
    public async Task Send_OverStartTls_TrustingThePortalsCertificateAuthority_SigningIn_ArrivesEncrypted()
    {
        var recipient = Recipient();
        await Sender(TestMailbox.StartTlsOptions()).SendAsync(Message(recipient), CancellationToken.None);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient));
        Assert.StartsWith("TLSv1.", TestMailbox.TlsOf(mail), StringComparison.Ordinal);
        Assert.Equal("Päivitys: ärende åäö", mail.Subject);
    }

    [Fact]
    public async Task Send_ToAServerThatWantsAPassword_WithAWrongOne_IsRefusedSayingWhichSettings()
    {
        var wrong = TestMailbox.StartTlsOptions();
        wrong.Password += "-wrong";
        var recipient = Recipient();

        var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(wrong).SendAsync(Message(recipient), CancellationToken.None));

        Assert.Contains("did not accept Email:UserName and Email:Password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.Password, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(TestMailbox.Smtp.To(recipient));
    }

    [Fact]
    public async Task Send_ToAServerThatWantsAPassword_WithoutOne_IsRefused()
    {
        var anonymous = TestMailbox.StartTlsOptions();
        anonymous.UserName = null;
        anonymous.Password = null;
        var recipient = Recipient();

        var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(anonymous).SendAsync(Message(recipient), CancellationToken.None));

        Assert.Equal(530, error.SmtpStatus);
        Assert.Empty(TestMailbox.Smtp.To(recipient));
    }

    [Fact]
    public async Task Send_OverImplicitTls_ArrivesEncrypted()
    {
        var recipient = Recipient();
        await Sender(TestMailbox.ImplicitTlsOptions()).SendAsync(Message(recipient), CancellationToken.None);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient));
        Assert.StartsWith("TLSv1.", TestMailbox.TlsOf(mail), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ToAServerWithoutStartTls_WhenInsecureMailIsNotAllowed_IsRefusedBeforeAnythingIsSent()
    {
        var plain = TestMailbox.SmtpOptions();
        plain.Security = EmailSecurity.Auto;
        plain.AllowInsecure = false;
        var recipient = Recipient();

        var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(plain).SendAsync(Message(recipient), CancellationToken.None));

        Assert.Contains("does not offer STARTTLS", error.Message, StringComparison.Ordinal);
        Assert.Contains("Email:AllowInsecure", error.Message, StringComparison.Ordinal);

        // Refused at the greeting, before MAIL FROM: the server has nothing to save.
        Assert.Empty(TestMailbox.Smtp.To(recipient));
    }

    [Fact]
    public async Task Send_WithSecurityNone_WhenInsecureMailIsNotAllowed_IsRefused()
    {
        var plain = TestMailbox.SmtpOptions();
        plain.AllowInsecure = false;
        var recipient = Recipient();

        var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(plain).SendAsync(Message(recipient), CancellationToken.None));

        Assert.Contains("Email:AllowInsecure", error.Message, StringComparison.Ordinal);
        Assert.Empty(TestMailbox.Smtp.To(recipient));
    }

    [Fact]
    public async Task Send_OverStartTls_ToACertificateTheSystemDoesNotTrust_IsRefused()
    {
        var untrusted = TestMailbox.StartTlsOptions();
        untrusted.CertificateAuthorityFile = null;
        var recipient = Recipient();

        var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => Sender(untrusted).SendAsync(Message(recipient), CancellationToken.None));

        Assert.Contains("TLS handshake", error.Message, StringComparison.Ordinal);
        Assert.Empty(TestMailbox.Smtp.To(recipient));
    }

    [Fact]
    public async Task Send_ToAServerThatIsDown_ThrowsADeliveryFailure()
    {
        var sender = Sender(new EmailOptions { Host = "127.0.0.1", Port = TestMailbox.ClosedPort(), TimeoutSeconds = 5 });

        var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => sender.SendAsync(Message("nobody@test.example"), CancellationToken.None));

        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ToSeveralAddresses_OneRefused_GoesToTheOthers_AndLogsOnlyHowMany()
    {
        var first = Recipient();
        var refused = "refused-" + Recipient();
        var last = Recipient();
        var next = Recipient();
        await using (var batch = Sender(TestMailbox.SmtpOptions()).StartBatch())
        {
            await batch.SendAsync(new EmailMessage([first, refused, last], "Group", "Hello all", "<p>Hello all</p>", "digest.2026-12-07@test.example"), CancellationToken.None);

            // The connection is still good for the next message.
            await batch.SendAsync(Message(next), CancellationToken.None);
        }

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(first));
        Assert.Equal([first, last], EnvelopeTo(mail));
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(next));
        Assert.Contains(logs.Lines, line => line.Contains("refused 1 of the 3 addresses", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Contains(refused, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Send_WhenEveryAddressIsRefused_FailsAsARefusedRecipient_AndTheBatchGoesOn()
    {
        var after = Recipient();
        await using (var batch = Sender(TestMailbox.SmtpOptions()).StartBatch())
        {
            var error = await Assert.ThrowsAsync<EmailDeliveryException>(() => batch.SendAsync(new EmailMessage(["refused-" + Recipient(), "refused-" + Recipient()], "Group", "Hello", "<p>Hello</p>", "alert.1@test.example"), CancellationToken.None));
            Assert.True(error.RecipientRefused);
            Assert.Equal(550, error.SmtpStatus);
            await batch.SendAsync(Message(after), CancellationToken.None);
        }

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(after));
    }

    [Fact]
    public async Task Batch_SendsEveryMessageOverOneConnection_WhileSingleSendsEachOpenTheirOwn()
    {
        var sender = Sender(TestMailbox.StartTlsOptions());
        var batched = Enumerable.Range(0, 3).Select(_ => Recipient()).ToList();
        await using (var batch = sender.StartBatch())
        {
            foreach (var recipient in batched)
            {
                await batch.SendAsync(Message(recipient), CancellationToken.None);
            }
        }

        var single = new[] { Recipient(), Recipient() };
        foreach (var recipient in single)
        {
            await sender.SendAsync(Message(recipient), CancellationToken.None);
        }

        var batchConnections = new HashSet<string>();
        foreach (var recipient in batched)
        {
            batchConnections.Add(TestMailbox.ConnectionOf(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient))));
        }

        var singleConnections = new HashSet<string>();
        foreach (var recipient in single)
        {
            singleConnections.Add(TestMailbox.ConnectionOf(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient))));
        }

        Assert.Single(batchConnections);
        Assert.Equal(2, singleConnections.Count);
        Assert.DoesNotContain(batchConnections.Single(), singleConnections);
    }

    [Fact]
    public async Task Send_TheSameNotificationTwice_DeliversTheSameMessageIdBothTimes()
    {
        var composer = new EmailComposer(Options.Create(new EmailOptions { From = "portal@test.example", PortalUrl = "https://portal.example/" }));
        var recipient = Recipient();
        var values = new Dictionary<string, string> { ["Link"] = composer.Link("/status/open") };
        var sender = Sender(TestMailbox.SmtpOptions());

        await sender.SendAsync(composer.Compose(EmailTemplates.VictimUpdate, "fi", [recipient], "4711", values), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(10));
        await sender.SendAsync(composer.Compose(EmailTemplates.VictimUpdate, "fi", [recipient], "4711", values), CancellationToken.None);
        await sender.SendAsync(composer.Compose(EmailTemplates.VictimUpdate, "fi", [recipient], "4712", values), CancellationToken.None);

        var delivered = await TestMailbox.Smtp.WaitForAsync(recipient, 3);
        var ids = delivered.Select(m => m.MessageId).ToList();
        Assert.Equal(2, ids.Count(id => id == composer.MessageId(EmailTemplates.VictimUpdate, "4711")));
        Assert.Single(ids, id => id == composer.MessageId(EmailTemplates.VictimUpdate, "4712"));
        Assert.All(delivered, m => Assert.EndsWith("@test.example", m.MessageId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_WithoutHost_WritesAParseableEmlWithBothAlternatives_AndNoPartialFile()
    {
        var outbox = TestDatabases.NewTempDirectory();
        var sender = Sender(new EmailOptions { PickupDirectory = outbox, From = "portal@test.example" });

        await using (var batch = sender.StartBatch())
        {
            await batch.SendAsync(Message("victim@test.example"), CancellationToken.None);
            await batch.SendAsync(Message("other@test.example", "victim-update.fedcba9876543210@test.example"), CancellationToken.None);
        }

        Assert.Equal(2, Directory.GetFiles(outbox).Length);
        Assert.All(Directory.GetFiles(outbox), path => Assert.EndsWith(".eml", path, StringComparison.Ordinal));

        var mail = Assert.Single(new TestMailbox(outbox).To("victim@test.example"));
        Assert.Equal("Päivitys: ärende åäö", mail.Subject);
        Assert.Equal("victim-update.0123456789abcdef@test.example", mail.MessageId);
        Assert.Equal("auto-generated", Header(mail, "Auto-Submitted"));
        Assert.Empty(mail.Warnings);

        var path = Directory.GetFiles(outbox).Single(p => File.ReadAllText(p).Contains("victim@test.example", StringComparison.Ordinal));
        var parsed = await MimeMessage.LoadAsync(path);
        var alternative = Assert.IsType<MultipartAlternative>(parsed.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Equal("Hello\n\nhttps://portal.example/status", parsed.TextBody?.ReplaceLineEndings("\n"));
        Assert.DoesNotContain('\n', (await File.ReadAllTextAsync(path)).Replace("\r\n", "", StringComparison.Ordinal));
        Assert.Equal("<p>Hello</p>", parsed.HtmlBody);
        Assert.Equal("auto-generated", parsed.Headers["Auto-Submitted"]);
    }
}
