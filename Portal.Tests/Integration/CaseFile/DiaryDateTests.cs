using System.Net;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.CaseFile;

/// <summary>The diary's date as a victim in Finland sees it: a portal of its own, since the test moves its clock.</summary>
public sealed class DiaryDateTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task NewEntry_LateInAFinnishEvening_IsDatedTodayInHelsinki_AndIsAccepted()
    {
        // 22:30 UTC on 23 November is already 00:30 on 24 November in Helsinki (UTC+2).
        factory.Clock.Advance(new DateTimeOffset(2026, 11, 23, 22, 30, 0, TimeSpan.Zero) - factory.Clock.GetUtcNow());
        var (victim, _) = await CaseFileSteps.FileAsync(factory);

        var page = await victim.GetPageAsync("/status/diary");
        Assert.Equal("2026-11-24", page.QuerySelector("#OccurredOn")?.GetAttribute("value"));

        using var added = await victim.SubmitAsync(page, "/status/diary", new Dictionary<string, string?> { ["Kind"] = "Call", ["Text"] = "Called the police just after midnight." });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
    }
}
