using System.Net;
using AngleSharp.Dom;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using Portal.Web.Security;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// Hangfire's dashboard as the admins' jobs page, over HTTP: the portal's sign-in in front of it,
/// supervisors reading, admins acting with the antiforgery token, every command audited, the
/// portal's CSP with the one style hash Chart.js needs, and no connection string on show.
/// </summary>
public abstract class JobsDashboardTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, IJobsPortal, new()
{
    private readonly SwitchableSmtp smtp = new();
    private TFactory? started;

    private TFactory Portal => started ?? throw new InvalidOperationException("The portal did not start.");

    public async Task InitializeAsync()
    {
        // Waits long enough between attempts for a test to bring the mail server back in between.
        var portal = new TFactory
        {
            Extra = new Dictionary<string, string?>(smtp.Settings)
            {
                ["Jobs:RetryBaseDelay"] = "00:00:02",
                ["Jobs:RetryMaxDelay"] = "00:00:04",
                ["Jobs:RetryJitter"] = "0",
            },
        };
        await ((IAsyncLifetime)portal).InitializeAsync();
        _ = portal.Server;
        started = portal;
    }

    public async Task DisposeAsync()
    {
        if (started is not null)
        {
            await ((IAsyncLifetime)started).DisposeAsync();
        }

        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_ForAdmins_ReadOnlyForSupervisors_RefusedToEveryoneElse()
    {
        using (var anonymous = await Portal.CreatePortalClient().GetAsync(JobsDashboard.Path))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.StartsWith("https://localhost/account/sign-in", anonymous.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        foreach (var role in new[] { StaffRoles.Volunteer, StaffRoles.Counsellor, StaffRoles.Police })
        {
            var staff = await StaffAccounts.SignedInClientAsync(Portal, role);
            using var refused = await staff.GetAsync(JobsDashboard.Path + "/recurring");
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Contains("/account/denied", refused.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        var admin = await StaffAccounts.SignedInClientAsync(Portal, StaffRoles.Admin);
        var adminPage = await admin.GetPageAsync(JobsDashboard.Path + "/recurring");
        Assert.Equal(PortalJobKeys.Recurring.Count, adminPage.QuerySelectorAll("input.js-jobs-list-checkbox").Length);
        Assert.NotNull(adminPage.QuerySelector("[data-url$='/recurring/trigger']"));

        // Supervisors see the same jobs, without the buttons, and cannot give a command anyway.
        var supervisor = await StaffAccounts.SignedInClientAsync(Portal, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync(JobsDashboard.Path + "/recurring");
        foreach (var id in PortalJobKeys.Recurring)
        {
            Assert.Contains(id, page.Body?.TextContent, StringComparison.Ordinal);
        }

        Assert.Null(page.QuerySelector("[data-url$='/recurring/trigger']"));
        using (var trigger = await PostCommandAsync(supervisor, page, "/recurring/trigger", PortalJobKeys.DailyDigest))
        {
            Assert.Equal(HttpStatusCode.Redirect, trigger.StatusCode);
            Assert.Contains("/account/denied", trigger.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        // Reading includes the statistics the pages poll for.
        using var stats = await PostCommandAsync(supervisor, page, "/stats", null);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.False(await Portal.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.Action.StartsWith("job."))));
    }

    [Fact]
    public async Task Dashboard_KeepsThePortalsHeaders_WithOnlyChartJsStyleAdded_AndShowsNoConnectionString()
    {
        var admin = await StaffAccounts.SignedInClientAsync(Portal, StaffRoles.Admin);
        using var response = await admin.GetAsync(JobsDashboard.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(SecurityHeadersMiddleware.ContentSecurityPolicy.Replace("style-src 'self';", $"style-src 'self' {JobsDashboard.ChartStyleHash};", StringComparison.Ordinal), policy);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var html = await response.Content.ReadAsStringAsync();
        var page = await HtmlForms.ParseAsync(response);
        Assert.Empty(page.QuerySelectorAll("script:not([src])"));
        Assert.Contains("Portal jobs", page.Title, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("a[href='/staff']"));
        Assert.DoesNotContain(Portal.DataDirectory, html, StringComparison.Ordinal);
        if (Portal is PostgresJobsPortal postgres)
        {
            Assert.DoesNotContain(postgres.DatabaseName, html, StringComparison.Ordinal);
            Assert.DoesNotContain("Host=", html, StringComparison.OrdinalIgnoreCase);
        }

        // Elsewhere the portal's policy is untouched.
        using var staffHome = await admin.GetAsync("/staff");
        Assert.Equal(SecurityHeadersMiddleware.ContentSecurityPolicy, string.Join(";", staffHome.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task SmtpDownUntilTheRetriesEnd_TheRetriesThenTheFailureAreOnTheDashboard_AdminsAreEmailed_AndARequeueFromTheDashboardIsAuditedAndRuns()
    {
        var supervisor = await StaffAccounts.CreateAsync(Portal, StaffRoles.Supervisor);
        var account = await StaffAccounts.CreateAsync(Portal, StaffRoles.Admin);
        var admin = await StaffAccounts.SignInAsync(Portal, account);

        // Every server running the jobs is on the servers page.
        var servers = await Eventually.WaitAsync(
            () => Task.FromResult(Portal.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers() is { Count: > 0 } found ? found : null),
            "the job server to announce itself");
        var serversPage = await admin.GetPageAsync(JobsDashboard.Path + "/servers");
        Assert.All(servers, server => Assert.NotNull(serversPage.QuerySelectorAll("span[title]").FirstOrDefault(s => s.GetAttribute("title") == server.Name)));

        // While it waits for its next attempt, the job is on the retries page...
        var job = Portal.RunRecurring(PortalJobKeys.DailyDigest);
        var retrying = await Eventually.WaitAsync(
            async () => await admin.GetPageAsync(JobsDashboard.Path + "/retries") is var page && page.QuerySelector($"input.js-jobs-list-checkbox[value='{job}']") is not null ? page : null,
            $"job {job} on the retries page");
        Assert.Contains("Retry: attempt", retrying.QuerySelector("table")?.TextContent, StringComparison.Ordinal);

        var failure = await Portal.FailureOfAsync("recurring.daily-digest");
        smtp.Up();
        await Portal.WaitForJobAsync(job, "Failed");

        // ...and leaves it once it has no attempt left.
        var retriesAfter = await admin.GetPageAsync(JobsDashboard.Path + "/retries");
        Assert.Null(retriesAfter.QuerySelector($"input.js-jobs-list-checkbox[value='{job}']"));
        Assert.NotNull(retriesAfter.QuerySelector("h1.page-header"));

        // Failed, for good, where admins look: the failed jobs page and the job's own page.
        var failed = await admin.GetPageAsync(JobsDashboard.Path + "/jobs/failed");
        Assert.NotNull(failed.QuerySelector($"input.js-jobs-list-checkbox[value='{job}']"));
        var details = await admin.GetPageAsync($"{JobsDashboard.Path}/jobs/details/{job}");
        Assert.Contains("EmailDeliveryException", details.Body?.TextContent, StringComparison.Ordinal);
        Assert.Contains("Failed 3 times", details.Body?.TextContent, StringComparison.Ordinal);

        // The admins' email goes once the mail server is back (the notification job's retry).
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(account.Email, 1, TimeSpan.FromSeconds(30)));
        Assert.Contains("recurring.daily-digest", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"job {job}", mail.TextBody, StringComparison.Ordinal);

        // Without the token the command is refused; with it the job runs again and the digest goes out.
        using (var forged = await admin.PostAsync(JobsDashboard.Path + "/jobs/failed/requeue", new FormUrlEncodedContent([new("jobs[]", job)])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        Assert.Equal("Failed", Portal.JobState(job));
        using (var requeued = await PostCommandAsync(admin, failed, "/jobs/failed/requeue", job))
        {
            Assert.Equal(HttpStatusCode.NoContent, requeued.StatusCode);
        }

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email, 1, TimeSpan.FromSeconds(30)));
        await Portal.WaitForJobAsync(job, "Succeeded");
        var entry = Assert.Single(await Portal.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == "job.retried").ToListAsync()));
        Assert.Equal(job, entry.Subject);
        Assert.Equal(await Portal.QueryAsync(db => db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync()), entry.ActorId);
        Assert.NotNull((await Portal.QueryAsync(db => db.JobFailures.AsNoTracking().SingleAsync(f => f.Id == failure.Id))).ResolvedAt);
    }

    /// <summary>A command as the dashboard's script sends it: a form post with the antiforgery token from the page's meta tags.</summary>
    private static Task<HttpResponseMessage> PostCommandAsync(HttpClient client, IDocument page, string command, string? job)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, JobsDashboard.Path + command)
        {
            Content = new FormUrlEncodedContent(job is null ? [] : [new KeyValuePair<string, string>("jobs[]", job)]),
        };
        var header = page.QuerySelector("meta[name=csrf-header]")?.GetAttribute("content") ?? throw new InvalidOperationException("The page has no antiforgery header name.");
        request.Headers.Add(header, page.QuerySelector("meta[name=csrf-token]")?.GetAttribute("content"));
        return client.SendAsync(request);
    }
}

public sealed class SqliteJobsDashboardTests : JobsDashboardTests<SqliteJobsPortal>;

public sealed class PostgresJobsDashboardTests : JobsDashboardTests<PostgresJobsPortal>;
