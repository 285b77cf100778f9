using System.Net;
using Portal.Core.Data;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// The case page tells the story of the case in the victim's language and time zone (issue 15,
/// defect 9): what has happened, what happens next as the case moves (routing, a police report
/// number, closure), and what they can do now; no "UTC", no word standing for two things.
/// </summary>
public sealed class CaseStoryTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task Times_AreInHelsinki_InTheVictimsLanguage_AndTheReportDateHasAWordOfItsOwn()
    {
        // 22:30 UTC in late November is half past midnight the next day in Helsinki (UTC+2).
        var now = factory.Clock.GetUtcNow();
        var lateEvening = new DateTimeOffset(now.Year, now.Month, now.Day, 22, 30, 0, TimeSpan.Zero);
        factory.Clock.Advance(lateEvening > now ? lateEvening - now : lateEvening.AddDays(1) - now);
        var reportedUtc = factory.Clock.GetUtcNow();
        var victim = await VictimSteps.FileAsync(factory);
        using var finnish = await victim.Client.SubmitAsync(victim.Receipt, "/language", new Dictionary<string, string?> { ["language"] = "fi" });
        Assert.Equal(HttpStatusCode.Redirect, finnish.StatusCode);

        var page = await victim.Client.GetPageAsync("/status");

        var local = reportedUtc.ToOffset(TimeSpan.FromHours(2));
        var shown = page.QuerySelector("[data-testid=reported-on]");
        Assert.Contains($"{local.Day}.{local.Month}.{local.Year}", shown?.TextContent, StringComparison.Ordinal);
        Assert.Contains("0.30", shown?.TextContent, StringComparison.Ordinal);
        Assert.EndsWith("+02:00", shown?.GetAttribute("datetime"), StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", page.QuerySelector("main")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Vastaanotettu", page.QuerySelector("[data-testid=status]")?.TextContent.Trim());
        Assert.DoesNotContain("Vastaanotettu", page.QuerySelector("dt:nth-of-type(3)")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Ilmoitus tehty", page.QuerySelector("dt:nth-of-type(3)")?.TextContent.Trim());
        Assert.Equal("Reported", page.QuerySelector("[data-testid=story] li")?.GetAttribute("data-event"));
    }

    [Fact]
    public async Task NextSteps_FollowTheCase_ToAPoliceReportNumber_AndSpeakToAPortalOnlyVictimAsSuch()
    {
        var region = "lappi";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["Region"] = region });
        var before = await victim.Client.GetPageAsync("/status");
        var next = before.QuerySelector("[data-testid=what-next]")?.TextContent ?? "";
        Assert.Contains("only here", next, StringComparison.Ordinal);
        Assert.DoesNotContain("through the way you chose", next, StringComparison.Ordinal);
        Assert.NotNull(before.QuerySelector($"[data-testid=guidance-step][data-slug={GuidanceRules.PoliceReport}]"));

        var police = await AddPartnerAsync(factory, PartnerType.Police, region);
        var (_, officer) = await PartnerStaffAsync(factory, police.Id, StaffRoles.Police);
        using (var decided = await DecideAsync(factory, victim.Case.Id, "Police"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, victim.Case.Id, PartnerType.Police);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        var routed = await victim.Client.GetPageAsync("/status");
        Assert.Contains("waiting for them to confirm", routed.QuerySelector("[data-testid=what-next]")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(routed.QuerySelector("[data-testid=story] li[data-event=PassedOn]"));

        var detail = $"/partner/referrals/{referral.Id}";
        using (var acknowledged = await officer.SubmitAsync(await officer.GetPageAsync(detail), detail + "/acknowledge", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, acknowledged.StatusCode);
        }

        using (var recorded = await officer.SubmitAsync(await officer.GetPageAsync(detail), detail + "/report-number", new Dictionary<string, string?> { ["number"] = "5500/R/12345/26" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        }

        var after = await victim.Client.GetPageAsync("/status");
        var nextAfter = after.QuerySelector("[data-testid=what-next]")?.TextContent ?? "";
        Assert.Contains("5500/R/12345/26", nextAfter, StringComparison.Ordinal);
        Assert.Contains("do not need to report it to the police again", nextAfter, StringComparison.Ordinal);
        Assert.Null(after.QuerySelector($"[data-testid=guidance-step][data-slug={GuidanceRules.PoliceReport}]"));
        Assert.NotNull(after.QuerySelector("[data-testid=story] li[data-event=PartnerConfirmed]"));
        Assert.Contains("5500/R/12345/26", after.QuerySelector("[data-testid=story] li[data-event=PoliceReportRecorded]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NextSteps_AfterClosure_SayTheCaseIsClosed_AndPromiseNoContact()
    {
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["ContactPreference"] = "Email", ["ContactEmail"] = "victim@example.org" });
        var open = await victim.Client.GetPageAsync("/status");
        Assert.Contains("we send an email", open.QuerySelector("[data-testid=what-next]")?.TextContent, StringComparison.Ordinal);

        using (var decided = await DecideAsync(factory, victim.Case.Id, "InformationOnly"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var closed = await victim.Client.GetPageAsync("/status");
        var next = closed.QuerySelector("[data-testid=what-next]")?.TextContent ?? "";
        Assert.Contains("Your case is closed", next, StringComparison.Ordinal);
        Assert.DoesNotContain("we send an email", next, StringComparison.Ordinal);
        Assert.Single(closed.QuerySelectorAll("[data-testid=what-next] li"));
        Assert.NotNull(closed.QuerySelector("[data-testid=story] li[data-event=Closed]"));
    }
}
