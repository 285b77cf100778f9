using Hangfire.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>The real Hangfire server on each provider's storage: retries, the failed state, the admin email, keys, and work that outlives a process.</summary>
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

    protected abstract TFactory SameData(TFactory other, Dictionary<string, string?> extra);

    protected async Task<TFactory> StartAsync(TFactory portal)
    {
        await ((IAsyncLifetime)portal).InitializeAsync();
        portals.Add(portal);
        _ = portal.Server;
        return portal;
    }

    private static string FlakyKey(out string name)
    {
        name = $"flaky-{Guid.NewGuid():N}";
        return "tests." + name;
    }

    [Fact]
    public async Task Job_FailingTwiceThenSucceeding_RunsThreeTimes_AndLeavesNoFailure()
    {
        var portal = await StartAsync(new TFactory { Extra = { ["Jobs:MaxAttempts"] = "4" } });
        var key = FlakyKey(out var name);

        var job = portal.Enqueue(key, FlakyJob.For(name, failFirst: 2)) ?? throw new InvalidOperationException("not enqueued");

        await portal.WaitForJobAsync(job, "Succeeded");
        Assert.Equal(3, FlakyJob.Runs[name]);
        Assert.False(await portal.QueryAsync(db => db.JobFailures.AnyAsync(f => f.JobKey == key)));
    }

    [Fact]
    public async Task Job_EnqueuedTwiceUnderOneKey_IsQueuedOnce_AndAgainOnceTheFirstHasFinished()
    {
        var portal = await StartAsync(new TFactory { Extra = { ["Jobs:Enabled"] = "false" } });
        var key = FlakyKey(out var name);

        var first = portal.Enqueue(key, FlakyJob.For(name, 0));
        Assert.NotNull(first);
        Assert.Null(portal.Enqueue(key, FlakyJob.For(name, 0)));
        Assert.Null(portal.Enqueue(key, FlakyJob.For(name, 0), KeyedJob.OnceWhileWaiting));
        Assert.Equal(first, portal.LastJobOf(key));
        Assert.Equal("Enqueued", portal.JobState(first));

        // Once it is over (here: deleted, as from the dashboard), the same work can be queued again.
        portal.Services.GetRequiredService<Hangfire.IBackgroundJobClient>().ChangeState(first, new Hangfire.States.DeletedState(), "Enqueued");
        var second = portal.Enqueue(key, FlakyJob.For(name, 0));
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Job_ExhaustingItsRetries_IsLeftFailed_Recorded_AndEmailsTheAdmins_WhileOtherJobsGoOn()
    {
        var portal = await StartAsync(new TFactory());
        var admin = await StaffAccounts.CreateAsync(portal, StaffRoles.Admin);
        var key = FlakyKey(out var name);

        var job = portal.Enqueue(key, FlakyJob.For(name, failFirst: 100)) ?? throw new InvalidOperationException("not enqueued");

        var failure = await portal.FailureOfAsync(key);
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(3, FlakyJob.Runs[name]);
        Assert.Equal(typeof(InvalidOperationException).FullName, failure.ErrorType);
        Assert.Equal("planned failure 3 of 100", failure.ErrorMessage);
        Assert.Equal($"job {job}", failure.Subject);
        Assert.Null(failure.ResolvedAt);
        await portal.WaitForJobAsync(job, "Failed");

        // Failed for good holds nothing: the same key stays taken (an admin decides), other work runs.
        Assert.Null(portal.Enqueue(key, FlakyJob.For(name, 0)));
        var other = FlakyKey(out var otherName);
        await portal.WaitForJobAsync(portal.Enqueue(other, FlakyJob.For(otherName, 0)) ?? "", "Succeeded");

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(admin.Email));
        Assert.Contains("3", mail.Subject);
        Assert.Contains(key, mail.TextBody);
        Assert.Contains("/admin/jobs", mail.TextBody);
        Assert.DoesNotContain("planned failure", mail.TextBody);
    }

    [Fact]
    public async Task Digest_WithSmtpDown_RetriesThenFailsVisibly_AndTheAdminNotificationFailureIsRecordedToo()
    {
        var portal = await StartAsync(new TFactory { Extra = { ["Email:Host"] = "127.0.0.1", ["Email:Port"] = JobsPortal.ClosedPort(), ["Email:TimeoutSeconds"] = "5" } });
        await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        await StaffAccounts.CreateAsync(portal, StaffRoles.Admin);

        var job = portal.RunRecurring(PortalJobKeys.DailyDigest);

        var failure = await portal.FailureOfAsync("recurring.daily-digest");
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(typeof(EmailDeliveryException).FullName, failure.ErrorType);
        await portal.WaitForJobAsync(job, "Failed");

        // The email to the admins cannot go either: that is recorded as well, never dropped silently.
        var notification = await portal.FailureOfAsync($"notifications.job-failed-{failure.Id}");
        Assert.Equal(typeof(EmailDeliveryException).FullName, notification.ErrorType);
        Assert.Equal(3, notification.Attempts);
    }

    [Fact]
    public async Task ReferralLeftPendingByAPortalThatStopped_IsRoutedOnce_WhenAnotherPortalStartsOnTheSameData()
    {
        // The web node: stores the referral and asks for its job, but runs no jobs.
        var first = await StartAsync(new TFactory { Extra = { ["Jobs:Enabled"] = "false" } });
        var partner = await AddPartnerAsync(first, PartnerType.Counselling, "kanta-hame");
        var filed = await FileAsync(first, new Dictionary<string, string?> { ["Region"] = "kanta-hame", ["ConsentCounselling"] = "true" });
        var referralId = await WithDbAsync(first, async db =>
        {
            var now = first.Clock.GetUtcNow().UtcDateTime;
            var referral = new Referral { CaseId = filed.Id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending, CreatedAt = now, UpdatedAt = now };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });
        await first.Services.GetRequiredService<IReferralScheduler>().ScheduleAsync([referralId], CancellationToken.None);
        await first.DisposeAsync();
        Assert.Empty(TestMailbox.Smtp.To(partner.ContactEmail));

        // In memory the job went with the process; in PostgreSQL it waits. Either way the row is the work.
        var second = await StartAsync(SameData(first, []));
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail));
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        await Eventually.WaitAsync(
            async () => (await ReferralAsync(second, filed.Id, PartnerType.Counselling)).Status == ReferralStatus.Assigned,
            "the referral to be assigned");
        await Eventually.WaitAsync(
            () => second.QueryAsync(db => db.ReferralAssignments.AnyAsync(a => a.ReferralId == referralId && a.NotifiedAt != null)),
            "the notification to be recorded");
        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
        Assert.Equal(1, await second.QueryAsync(db => db.ReferralAssignments.CountAsync(a => a.ReferralId == referralId)));
    }

    [Fact]
    public async Task ReadinessCheck_ReportsTheJobStorage()
    {
        var portal = await StartAsync(new TFactory());
        var health = portal.Services.GetRequiredService<HealthCheckService>();

        var report = await Eventually.WaitAsync(
            async () => await health.CheckHealthAsync(c => c.Tags.Contains("ready")) is { Status: HealthStatus.Healthy } healthy ? healthy : null,
            "the portal to report ready");

        Assert.Equal(HealthStatus.Healthy, report.Entries["jobs"].Status);
        using var response = await portal.CreatePortalClient().GetAsync("/health/ready");
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteJobEngineTests : JobEngineTests<SqliteJobsPortal>
{
    protected override SqliteJobsPortal SameData(SqliteJobsPortal other, Dictionary<string, string?> extra) => new() { DataDirectory = other.DataDirectory, Extra = extra };
}

public sealed class PostgresJobEngineTests : JobEngineTests<PostgresJobsPortal>
{
    protected override PostgresJobsPortal SameData(PostgresJobsPortal other, Dictionary<string, string?> extra) =>
        new() { SharedConnectionString = other.DatabaseConnectionString, DataDirectory = other.DataDirectory, Extra = extra };

    [Fact]
    public async Task Job_StoredByAPortalThatStopped_RunsWhenAnotherPortalStartsOnTheSameDatabase()
    {
        var first = await StartAsync(new PostgresJobsPortal { Extra = { ["Jobs:Enabled"] = "false" } });
        var supervisor = await StaffAccounts.CreateAsync(first, StaffRoles.Supervisor);
        var job = first.Enqueue("tests.digest-" + Guid.NewGuid().ToString("N"), Job.FromExpression<DailyDigestJob>(j => j.RunAsync(CancellationToken.None)))
            ?? throw new InvalidOperationException("not enqueued");
        await first.DisposeAsync();
        Assert.Empty(TestMailbox.Smtp.To(supervisor.Email));

        var second = await StartAsync(SameData(first, []));
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.Contains("summary", mail.Subject);
        await second.WaitForJobAsync(job, "Succeeded");
    }
}
