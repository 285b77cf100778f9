using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Triage;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Dashboard;

/// <summary>The supervisor dashboard's numbers on each provider, with the test clock; a fresh portal per test so counts are exact.</summary>
public abstract class DashboardTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, new()
{
    private readonly TFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task Dashboard_CountsTheQueue_ReportsPerDay_MedianFirstResponse_AndLanguages()
    {
        var volunteer = await VolunteerIdAsync();

        // Forty days ago, answered after ten days: outside the 30-day window, so not in the median.
        var old = await FileAsync(a => { });
        factory.Clock.Advance(TimeSpan.FromDays(10));
        await DecideAsync(old, volunteer);
        factory.Clock.Advance(TimeSpan.FromDays(30));

        // Yesterday: four reports, answered after 30 min, 1 h, 2 h and 3 h; median 1 h 30 min.
        var answered = new List<Guid>();
        foreach (var change in new Action<Dictionary<string, string?>>[] { a => { }, a => a["PreferredLanguage"] = "fi", a => a["PreferredLanguage"] = "sv", a => { } })
        {
            answered.Add(await FileAsync(change));
        }

        var waits = new[] { TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3) };
        var elapsed = TimeSpan.Zero;
        for (var i = 0; i < answered.Count; i++)
        {
            factory.Clock.Advance(waits[i] - elapsed);
            elapsed = waits[i];
            await DecideAsync(answered[i], volunteer);
        }

        // Today: three open reports, unanswered (urgent, high, normal in Finnish).
        factory.Clock.Advance(TimeSpan.FromDays(1) - elapsed);
        await FileAsync(a => a["RiskSelfHarm"] = "true");
        await FileAsync(a => a["IsUnder18"] = "true");
        await FileAsync(a => a["PreferredLanguage"] = "fi");

        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync("/staff/dashboard");

        Assert.Equal("1", page.QuerySelector("[data-testid=dashboard-priorities] [data-priority=Urgent] strong")?.TextContent);
        Assert.Equal("1", page.QuerySelector("[data-testid=dashboard-priorities] [data-priority=High] strong")?.TextContent);
        Assert.Equal("1", page.QuerySelector("[data-testid=dashboard-priorities] [data-priority=Normal] strong")?.TextContent);
        Assert.Equal("0", page.QuerySelector("[data-testid=dashboard-priorities] [data-priority=Raised] strong")?.TextContent);

        var median = page.QuerySelector("[data-testid=median-first-response]");
        Assert.Equal("5400", median?.GetAttribute("data-seconds"));
        Assert.Equal("1 h 30 min", median?.TextContent);

        var rows = page.QuerySelectorAll("#cases-per-day [data-testid=chart-row]");
        Assert.Equal(30, rows.Length);
        var today = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), rows[^1].QuerySelector("time")?.GetAttribute("datetime"));
        Assert.Equal(["4", "3"], rows.Skip(28).Select(r => r.QuerySelector("td")?.TextContent));
        Assert.Equal(7, rows.Sum(r => int.Parse(r.QuerySelector("td")?.TextContent ?? "", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["4", "3"], page.QuerySelectorAll("#cases-per-day rect.chart-bar").Skip(28).Select(b => b.GetAttribute("data-count")));

        string? Cell(string language, string cell) => page.QuerySelector($"[data-testid=language-row][data-language={language}] [data-testid={cell}]")?.TextContent;
        Assert.Equal(["en", "fi", "sv"], page.QuerySelectorAll("[data-testid=language-row]").Select(r => r.GetAttribute("data-language")));
        Assert.Equal(("2", "5"), (Cell("en", "language-open"), Cell("en", "language-total")));
        Assert.Equal(("1", "2"), (Cell("fi", "language-open"), Cell("fi", "language-total")));
        Assert.Equal(("0", "1"), (Cell("sv", "language-open"), Cell("sv", "language-total")));
        Assert.DoesNotContain("therapy", page.Body?.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FirstResponse_IsSetByTheFirstDecision_AndNeverMovedWhenAMessageCameFirst()
    {
        var volunteer = await VolunteerIdAsync();
        var decided = await FileAsync(a => { });
        var messaged = await FileAsync(a => { });
        var messageTime = factory.Clock.GetUtcNow().UtcDateTime.AddMinutes(5);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var entity = await db.Cases.SingleAsync(c => c.Id == messaged);
            entity.RecordFirstResponse(messageTime);
            await db.SaveChangesAsync();
        }

        factory.Clock.Advance(TimeSpan.FromHours(2));
        await DecideAsync(decided, volunteer);
        await DecideAsync(messaged, volunteer);

        await using var check = factory.Services.CreateAsyncScope();
        var cases = check.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.AsNoTracking();
        var first = await cases.SingleAsync(c => c.Id == decided);
        Assert.Equal((factory.Clock.GetUtcNow().UtcDateTime, 7200), (first.FirstResponseAt, first.FirstResponseSeconds));
        var second = await cases.SingleAsync(c => c.Id == messaged);
        Assert.Equal((messageTime, 300), (second.FirstResponseAt, second.FirstResponseSeconds));
    }

    [Fact]
    public async Task WithNoAnsweredReports_TheMedianSaysSo()
    {
        await FileAsync(a => { });
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);

        var page = await admin.GetPageAsync("/staff/dashboard");

        Assert.Null(page.QuerySelector("[data-testid=median-first-response]"));
        Assert.NotNull(page.QuerySelector("[data-testid=median-first-response-none]"));
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Police)]
    [InlineData(StaffRoles.Counsellor)]
    public async Task OtherRoles_CannotSeeTheDashboard_NorFindItsLink(string role)
    {
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);

        using var response = await staff.GetAsync("/staff/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Null((await staff.GetPageAsync("/staff")).QuerySelector("a[href='/staff/dashboard']"));
    }

    [Fact]
    public async Task SupervisorsAndAdmins_FindTheDashboardInTheStaffArea()
    {
        foreach (var role in new[] { StaffRoles.Supervisor, StaffRoles.Admin })
        {
            var staff = await StaffAccounts.SignedInClientAsync(factory, role);
            Assert.NotNull((await staff.GetPageAsync("/staff")).QuerySelector("a[href='/staff/dashboard']"));
        }
    }

    private async Task<Guid> FileAsync(Action<Dictionary<string, string?>> change)
    {
        var answers = ReportAnswers.Valid("my therapy notes were stolen");
        change(answers);
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reference = (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
    }

    private async Task<string> VolunteerIdAsync()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(account.Email))?.Id ?? "";
    }

    /// <summary>Claims and records "information only" through the Core handlers, at the clock's current time.</summary>
    private async Task DecideAsync(Guid caseId, string volunteerId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(ClaimOutcome.Claimed, await scope.ServiceProvider.GetRequiredService<ClaimCaseHandler>().HandleAsync(caseId, Actor.Staff(volunteerId, IPAddress.Loopback), CancellationToken.None));
        var decided = await scope.ServiceProvider.GetRequiredService<DecideTriageHandler>().HandleAsync(new DecideTriage(caseId, TriageRoute.InformationOnly, null), Actor.Staff(volunteerId, IPAddress.Loopback), CancellationToken.None);
        Assert.Equal(DecisionOutcome.Decided, decided.Outcome);
    }
}

public sealed class SqliteDashboardTests : DashboardTests<SqlitePortalFactory>;

public sealed class PostgresDashboardTests : DashboardTests<PostgresPortalFactory>;
