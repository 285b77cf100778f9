using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using Quartz;

namespace Portal.Tests.Integration.Jobs;

/// <summary>The real scheduler on each provider: retries, the failed state, the admin email and persistence across processes.</summary>
public abstract class JobEngineTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, IJobsPortal, new()
{
    private readonly List<PortalFactory> portals = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var portal in portals)
        {
            await ((IAsyncLifetime)portal).DisposeAsync();
        }
    }

    protected abstract TFactory SameData(TFactory other);

    private async Task<TFactory> StartAsync(TFactory portal)
    {
        await ((IAsyncLifetime)portal).InitializeAsync();
        portals.Add(portal);
        _ = portal.Server;
        return portal;
    }

    private static JobKey FlakyKey() => new($"flaky-{Guid.NewGuid():N}", "tests");

    private static Task<bool> EnqueueFlakyAsync(IScheduler scheduler, JobKey key, int failFirst) =>
        JobQueue.EnqueueAsync<FlakyJob>(scheduler, key, "tests 1", new Dictionary<string, string> { [FlakyJob.FailFirst] = failFirst.ToString(System.Globalization.CultureInfo.InvariantCulture) }, CancellationToken.None);

    [Fact]
    public async Task Job_FailingTwiceThenSucceeding_RunsThreeTimes_AndLeavesNoFailure()
    {
        var portal = await StartAsync(new TFactory { Extra = { ["Jobs:MaxAttempts"] = "4" } });
        var scheduler = await portal.SchedulerAsync();
        var key = FlakyKey();

        Assert.True(await EnqueueFlakyAsync(scheduler, key, failFirst: 2));

        // Gone from the store once it has succeeded; the attempts before were retries of it.
        await Eventually.WaitAsync(async () => !await scheduler.Exists(key), "the job to succeed and be removed");
        Assert.Equal(3, FlakyJob.Runs[key.Name]);
        Assert.False(await portal.QueryAsync(db => db.JobFailures.AnyAsync(f => f.JobKey == "tests." + key.Name)));
    }

    [Fact]
    public async Task Job_ScheduledTwice_IsStoredOnce()
    {
        var portal = await StartAsync(new TFactory { Extra = { ["Jobs:Enabled"] = "false" } });
        var scheduler = await portal.SchedulerAsync();
        var key = FlakyKey();

        Assert.True(await EnqueueFlakyAsync(scheduler, key, 0));
        Assert.False(await EnqueueFlakyAsync(scheduler, key, 0));
        Assert.Single(await scheduler.GetTriggersOfJob(key));
    }

    [Fact]
    public async Task Job_ExhaustingItsRetries_IsRecordedAsFailed_KeptForRetry_AndEmailsTheAdmins()
    {
        var portal = await StartAsync(new TFactory());
        var admin = await StaffAccounts.CreateAsync(portal, StaffRoles.Admin);
        var scheduler = await portal.SchedulerAsync();
        var key = FlakyKey();

        await EnqueueFlakyAsync(scheduler, key, failFirst: 100);

        var failure = await portal.FailureOfAsync("tests." + key.Name);
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(3, FlakyJob.Runs[key.Name]);
        Assert.Equal(typeof(InvalidOperationException).FullName, failure.ErrorType);
        Assert.Equal("planned failure 3 of 100", failure.ErrorMessage);
        Assert.Equal("tests 1", failure.Subject);
        Assert.Null(failure.ResolvedAt);
        Assert.True(await scheduler.Exists(key), "a job that failed for good stays stored so that an admin can retry it");

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(admin.Email));
        Assert.Contains("3", mail.Subject);
        Assert.Contains("tests." + key.Name, mail.TextBody);
        Assert.Contains("/admin/jobs", mail.TextBody);
        Assert.DoesNotContain("planned failure", mail.TextBody);
    }

    [Fact]
    public async Task Digest_WithSmtpDown_RetriesThenFailsVisibly_AndTheAdminNotificationFailureIsRecordedToo()
    {
        var portal = await StartAsync(new TFactory { Extra = { ["Email:Host"] = "127.0.0.1", ["Email:Port"] = JobsPortal.ClosedPort(), ["Email:TimeoutSeconds"] = "5" } });
        await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        await StaffAccounts.CreateAsync(portal, StaffRoles.Admin);
        var scheduler = await portal.SchedulerAsync();

        Assert.True(await JobQueue.RetryNowAsync(scheduler, PortalJobKeys.DailyDigest, CancellationToken.None));

        var failure = await portal.FailureOfAsync("recurring.daily-digest");
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(typeof(EmailDeliveryException).FullName, failure.ErrorType);

        // The email to the admins cannot go either: that is recorded as well, never dropped silently.
        var notification = await portal.FailureOfAsync($"notifications.job-failed-{failure.Id}");
        Assert.Equal(typeof(EmailDeliveryException).FullName, notification.ErrorType);
        Assert.Equal($"failure {failure.Id}", notification.Subject);
    }

    [Fact]
    public async Task Job_StoredByAPortalThatStopped_RunsWhenAnotherPortalStartsOnTheSameData()
    {
        var first = await StartAsync(new TFactory { Extra = { ["Jobs:Enabled"] = "false" } });
        var supervisor = await StaffAccounts.CreateAsync(first, StaffRoles.Supervisor);
        var key = new JobKey("digest-" + Guid.NewGuid().ToString("N"), "tests");
        Assert.True(await JobQueue.EnqueueAsync<DailyDigestJob>(await first.SchedulerAsync(), key, null, null, CancellationToken.None));
        await first.DisposeAsync();
        Assert.Empty(TestMailbox.Smtp.To(supervisor.Email));

        var second = await StartAsync(SameData(first));
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.Contains("summary", mail.Subject);
        await Eventually.WaitAsync(async () => !await (await second.SchedulerAsync()).Exists(key), "the finished job to be removed");
    }

    [Fact]
    public async Task ReadinessCheck_ReportsTheScheduler()
    {
        var portal = await StartAsync(new TFactory());
        var health = portal.Services.GetRequiredService<HealthCheckService>();

        // The hosted service starts the scheduler once the application has started.
        var report = await Eventually.WaitAsync(
            async () => await health.CheckHealthAsync(c => c.Tags.Contains("ready")) is { Status: HealthStatus.Healthy } healthy ? healthy : null,
            "the scheduler to report healthy");

        Assert.Equal(HealthStatus.Healthy, report.Entries["scheduler"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        using var response = await portal.CreatePortalClient().GetAsync("/health/ready");
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteJobEngineTests : JobEngineTests<SqliteJobsPortal>
{
    protected override SqliteJobsPortal SameData(SqliteJobsPortal other) => new() { DataDirectory = other.DataDirectory };
}

public sealed class PostgresJobEngineTests : JobEngineTests<PostgresJobsPortal>
{
    protected override PostgresJobsPortal SameData(PostgresJobsPortal other) => new() { SharedConnectionString = other.DatabaseConnectionString, DataDirectory = other.DataDirectory };
}
