using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Triage;

/// <summary>The staff case page as a volunteer meets it from a link: its header, and claiming the case there.</summary>
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

    [Fact]
    public async Task UnclaimedCase_OpenedFromALink_IsClaimedOnItsPage_AndTheAnswerIsTheCasePage()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var name = await NameAsync(account, "Aino " + Guid.NewGuid().ToString("N")[..6]);
        var volunteer = await StaffAccounts.SignInAsync(factory, account);
        var caseUrl = $"/staff/cases/{victim.Case.Id}";

        var page = await volunteer.GetPageAsync(caseUrl);
        var claim = page.QuerySelector("[data-testid=claim-form]");
        Assert.True(claim is not null, "an unclaimed case's page offers no claim");
        var action = claim.GetAttribute("action") ?? "";
        Assert.NotNull(claim.QuerySelector("input[name='__af']"));
        Assert.NotNull(claim.QuerySelector("button[type=submit]"));

        using (var claimed = await volunteer.SubmitAsync(page, action, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
            Assert.StartsWith(caseUrl + "?", claimed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var userId = await factory.QueryAsync(db => db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync());
        Assert.Equal(userId, await factory.QueryAsync(db => db.Cases.Where(c => c.Id == victim.Case.Id).Select(c => c.ClaimedById).SingleAsync()));
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == victim.Case.Id && a.Action == AuditActions.CaseClaimed)));

        var after = await volunteer.GetPageAsync(caseUrl);
        Assert.Null(after.QuerySelector("[data-testid=claim-form]"));
        Assert.NotNull(after.QuerySelector("[data-testid=message-form]"));
        Assert.Contains(name, after.QuerySelector("[data-testid=case-meta]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaseClaimedMeanwhile_ByAnother_AnswersOnTheCasePage_SayingWhoHoldsIt()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var first = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var holder = await NameAsync(first, "Bertta " + Guid.NewGuid().ToString("N")[..6]);
        var firstClient = await StaffAccounts.SignInAsync(factory, first);
        var second = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var caseUrl = $"/staff/cases/{victim.Case.Id}";

        var firstPage = await firstClient.GetPageAsync(caseUrl);
        var secondPage = await second.GetPageAsync(caseUrl);
        var action = secondPage.QuerySelector("[data-testid=claim-form]")?.GetAttribute("action") ?? throw new InvalidOperationException("The case page offers no claim.");
        using (var claimed = await firstClient.SubmitAsync(firstPage, action, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        }

        using var late = await second.SubmitAsync(secondPage, action, new Dictionary<string, string?>());

        Assert.Equal(HttpStatusCode.Redirect, late.StatusCode);
        var location = late.Headers.Location?.OriginalString ?? "";
        Assert.StartsWith(caseUrl + "?", location, StringComparison.Ordinal);
        var page = await second.GetPageAsync(location);
        Assert.NotNull(page.QuerySelector(".error-summary[data-testid=case-message]"));
        Assert.Null(page.QuerySelector("[data-testid=claim-form]"));
        Assert.Contains(holder, page.QuerySelector("[data-testid=claim-holder]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALapsedClaim_NamesNoHolder_AndTheCasePageOffersTheClaim_AsTheQueueDoes()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var first = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var holder = await NameAsync(first, "Cecilia " + Guid.NewGuid().ToString("N")[..6]);
        var firstClient = await StaffAccounts.SignInAsync(factory, first);
        var caseUrl = $"/staff/cases/{victim.Case.Id}";
        var firstPage = await firstClient.GetPageAsync(caseUrl);
        var action = firstPage.QuerySelector("[data-testid=claim-form]")?.GetAttribute("action") ?? throw new InvalidOperationException("The case page offers no claim.");
        using (var claimed = await firstClient.SubmitAsync(firstPage, action, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        }

        // Still held a minute before the lapse: the holder is named and no claim is offered.
        factory.Clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromMinutes(1));
        var second = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var held = await second.GetPageAsync(caseUrl);
        Assert.Contains(holder, held.QuerySelector("[data-testid=claim-holder]")?.TextContent, StringComparison.Ordinal);
        Assert.Null(held.QuerySelector("[data-testid=claim-form]"));

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        var third = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var lapsed = await third.GetPageAsync(caseUrl);
        Assert.Null(lapsed.QuerySelector("[data-testid=claim-holder]"));
        Assert.DoesNotContain(holder, lapsed.QuerySelector("[data-testid=case-meta]")?.TextContent, StringComparison.Ordinal);
        var claim = lapsed.QuerySelector("[data-testid=claim-form]");
        Assert.True(claim is not null, "a case whose claim has lapsed offers no claim on its page");

        using var taken = await third.SubmitAsync(lapsed, claim.GetAttribute("action") ?? "", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, taken.StatusCode);
        var thirdId = await factory.QueryAsync(db => db.AuditEntries.Where(a => a.CaseId == victim.Case.Id && a.Action == AuditActions.CaseClaimed).OrderBy(a => a.Id).Select(a => a.ActorId).ToListAsync());
        Assert.Equal(2, thirdId.Distinct().Count());
        Assert.Equal(thirdId[^1], await factory.QueryAsync(db => db.Cases.Where(c => c.Id == victim.Case.Id).Select(c => c.ClaimedById).SingleAsync()));
    }

    private async Task<string> NameAsync(StaffAccount account, string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByEmailAsync(account.Email) ?? throw new InvalidOperationException("No such account.");
        user.DisplayName = name;
        Assert.True((await users.UpdateAsync(user)).Succeeded);
        return name;
    }
}
