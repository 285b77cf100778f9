using System.Net;
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
