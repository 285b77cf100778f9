using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.Jobs;

/// <summary>The jobs page over HTTP: admins only, antiforgery, and a retry that really runs the job again.</summary>
public sealed class JobsPageTests : IAsyncLifetime
{
    private readonly SqliteJobsPortal portal = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)portal).InitializeAsync();
        _ = portal.Server;
    }

    public Task DisposeAsync() => ((IAsyncLifetime)portal).DisposeAsync();

    [Theory]
    [InlineData(StaffRoles.Supervisor)]
    [InlineData(StaffRoles.Volunteer)]
    public async Task JobsPage_IsForAdminsOnly(string role)
    {
        var client = await StaffAccounts.SignedInClientAsync(portal, role);
        using var response = await client.GetAsync("/admin/jobs");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        using var anonymous = await portal.CreatePortalClient().GetAsync("/admin/jobs");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Fact]
    public async Task RetryNow_OnAFailedJob_RunsItAgain_AndMarksTheFailureResolved()
    {
        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var admin = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Admin);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Jobs.JobFailuresHandler>()
                .RecordAsync(new Portal.Core.Features.Jobs.FailedJob("recurring.daily-digest", null, 3, new TimeoutException("SMTP timed out")), CancellationToken.None);
        }

        var page = await admin.GetPageAsync("/admin/jobs");
        var row = page.QuerySelector("[data-testid=job-failure][data-job='recurring.daily-digest']");
        Assert.NotNull(row);
        Assert.Contains("SMTP timed out", row.TextContent);
        Assert.Equal(JobsOverviewQuery.RecurringJobs.Count, page.QuerySelectorAll("[data-testid=recurring-job]").Length);
        // Seven, and the sweep that finishes campaign actions (issue 16).
        Assert.Equal(8, JobsOverviewQuery.RecurringJobs.Count);

        // Without the antiforgery token nothing happens.
        var action = row.QuerySelector("form")?.GetAttribute("action") ?? "";
        using (var forged = await admin.PostAsync(action, new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using var response = await admin.SubmitAsync(page, action, new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin/jobs?done=retried", response.Headers.Location?.OriginalString);

        var digest = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.Contains("summary", digest.Subject);
        Assert.True(await portal.QueryAsync(db => db.JobFailures.AllAsync(f => f.ResolvedAt != null)));
        Assert.True(await portal.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "job.retried" && e.Subject == "recurring.daily-digest")));
    }

    [Fact]
    public async Task Pause_StopsARecurringJob_UntilResumed()
    {
        var admin = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Admin);
        const string pause = "/admin/jobs/recurring/recurring.retention/pause";
        var scheduler = await portal.SchedulerAsync();

        // Pausing is asked about first (issue 16): the jobs page leads to the question, and a
        // request that did not answer it is sent to the question and pauses nothing.
        var page = await admin.GetPageAsync("/admin/jobs");
        Assert.NotNull(page.QuerySelector($"[data-key='recurring.retention'] a[href='{pause}']"));
        Assert.Null(page.QuerySelector($"form[action='{pause}']"));
        var question = await admin.GetPageAsync(pause);
        Assert.NotNull(question.QuerySelector("[data-testid=confirm-pause]"));
        using (var unconfirmed = await admin.SubmitAsync(question, pause, new Dictionary<string, string?> { ["confirmed"] = null }))
        {
            Assert.Equal(HttpStatusCode.Redirect, unconfirmed.StatusCode);
            Assert.Equal(pause, unconfirmed.Headers.Location?.OriginalString);
        }

        Assert.Equal(Quartz.TriggerState.Normal, await scheduler.GetTriggerState(PortalJobKeys.RecurringTrigger(PortalJobKeys.Retention)));
        Assert.False(await portal.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "job.paused")));

        using (var paused = await admin.SubmitAsync(question, pause, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, paused.StatusCode);
        }

        Assert.Equal(Quartz.TriggerState.Paused, await scheduler.GetTriggerState(PortalJobKeys.RecurringTrigger(PortalJobKeys.Retention)));
        page = await admin.GetPageAsync("/admin/jobs");
        Assert.Equal("Paused", page.QuerySelector("[data-key='recurring.retention']")?.GetAttribute("data-state"));

        using (var resumed = await admin.SubmitAsync(page, "/admin/jobs/recurring/recurring.retention/resume", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, resumed.StatusCode);
        }

        Assert.Equal(Quartz.TriggerState.Normal, await scheduler.GetTriggerState(PortalJobKeys.RecurringTrigger(PortalJobKeys.Retention)));
        var form = page.QuerySelectorAll("form input[type=hidden]").DistinctBy(i => i.GetAttribute("name")).ToDictionary(i => i.GetAttribute("name") ?? "", i => i.GetAttribute("value") ?? "");
        using var unknown = await admin.PostAsync("/admin/jobs/recurring/recurring.nothing/pause", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
