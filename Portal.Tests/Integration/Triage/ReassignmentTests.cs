using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Triage;

/// <summary>Supervisors reassign and release claims through the case page; a stale page never overwrites what it did not show.</summary>
public abstract class ReassignmentTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const string StaleText = "Someone changed this case since you opened it.";

    /// <summary>Supervisors say why they move a case (issue 16); the trail keeps it after the outcome.</summary>
    private const string Reason = "covering a shift";

    private const string Why = " reason=" + Reason;

    [Fact]
    public async Task Supervisor_ReassignsAClaimedCase_ToAnotherVolunteer_AuditedWithIds()
    {
        var caseId = await NewCaseAsync();
        var (first, firstClient) = await VolunteerAsync("Ann");
        var (second, secondClient) = await VolunteerAsync("Bea");
        await ClaimAsync(firstClient, caseId);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");
        var choices = page.QuerySelectorAll("#reassign-to option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Contains(first, choices);
        Assert.Contains(second, choices);
        using (var reassigned = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = second, ["reason"] = Reason }))
        {
            Assert.Equal($"/staff/cases/{caseId}?reassigned=1", reassigned.Headers.Location?.OriginalString);
        }

        Assert.Equal(second, (await CaseAsync(caseId)).ClaimedById);
        var mine = await secondClient.GetPageAsync("/staff/queue?mine=true");
        Assert.Single(mine.QuerySelectorAll("[data-testid=queue-row]"));
        var formerHolder = await firstClient.GetPageAsync($"/staff/cases/{caseId}");
        Assert.Null(formerHolder.QuerySelector($"form[action='/staff/cases/{caseId}/decision']"));
        var newHolder = await secondClient.GetPageAsync($"/staff/cases/{caseId}");
        Assert.NotNull(newHolder.QuerySelector($"form[action='/staff/cases/{caseId}/decision']"));

        var entry = Assert.Single(await AuditAsync(caseId, AuditActions.CaseReassigned));
        Assert.Equal($"from={first} to={second} Reassigned" + Why, entry.Detail);
        Assert.Equal(PortalFactory.ClientAddress.ToString(), entry.IpAddress);
        Assert.DoesNotContain("Bea", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Supervisor_AssignsAnUnclaimedCase_AndReleasesSomeoneElsesClaim()
    {
        var caseId = await NewCaseAsync();
        var (volunteer, volunteerClient) = await VolunteerAsync("Cai");
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");
        Assert.Null(page.QuerySelector($"form[action='/staff/cases/{caseId}/release-claim']"));
        using (var assigned = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = volunteer, ["reason"] = Reason }))
        {
            Assert.Equal($"/staff/cases/{caseId}?reassigned=1", assigned.Headers.Location?.OriginalString);
        }

        var stored = await CaseAsync(caseId);
        Assert.Equal(volunteer, stored.ClaimedById);
        Assert.Equal(CaseStatus.InTriage, stored.Status);
        Assert.NotNull((await volunteerClient.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector($"form[action='/staff/cases/{caseId}/decision']"));

        var held = await supervisor.GetPageAsync($"/staff/cases/{caseId}");
        using (var released = await supervisor.SubmitAsync(held, $"/staff/cases/{caseId}/release-claim", new Dictionary<string, string?> { ["reason"] = Reason }))
        {
            Assert.Equal($"/staff/cases/{caseId}?reassigned=released", released.Headers.Location?.OriginalString);
        }

        Assert.Null((await CaseAsync(caseId)).ClaimedById);
        var after = await supervisor.GetPageAsync($"/staff/cases/{caseId}?reassigned=released");
        Assert.Equal("The claim was released; the case is back in the queue.", after.QuerySelector("[data-testid=case-message]")?.TextContent.Trim());
        Assert.Equal(
            [$"from=none to={volunteer} Reassigned" + Why, $"from={volunteer} to=none Released" + Why],
            (await AuditAsync(caseId, AuditActions.CaseReassigned)).Select(e => e.Detail));
    }

    [Fact]
    public async Task Timeline_NamesTheStaffOfEachReassignment_NeverTheirIds_AndAFormerMemberWhoseAccountIsGone()
    {
        var caseId = await NewCaseAsync();
        var (first, firstClient) = await VolunteerAsync("Ann <em>Aalto</em>");
        var (second, _) = await VolunteerAsync("Bea Berg");
        var (leaver, _) = await VolunteerAsync("Leo Lähtijä");
        await ClaimAsync(firstClient, caseId);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        foreach (var to in new[] { second, leaver })
        {
            using var reassigned = await supervisor.SubmitAsync(await supervisor.GetPageAsync($"/staff/cases/{caseId}"), $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = to, ["reason"] = Reason });
            Assert.Equal(HttpStatusCode.Redirect, reassigned.StatusCode);
        }

        using (var released = await supervisor.SubmitAsync(await supervisor.GetPageAsync($"/staff/cases/{caseId}"), $"/staff/cases/{caseId}/release-claim", new Dictionary<string, string?> { ["reason"] = Reason }))
        {
            Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            Assert.True((await users.DeleteAsync(await users.FindByIdAsync(leaver) ?? throw new InvalidOperationException("no user"))).Succeeded);
        }

        var timeline = (await supervisor.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector("[data-testid=timeline]") ?? throw new InvalidOperationException("no timeline");
        Assert.Equal(
            [
                "from Ann <em>Aalto</em> to Bea Berg · reassigned",
                "from Bea Berg to former staff member · reassigned",
                "from former staff member to nobody · claim released, back in the queue",
            ],
            timeline.QuerySelectorAll("[data-testid=timeline-reassignment]").Select(e => e.TextContent.Trim()));
        Assert.Null(timeline.QuerySelector("em"));
        foreach (var id in new[] { first, second, leaver })
        {
            Assert.DoesNotContain(id, timeline.InnerHtml, StringComparison.Ordinal);
        }

        // The audit trail itself keeps the ids.
        Assert.Equal(
            [$"from={first} to={second} Reassigned" + Why, $"from={second} to={leaver} Reassigned" + Why, $"from={leaver} to=none Released" + Why],
            (await AuditAsync(caseId, AuditActions.CaseReassigned)).Select(e => e.Detail));
    }

    [Fact]
    public async Task Volunteer_CannotReassign_NoControlAndThePostIsRefused()
    {
        var caseId = await NewCaseAsync();
        var (holder, holderClient) = await VolunteerAsync("Dan");
        var (other, otherClient) = await VolunteerAsync("Eve");
        await ClaimAsync(holderClient, caseId);

        var page = await otherClient.GetPageAsync($"/staff/cases/{caseId}");
        Assert.Null(page.QuerySelector("[data-testid=reassign]"));
        var token = page.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
        using (var refused = await otherClient.PostAsync($"/staff/cases/{caseId}/reassign", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["expected"] = holder, ["to"] = other })))
        {
            Assert.Contains("/account/denied", refused.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        using (var releaseRefused = await otherClient.PostAsync($"/staff/cases/{caseId}/release-claim", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["expected"] = holder })))
        {
            Assert.Contains("/account/denied", releaseRefused.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(holder, (await CaseAsync(caseId)).ClaimedById);
        Assert.Empty(await AuditAsync(caseId, AuditActions.CaseReassigned));
    }

    [Fact]
    public async Task StaleReassignment_ChangesNothing_AndSaysLookAgain()
    {
        var caseId = await NewCaseAsync();
        var (first, firstClient) = await VolunteerAsync("Fay");
        var (second, secondClient) = await VolunteerAsync("Gus");
        var (third, _) = await VolunteerAsync("Hal");
        await ClaimAsync(firstClient, caseId);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var shown = await supervisor.GetPageAsync($"/staff/cases/{caseId}");

        // While the supervisor looks, the holder gives the case back and someone else claims it.
        var holderQueue = await firstClient.GetPageAsync("/staff/queue?mine=true");
        (await firstClient.SubmitAsync(holderQueue, $"/staff/queue/{caseId}/release", new Dictionary<string, string?>())).Dispose();
        await ClaimAsync(secondClient, caseId);

        using (var stale = await supervisor.SubmitAsync(shown, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = third, ["reason"] = Reason }))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.StartsWith(StaleText, (await HtmlForms.ParseAsync(stale)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        using (var staleRelease = await supervisor.SubmitAsync(shown, $"/staff/cases/{caseId}/release-claim", new Dictionary<string, string?> { ["reason"] = Reason }))
        {
            Assert.Equal(HttpStatusCode.Conflict, staleRelease.StatusCode);
            Assert.StartsWith(StaleText, (await HtmlForms.ParseAsync(staleRelease)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        Assert.Equal(second, (await CaseAsync(caseId)).ClaimedById);
        Assert.Equal(
            [$"from={first} to={third} Stale" + Why, $"from={first} to=none Stale" + Why],
            (await AuditAsync(caseId, AuditActions.CaseReassigned)).Select(e => e.Detail));
    }

    [Fact]
    public async Task ParallelReassignments_FromTheSamePage_OnlyOneWins()
    {
        var caseId = await NewCaseAsync();
        var (holder, holderClient) = await VolunteerAsync("Ida");
        await ClaimAsync(holderClient, caseId);
        var targets = new List<string>();
        var supervisors = new List<(HttpClient Client, IDocument Page)>();
        for (var i = 0; i < 6; i++)
        {
            targets.Add((await VolunteerAsync($"Target {i}")).Id);
        }

        for (var i = 0; i < 6; i++)
        {
            var client = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
            supervisors.Add((client, await client.GetPageAsync($"/staff/cases/{caseId}")));
        }

        var responses = await Task.WhenAll(supervisors.Select((s, i) =>
            s.Client.SubmitAsync(s.Page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = targets[i], ["reason"] = Reason })));

        var winners = responses.Select((r, i) => (r, i)).Where(x => x.r.StatusCode == HttpStatusCode.Redirect).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(targets[winner.i], (await CaseAsync(caseId)).ClaimedById);
        var audit = await AuditAsync(caseId, AuditActions.CaseReassigned);
        Assert.Equal($"from={holder} to={targets[winner.i]} Reassigned" + Why, Assert.Single(audit, e => e.Detail!.Contains(" Reassigned", StringComparison.Ordinal)).Detail);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task OnlyActiveVolunteersAndSupervisors_CanBeChosen()
    {
        var caseId = await NewCaseAsync();
        var (disabled, _) = await VolunteerAsync("Jon");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByIdAsync(disabled) ?? throw new InvalidOperationException("no user");
            await users.SetLockoutEndDateAsync(user, StaffUser.DisabledUntil);
        }

        var police = await StaffAccounts.CreateAsync(factory, StaffRoles.Police);
        var policeId = await UserIdAsync(police.Email);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");
        var choices = page.QuerySelectorAll("#reassign-to option").Select(o => o.GetAttribute("value")).ToList();
        Assert.DoesNotContain(disabled, choices);
        Assert.DoesNotContain(policeId, choices);

        foreach (var target in new[] { disabled, policeId, "no-such-user" })
        {
            using var refused = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = target, ["reason"] = Reason });
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            Assert.Equal("Choose an active volunteer or supervisor.", (await HtmlForms.ParseAsync(refused)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim());
        }

        Assert.Null((await CaseAsync(caseId)).ClaimedById);
    }

    private async Task<Guid> NewCaseAsync()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("someone has my therapy notes"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reference = (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reference]")?.TextContent;
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
    }

    private async Task<(string Id, HttpClient Client)> VolunteerAsync(string name)
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(account.Email) ?? throw new InvalidOperationException("no user");
            user.DisplayName = name;
            await users.UpdateAsync(user);
        }

        return (await UserIdAsync(account.Email), await StaffAccounts.SignInAsync(factory, account));
    }

    private static async Task ClaimAsync(HttpClient volunteer, Guid caseId)
    {
        var queue = await volunteer.GetPageAsync("/staff/queue");
        using var claimed = await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
    }

    private async Task<Case> CaseAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.AsNoTracking().SingleAsync(c => c.Id == caseId);
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))?.Id ?? "";
    }

    private async Task<List<AuditEntry>> AuditAsync(Guid caseId, string action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Action == action).OrderBy(e => e.Id).ToListAsync();
    }
}

public sealed class SqliteReassignmentTests(SqlitePortalFactory factory) : ReassignmentTests<SqlitePortalFactory>(factory);

public sealed class PostgresReassignmentTests(PostgresPortalFactory factory) : ReassignmentTests<PostgresPortalFactory>(factory);
