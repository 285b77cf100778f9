using System.Net.Http.Headers;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Triage;

/// <summary>The staff case page as a volunteer meets it from a link.</summary>
public sealed class CasePageTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Theory]
    [InlineData("en", "Language: English")]
    [InlineData("fi", "Kieli: englanti")]
    [InlineData("sv", "Språk: engelska")]
    public async Task CaseHeader_NamesTheVictimsLanguage_InThePageLanguage(string pageLanguage, string expected)
    {
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["PreferredLanguage"] = "en" });
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        volunteer.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(pageLanguage));

        var page = await volunteer.GetPageAsync($"/staff/cases/{victim.Case.Id}");

        var meta = page.QuerySelector("[data-testid=case-meta]")?.TextContent ?? "";
        Assert.Contains(expected, string.Join(' ', meta.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
