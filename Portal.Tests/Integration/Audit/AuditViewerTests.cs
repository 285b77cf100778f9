using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Audit;

public sealed class AuditViewerTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task Supervisor_ReadsAndFiltersTheTrail_AndChecksTheChain()
    {
        var victim = factory.CreatePortalClient();
        var form = await victim.GetPageAsync("/report");
        using (var submitted = await victim.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var reference = (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        var all = await supervisor.GetPageAsync("/staff/audit");
        var actions = all.QuerySelectorAll("[data-testid=audit-action]").Select(a => a.TextContent).ToList();
        Assert.Contains(AuditActions.ReportSubmitted, actions);
        Assert.Contains(AuditActions.StaffSignIn, actions);

        var forCase = await supervisor.GetPageAsync($"/staff/audit?reference={reference}");
        var row = Assert.Single(forCase.QuerySelectorAll("[data-testid=audit-row]"));
        Assert.Contains(reference!, row.TextContent, StringComparison.Ordinal);
        Assert.Equal(AuditActions.ReportSubmitted, row.QuerySelector("[data-testid=audit-action]")?.TextContent);

        var signIns = await supervisor.GetPageAsync($"/staff/audit?action={AuditActions.StaffSignIn}");
        Assert.All(signIns.QuerySelectorAll("[data-testid=audit-action]"), a => Assert.Equal(AuditActions.StaffSignIn, a.TextContent));

        using var verified = await supervisor.SubmitAsync(all, "/staff/audit/verify", new Dictionary<string, string?>());
        var result = (await HtmlForms.ParseAsync(verified)).QuerySelector("[data-testid=audit-verification]")?.TextContent ?? "";
        Assert.Contains("The trail is intact", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trail_ShowsEachActionsLabelWithItsCode_FiltersByCode_AndShowsTheCodeOfAnActionWithoutALabel()
    {
        const string unlabelled = "legacy.action-without-label";
        var victim = factory.CreatePortalClient();
        var form = await victim.GetPageAsync("/report");
        using (var submitted = await victim.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var reference = (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        Guid caseId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
            await scope.ServiceProvider.GetRequiredService<AuditTrail>().AppendAsync(AuditEvent.System(unlabelled, caseId), CancellationToken.None);
        }

        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync($"/staff/audit?reference={reference}");
        var rows = page.QuerySelectorAll("[data-testid=audit-row]").ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(unlabelled, rows[0].QuerySelector("[data-testid=audit-action]")?.TextContent);
        Assert.Null(rows[0].QuerySelector("[data-testid=audit-action-label]"));
        Assert.Equal("Report submitted", rows[1].QuerySelector("[data-testid=audit-action-label]")?.TextContent);
        Assert.Equal(AuditActions.ReportSubmitted, rows[1].QuerySelector("[data-testid=audit-action]")?.TextContent);
        Assert.DoesNotContain("Audit.Action.", page.Body?.TextContent, StringComparison.Ordinal);

        // The filter offers labels but sends codes.
        Assert.Equal("Report submitted (report.submitted)", page.QuerySelector($"#action option[value='{AuditActions.ReportSubmitted}']")?.TextContent);
        Assert.Equal(unlabelled, page.QuerySelector($"#action option[value='{unlabelled}']")?.TextContent);
        var filtered = await supervisor.GetPageAsync($"/staff/audit?action={AuditActions.ReportSubmitted}&reference={reference}");
        Assert.Equal(AuditActions.ReportSubmitted, filtered.QuerySelector("#action option[selected]")?.GetAttribute("value"));
        Assert.Equal([AuditActions.ReportSubmitted], filtered.QuerySelectorAll("[data-testid=audit-action]").Select(a => a.TextContent));

        var timeline = (await supervisor.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector("[data-testid=timeline]")?.TextContent ?? "";
        Assert.Contains("Report submitted", timeline, StringComparison.Ordinal);
        Assert.Contains(unlabelled, timeline, StringComparison.Ordinal);
        Assert.DoesNotContain("Audit.Action.", timeline, StringComparison.Ordinal);

        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fi");
        var finnish = await supervisor.GetPageAsync($"/staff/audit?reference={reference}");
        Assert.Contains("Ilmoitus lähetetty", finnish.QuerySelectorAll("[data-testid=audit-action-label]").Select(l => l.TextContent));
    }

    [Theory]
    [InlineData("VS-ZZZZ-ZZZZ")]
    [InlineData("not a reference")]
    public async Task MistypedReference_MatchesNoEntry_AndThePageSaysSo(string reference)
    {
        // Entries without a case exist: the supervisor's own sign-in at least.
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        Assert.NotEmpty((await supervisor.GetPageAsync("/staff/audit")).QuerySelectorAll("[data-testid=audit-row]"));

        var page = await supervisor.GetPageAsync($"/staff/audit?reference={Uri.EscapeDataString(reference)}");

        Assert.Empty(page.QuerySelectorAll("[data-testid=audit-row]"));
        Assert.Null(page.QuerySelector("table"));
        Assert.Equal("No entry matches these filters.", page.QuerySelector("[data-testid=audit-empty]")?.TextContent.Trim());
        Assert.Equal(reference, page.QuerySelector("#reference")?.GetAttribute("value"));

        supervisor.DefaultRequestHeaders.AcceptLanguage.ParseAdd("sv");
        var swedish = await supervisor.GetPageAsync($"/staff/audit?reference={Uri.EscapeDataString(reference)}");
        Assert.Equal("Inga poster matchar filtren.", swedish.QuerySelector("[data-testid=audit-empty]")?.TextContent.Trim());
    }

    [Fact]
    public async Task FiltersThatMatchNothing_ShowTheMessage_NotABareTable()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        var page = await supervisor.GetPageAsync($"/staff/audit?action={AuditActions.JobPaused}&actor=Victim");

        Assert.Null(page.QuerySelector("table"));
        Assert.Equal("No entry matches these filters.", page.QuerySelector("[data-testid=audit-empty]")?.TextContent.Trim());
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Police)]
    public async Task OtherStaff_CannotReadTheTrail(string role)
    {
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);

        using var response = await staff.GetAsync("/staff/audit");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }
}
