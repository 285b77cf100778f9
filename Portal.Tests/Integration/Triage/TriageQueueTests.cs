using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Triage;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Triage;

/// <summary>The queue and claims on each provider; each test class instance gets a fresh portal so counts are exact.</summary>
public abstract class TriageQueueTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, new()
{
    private readonly TFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task Queue_OrdersByPriorityThenWaiting_CountsPerPriority_AndFlagsOverdue()
    {
        var normalOld = await FileAsync(a => { });
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var urgent = await FileAsync(a => a["RiskSelfHarm"] = "true");
        var high = await FileAsync(a => a["IsUnder18"] = "true");
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        var normalNew = await FileAsync(a => a["PreferredLanguage"] = "fi");
        factory.Clock.Advance(TimeSpan.FromMinutes(11));

        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var page = await volunteer.GetPageAsync("/staff/queue");

        var order = page.QuerySelectorAll("[data-testid=queue-row]").Select(r => r.GetAttribute("data-reference")).ToList();
        Assert.Equal([urgent, high, normalOld, normalNew], order);
        Assert.Equal("1", page.QuerySelector("[data-priority=Urgent] strong")?.TextContent);
        Assert.Equal("2", page.QuerySelector("[data-priority=Normal] strong")?.TextContent);
        var overdue = page.QuerySelectorAll("[data-testid=queue-row]").Where(r => r.QuerySelector("[data-testid=overdue]") is not null).Select(r => r.GetAttribute("data-reference")).ToList();
        Assert.Equal([urgent], overdue);

        var finnish = await volunteer.GetPageAsync("/staff/queue?language=fi");
        Assert.Equal([normalNew], finnish.QuerySelectorAll("[data-testid=queue-row]").Select(r => r.GetAttribute("data-reference")));
        var young = await volunteer.GetPageAsync("/staff/queue?under18=true");
        Assert.Equal([high], young.QuerySelectorAll("[data-testid=queue-row]").Select(r => r.GetAttribute("data-reference")));
        var urgentOnly = await volunteer.GetPageAsync("/staff/queue?priority=Urgent");
        Assert.Equal([urgent], urgentOnly.QuerySelectorAll("[data-testid=queue-row]").Select(r => r.GetAttribute("data-reference")));
        Assert.DoesNotContain("my therapy", page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);

        // A page past the end is empty, however far past: the offset must not wrap round to the first page.
        foreach (var far in new[] { "2", "85899346", "1000000000", "2147483647" })
        {
            var beyond = await volunteer.GetPageAsync($"/staff/queue?page={far}");
            Assert.Empty(beyond.QuerySelectorAll("[data-testid=queue-row]"));
            Assert.Equal("No cases match these filters.", beyond.QuerySelector("[data-testid=queue-empty]")?.TextContent);
        }
    }

    [Fact]
    public async Task Release_ClickedTwice_LandsWhereTheFirstDid_AndSomeoneElsesClaimIsKept()
    {
        var caseId = await CaseIdAsync(await FileAsync(a => { }));
        var first = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await first.GetPageAsync("/staff/queue");
        (await first.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>())).Dispose();
        var mine = await first.GetPageAsync("/staff/queue?mine=true");

