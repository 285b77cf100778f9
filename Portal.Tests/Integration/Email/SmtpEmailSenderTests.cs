using System.Net.Mail;
using Microsoft.Extensions.Options;
using Portal.Core.Email;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Email;

public sealed class SmtpEmailSenderTests
{
    private static EmailMessage Message(string to) =>
        new([to], "Päivitys: ärende åäö", "Hello\n\nhttps://portal.example/status", "<p>Hello</p>");

    private static EmailOptions Smtp()
    {
        var settings = TestMailbox.SmtpSettings.ToDictionary(s => s.Key, s => s.Value!);
        return new EmailOptions { Host = settings["Email:Host"], Port = int.Parse(settings["Email:Port"]), From = "portal@test.example" };
    }

    [Fact]
    public async Task Send_ThroughARealSmtpServer_DeliversTextAndHtml()
    {
        var recipient = $"{Guid.NewGuid():N}@test.example";
        await new SmtpEmailSender(Options.Create(Smtp())).SendAsync(Message(recipient), CancellationToken.None);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient));
        Assert.Equal("Päivitys: ärende åäö", mail.Subject);
        Assert.Equal("portal@test.example", mail.From?.Address);
        Assert.Contains("https://portal.example/status", mail.TextBody);
        Assert.Contains(mail.Headers, h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("multipart/alternative"));
    }

    [Fact]
    public async Task Send_WithoutHost_WritesAnEmlToThePickupDirectory()
    {
        var outbox = TestDatabases.NewTempDirectory();
        await new SmtpEmailSender(Options.Create(new EmailOptions { PickupDirectory = outbox })).SendAsync(Message("victim@test.example"), CancellationToken.None);

        var mail = Assert.Single(new TestMailbox(outbox).To("victim@test.example"));
        Assert.Equal("Päivitys: ärende åäö", mail.Subject);
    }

    [Fact]
    public async Task Send_ToAServerThatIsDown_Throws()
    {
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = TestMailbox.ClosedPort(), TimeoutSeconds = 5 }));
        await Assert.ThrowsAsync<SmtpException>(() => sender.SendAsync(Message("nobody@test.example"), CancellationToken.None));
    }
}
