using AngleSharp.Html.Parser;
using Microsoft.Extensions.Options;
using Portal.Core.Email;

namespace Portal.Tests.Unit.Email;

public sealed class EmailComposerTests
{
    private static readonly EmailComposer Composer = new(Options.Create(new EmailOptions { PortalUrl = "https://portal.example/" }));

    [Fact]
    public void EveryTemplate_ExistsInEveryLanguage_WithTheSamePlaceholders()
    {
        var templates = EmailComposer.All().ToList();
        Assert.NotEmpty(templates);
        foreach (var name in templates.Select(t => t.Name).Distinct())
        {
            var english = templates.Single(t => t.Name == name && t.Language == "en");
            foreach (var language in EmailComposer.Languages)
            {
                var translated = Assert.Single(templates, t => t.Name == name && t.Language == language);
                Assert.False(string.IsNullOrWhiteSpace(translated.Subject), $"{language}/{name} has no subject");
                Assert.Equal(EmailComposer.Placeholders(english.Body + english.Subject), EmailComposer.Placeholders(translated.Body + translated.Subject));
            }
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fi")]
    [InlineData("sv")]
    public void NewKeyEmail_NamesTheCaseReference_AsTheReceiptAndTheOpenCasePageDo(string language)
    {
        var label = Portal.Tests.Support.RepositoryFiles.Strings(language)["Receipt.Reference"];

        var message = Composer.Compose(EmailTemplates.ReceiptNewKey, language, ["v@example.org"], "1", new Dictionary<string, string>
        {
            ["Reference"] = "VS-7KQM-2XPD",
            ["Key"] = "KEY",
            ["Link"] = "https://portal.example/status/open",
        });

        Assert.Contains($"{label}: VS-7KQM-2XPD", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDeclaredTemplate_HasAFile()
    {
        var declared = typeof(EmailTemplates).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
        var present = EmailComposer.All().Select(t => t.Name).ToHashSet();
        Assert.All(declared, name => Assert.Contains(name, present));
    }

    [Fact]
    public void Compose_FillsValues_AndEscapesThemInHtml()
    {
        var message = Composer.Compose(EmailTemplates.StaffInvitation, "fi", ["new@example.org"], "invitation-1", new Dictionary<string, string>
        {
            ["Link"] = Composer.Link("/account/invitation?token=a&b"),
            ["Expires"] = "<b>tomorrow</b>",
        });

        Assert.Equal(["new@example.org"], message.To);
        Assert.Contains("https://portal.example/account/invitation?token=a&b", message.TextBody);
        Assert.Contains("<b>tomorrow</b>", message.TextBody);

        var html = new HtmlParser().ParseDocument(message.HtmlBody);
        Assert.Equal("fi", html.DocumentElement.GetAttribute("lang"));
        Assert.Empty(html.QuerySelectorAll("b"));
        Assert.Contains("<b>tomorrow</b>", html.Body!.TextContent);
        var link = Assert.Single(html.QuerySelectorAll("a"));
        Assert.Equal("https://portal.example/account/invitation?token=a&b", link.GetAttribute("href"));
    }

    [Fact]
    public void Compose_UnknownLanguage_FallsBackToEnglish()
    {
        var english = Composer.Compose(EmailTemplates.VictimUpdate, "en", ["v@example.org"], "1", new Dictionary<string, string> { ["Link"] = "https://x/" });
        var other = Composer.Compose(EmailTemplates.VictimUpdate, "de", ["v@example.org"], "1", new Dictionary<string, string> { ["Link"] = "https://x/" });
        Assert.Equal(english.Subject, other.Subject);
    }

    [Fact]
    public void Compose_MissingValue_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Composer.Compose(EmailTemplates.VictimUpdate, "en", ["v@example.org"], "1"));
        Assert.Contains("{Link}", error.Message);
    }

    [Fact]
    public void Compose_TheSameNotificationAgain_HasTheSameMessageId_AndAnotherNotificationAnotherOne()
    {
        var values = new Dictionary<string, string> { ["Reference"] = "VS-AAAA-BBBB", ["Link"] = "https://x/" };
        var first = Composer.Compose(EmailTemplates.ReferralAssigned, "fi", ["p@example.org"], "41/7", values);
        var again = new EmailComposer(Options.Create(new EmailOptions { PortalUrl = "https://portal.example/" }))
            .Compose(EmailTemplates.ReferralAssigned, "en", ["p@example.org", "q@example.org"], "41/7", values);
        var otherPartner = Composer.Compose(EmailTemplates.ReferralAssigned, "fi", ["p@example.org"], "41/8", values);
        var otherTemplate = Composer.Compose(EmailTemplates.ReferralEscalated, "fi", ["p@example.org"], "41/7", values);

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.NotEqual(first.MessageId, otherPartner.MessageId);
        Assert.NotEqual(first.MessageId, otherTemplate.MessageId);
        Assert.Matches("^referral-assigned\\.[0-9a-f]{32}@localhost$", first.MessageId);
    }

    [Fact]
    public void MessageId_TakesTheDomainOfTheSender_ElseOfThePortalAddress_AndDiffersBetweenPortals()
    {
        var charity = new EmailComposer(Options.Create(new EmailOptions { From = "Tuki <noreply@tuki.example.fi>", PortalUrl = "https://portal.example/" }));
        var other = new EmailComposer(Options.Create(new EmailOptions { From = "noreply@other.example", PortalUrl = "https://portal.example/" }));
        var noDomain = new EmailComposer(Options.Create(new EmailOptions { From = "portal", PortalUrl = "https://apu.example.fi:8443/" }));

        Assert.EndsWith("@tuki.example.fi", charity.MessageId(EmailTemplates.DailyDigest, "2026-12-01"), StringComparison.Ordinal);
        Assert.EndsWith("@apu.example.fi", noDomain.MessageId(EmailTemplates.DailyDigest, "2026-12-01"), StringComparison.Ordinal);
        Assert.NotEqual(
            charity.MessageId(EmailTemplates.DailyDigest, "2026-12-01").Split('@')[0],
            other.MessageId(EmailTemplates.DailyDigest, "2026-12-01").Split('@')[0]);
    }

    [Fact]
    public void Compose_WithoutSayingWhatItIsAbout_Throws()
    {
        Assert.Throws<ArgumentException>(() => Composer.Compose(EmailTemplates.VictimUpdate, "en", ["v@example.org"], " ", new Dictionary<string, string> { ["Link"] = "https://x/" }));
    }
}