        foreach (var _ in new[] { "first", "second" })
        {
            using var released = await first.SubmitAsync(mine, $"/staff/queue/{caseId}/release", new Dictionary<string, string?>());
            Assert.Equal("/staff/queue?message=released", released.Headers.Location?.OriginalString);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.CaseReleased));
        }

        // Taken by someone else meanwhile: the old page's Release changes nothing and says so.
        var second = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        (await second.SubmitAsync(await second.GetPageAsync("/staff/queue"), $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>())).Dispose();
        using (var stale = await first.SubmitAsync(mine, $"/staff/queue/{caseId}/release", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Equal("Someone else has just claimed this case.", (await HtmlForms.ParseAsync(stale)).QuerySelector("[data-testid=queue-message]")?.TextContent);
        }

        await using var check = factory.Services.CreateAsyncScope();
        Assert.NotNull((await check.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.AsNoTracking().SingleAsync(c => c.Id == caseId)).ClaimedById);
    }

    [Fact]
    public async Task ParallelClaims_ByManyVolunteers_LeaveExactlyOneHolder()
    {
        var reference = await FileAsync(a => { });
        var caseId = await CaseIdAsync(reference);
        var volunteers = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            volunteers.Add(await UserIdAsync((await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer)).Email));
        }

        var outcomes = await Task.WhenAll(volunteers.Select(async id =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return (id, await scope.ServiceProvider.GetRequiredService<ClaimCaseHandler>().HandleAsync(caseId, Actor.Staff(id, IPAddress.Loopback), CancellationToken.None));
        }));

        var winner = Assert.Single(outcomes, o => o.Item2 == ClaimOutcome.Claimed);
        Assert.All(outcomes.Where(o => o.id != winner.id), o => Assert.Equal(ClaimOutcome.HeldBySomeoneElse, o.Item2));
        await using var check = factory.Services.CreateAsyncScope();
        var stored = await check.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.AsNoTracking().SingleAsync(c => c.Id == caseId);
        Assert.Equal(winner.id, stored.ClaimedById);
        Assert.Equal(CaseStatus.InTriage, stored.Status);
    }

    [Fact]
    public async Task Claim_ThroughThePage_ShowsMine_AnotherVolunteerGetsAClearMessage_AndALapsedClaimCanBeTaken()
    {
        var reference = await FileAsync(a => { });
        var caseId = await CaseIdAsync(reference);
        var first = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var second = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await first.GetPageAsync("/staff/queue");

        using var claimed = await first.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>());
        Assert.Equal($"/staff/cases/{caseId}?claimed=1", claimed.Headers.Location?.OriginalString);
        var mine = await first.GetPageAsync("/staff/queue?mine=true");
        Assert.Equal("You", Assert.Single(mine.QuerySelectorAll("[data-testid=queue-row]")).QuerySelector("[data-testid=claimed-by]")?.TextContent);
        var casePage = await first.GetPageAsync($"/staff/cases/{caseId}");
        var timeline = casePage.QuerySelector("[data-testid=timeline]")?.TextContent ?? "";
        Assert.Contains("Case claimed", timeline, StringComparison.Ordinal);
        Assert.Equal("No indicators have been read from the evidence yet.", casePage.QuerySelector("[data-testid=no-indicators]")?.TextContent);
        Assert.DoesNotContain(AuditActions.CaseClaimed, timeline, StringComparison.Ordinal);

        var secondQueue = await second.GetPageAsync("/staff/queue");
        Assert.Null(secondQueue.QuerySelector($"form[action='/staff/queue/{caseId}/claim']"));
        var token = secondQueue.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
        using var refused = await second.PostAsync($"/staff/queue/{caseId}/claim", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var refusal = (await HtmlForms.ParseAsync(refused)).QuerySelector("[data-testid=queue-message]");
        Assert.Equal("Someone else has just claimed this case.", refusal?.TextContent.Trim());
        Assert.Equal("alert", refusal?.GetAttribute("role"));
        Assert.DoesNotContain("notice-success", refusal?.ClassName ?? "", StringComparison.Ordinal);
        var afterRefusal = (await first.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector("[data-testid=timeline]");
        Assert.NotNull(afterRefusal);
        Assert.Equal(["not taken: someone else held the case"], afterRefusal.QuerySelectorAll("[data-testid=timeline-claim]").Select(e => e.TextContent).ToArray());
        Assert.DoesNotContain(nameof(ClaimOutcome.HeldBySomeoneElse), afterRefusal.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(ClaimOutcome.Claimed), afterRefusal.TextContent, StringComparison.Ordinal);

        factory.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        var third = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var thirdQueue = await third.GetPageAsync("/staff/queue");
        using var lapsed = await third.SubmitAsync(thirdQueue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, lapsed.StatusCode);
    }

    [Theory]
    [InlineData(StaffRoles.Police)]
    [InlineData(StaffRoles.Counsellor)]
    [InlineData(StaffRoles.Admin)]
    public async Task OtherRoles_CannotSeeTheQueue(string role)
    {
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);

        using var response = await staff.GetAsync("/staff/queue");

        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> FileAsync(Action<Dictionary<string, string?>> change)
    {
        var answers = ReportAnswers.Valid("my therapy notes were stolen");
        change(answers);
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
    }

    private async Task<Guid> CaseIdAsync(string reference)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))?.Id ?? "";
    }
}

public sealed class SqliteTriageQueueTests : TriageQueueTests<SqlitePortalFactory>;

public sealed class PostgresTriageQueueTests : TriageQueueTests<PostgresPortalFactory>;
