using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Messaging;

/// <summary>
/// A prepared reply is written in three languages on one page whatever the page's own language:
/// each text must say which language it is in, or a Finnish screen reader reads the English and
/// Swedish replies with Finnish pronunciation and the spelling checker marks every word.
/// </summary>
public sealed class CannedResponseLanguageTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task EachReplyText_OnAFinnishPage_IsMarkedWithItsOwnLanguage()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fi");
        var form = await supervisor.GetPageAsync("/staff/canned-responses/new");
        Assert.Equal("fi", form.DocumentElement.GetAttribute("lang"));
        Assert.Equal("en", form.QuerySelector("#BodyEn")?.GetAttribute("lang"));
        Assert.Equal("fi", form.QuerySelector("#BodyFi")?.GetAttribute("lang"));
        Assert.Equal("sv", form.QuerySelector("#BodySv")?.GetAttribute("lang"));

        var title = $"Kieli {Guid.NewGuid():N}"[..30];
        (await supervisor.SubmitAsync(form, "/staff/canned-responses/new", new Dictionary<string, string?> { ["Title"] = title, ["BodyEn"] = "Keep the email.", ["BodyFi"] = "Säilytä viesti.", ["BodySv"] = "Spara mejlet." })).Dispose();

        var list = await supervisor.GetPageAsync("/staff/canned-responses");
        var row = list.QuerySelectorAll("[data-testid=canned-response]").Single(r => r.TextContent.Contains(title, StringComparison.Ordinal));
        var english = row.QuerySelectorAll("td").Single(td => td.TextContent.Contains("Keep the email.", StringComparison.Ordinal));
        Assert.Equal("en", english.GetAttribute("lang"));
    }
}
