using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Browser.Staff;

/// <summary>
/// The jobs dashboard (Hangfire's) in Chromium: an admin reaches it from the staff page through the
/// portal's sign-in, the overview's chart draws under the portal's CSP (only Chart.js's style
/// element is allowed, by its hash), and a recurring job is run from the dashboard and audited.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class JobsPageBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_OpensTheDashboardFromTheStaffPage_TheChartDrawsWithinTheCsp_AndRunsARecurringJob()
    {
        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin);
        var page = await fixture.NewPageAsync("en-GB");
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                refused.Add(message.Text);
            }
        };
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await fixture.SignInAsync(page, account);

        await page.ClickAsync("a[href='/admin/jobs']");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs");
        await page.WaitForSelectorAsync("canvas");
        Assert.Contains("Portal jobs", await page.TitleAsync(), StringComparison.Ordinal);
        Assert.True(refused.Count == 0, "the dashboard broke the CSP: " + string.Join("\n", refused));

        // Chart.js's stylesheet was applied, not only inserted: its monitor class animates the canvas.
        Assert.Equal("chartjs-render-animation", await page.EvalOnSelectorAsync<string>("canvas.chartjs-render-monitor", "c => getComputedStyle(c).animationName"));

        // The recurring jobs page, one job ticked and run now, as an admin does it.
        await page.ClickAsync($"a[href='/admin/jobs/recurring']");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs/recurring");
        await page.CheckAsync($"input.js-jobs-list-checkbox[value='{PortalJobKeys.CampaignRecompute}']");
        var command = page.WaitForResponseAsync(r => r.Url.EndsWith("/admin/jobs/recurring/trigger", StringComparison.Ordinal));
        await page.ClickAsync("button[data-url$='/recurring/trigger']");
        Assert.Equal(204, (await command).Status);
        Assert.True(refused.Count == 0, "the dashboard broke the CSP: " + string.Join("\n", refused));
        await page.Context.CloseAsync();

        await Eventually.WaitAsync(
            () => fixture.Portal.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "job.triggered" && e.Subject == PortalJobKeys.CampaignRecompute)),
            "the trigger to be audited");
        await Eventually.WaitAsync(
            () => Task.FromResult(fixture.Portal.Logs.Lines.Any(l => l.Contains("Campaigns recomputed", StringComparison.Ordinal))),
            "the campaign recomputation to run");
    }
}
