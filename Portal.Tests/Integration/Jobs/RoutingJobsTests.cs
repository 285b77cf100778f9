using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>The routing feature's handlers run by the real Hangfire server: the sweeper picks up a referral nobody scheduled, a job run twice sends one email, an urgent report reaches the crisis line at once.</summary>
public abstract class RoutingJobsTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, IJobsPortal, new()
{
    private readonly TFactory portal = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)portal).InitializeAsync();
        _ = portal.Server;
    }

    public Task DisposeAsync() => ((IAsyncLifetime)portal).DisposeAsync();

    private Task<long> AddPendingReferralAsync(FiledCase filed) =>
        WithDbAsync(portal, async db =>
        {
            var now = portal.Clock.GetUtcNow().UtcDateTime;
            var referral = new Referral { CaseId = filed.Id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending, CreatedAt = now, UpdatedAt = now };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });

    [Fact]
    public async Task Sweeper_RoutesAReferralWrittenWithoutScheduling_AndItsJobRunTwiceRoutesOnceAndSendsOneEmail()
    {
        var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "satakunta", ["ConsentCounselling"] = "true" });
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "satakunta");

        // The outbox row as a decision writes it, with its nudge lost (the process gone before it).
        var referralId = await AddPendingReferralAsync(filed);
        var key = PortalJobKeys.OfReferral(referralId);
        Assert.Null(portal.LastJobOf(key));

        portal.RunRecurring(PortalJobKeys.ReferralSweep);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail));
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        var job = portal.LastJobOf(key) ?? throw new InvalidOperationException("The sweep gave the referral no job.");
        await portal.WaitForJobAsync(job, SucceededState.StateName);
        Assert.Equal(ReferralStatus.Assigned, (await ReferralAsync(portal, filed.Id, PartnerType.Counselling)).Status);

        // The same job run again (an admin's requeue, Hangfire's at-least-once), then the work scheduled again.
        Assert.True(portal.Services.GetRequiredService<IBackgroundJobClient>().ChangeState(job, new EnqueuedState(PortalJobKeys.RoutingQueue), SucceededState.StateName));
        await Eventually.WaitAsync(
            () => Task.FromResult(portal.Logs.Lines.Count(l => l.Contains($"Referral {referralId} routing run: AlreadyRouted", StringComparison.Ordinal)) == 1),
            "the second run of the same job");
        await portal.WaitForJobAsync(job, SucceededState.StateName);
        await portal.Services.GetRequiredService<IReferralScheduler>().ScheduleAsync([referralId], CancellationToken.None);
        var again = portal.LastJobOf(key) ?? "";
        Assert.NotEqual(job, again);
        await portal.WaitForJobAsync(again, SucceededState.StateName);

        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
        Assert.Equal(1, await WithDbAsync(portal, db => db.ReferralAssignments.CountAsync(a => a.ReferralId == referralId)));
        Assert.Contains(portal.Logs.Lines, l => l.Contains($"Referral {referralId} routing run: Routed", StringComparison.Ordinal));
        Assert.False(await WithDbAsync(portal, db => db.JobFailures.AnyAsync()));
    }

    [Fact]
    public async Task Sweeper_DrainsABacklog_InBatches_WithOneEmailPerReferral()
    {
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "kainuu", capacity: 100);
        var referralIds = new List<long>();
        for (var i = 0; i < ReferralSweeperJob.BacklogThreshold + 2; i++)
        {
            referralIds.Add(await AddPendingReferralAsync(await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "kainuu", ["ConsentCounselling"] = "true" })));
        }

        var sweep = portal.RunRecurring(PortalJobKeys.ReferralSweep);

        Assert.Equal(referralIds.Count, (await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, referralIds.Count)).Count);
        await portal.WaitForJobAsync(sweep, SucceededState.StateName);
        Assert.True(await WithDbAsync(portal, db => db.Referrals.Where(r => referralIds.Contains(r.Id)).AllAsync(r => r.Status == ReferralStatus.Assigned && r.PartnerId == partner.Id)));

        // Routed by the sweep itself, not one job each.
        Assert.All(referralIds, id => Assert.Null(portal.LastJobOf(PortalJobKeys.OfReferral(id))));
        Assert.Equal(referralIds.Count, TestMailbox.Smtp.To(partner.ContactEmail).Count);
    }

    [Fact]
    public async Task Decision_SchedulesItsRoutingJob_AndThePartnerIsEmailedOnce()
    {
        var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "satakunta", ["ConsentCounselling"] = "true" });
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "satakunta");

        using (var decided = await DecideAsync(portal, filed.Id, "Counselling"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, decided.StatusCode);
        }

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail));
        await Eventually.WaitAsync(
            async () => (await ReferralAsync(portal, filed.Id, PartnerType.Counselling)).Status == ReferralStatus.Assigned,
            "the referral to be assigned");
    }

    [Theory]
    [InlineData("RiskSelfHarm")]
    [InlineData("RiskImmediateDanger")]
    public async Task UrgentReport_WithCounsellingConsent_ReachesTheCrisisLinesInboxWithin10Seconds(string risk)
    {
        var crisisLine = await AddPartnerAsync(portal, PartnerType.Counselling, "lappi", crisisLine: true);

        // The victim has the form open (the portal's first page render is not part of the submission).
        using (var warm = await portal.CreatePortalClient().GetAsync("/report"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, warm.StatusCode);
        }

        var clock = Stopwatch.StartNew();
        var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "lappi", ["ConsentCounselling"] = "true", [risk] = "true" });
        var submitted = clock.Elapsed;

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(crisisLine.ContactEmail, 1, TimeSpan.FromSeconds(30)));
        var delivered = clock.Elapsed;
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        Assert.True(delivered - submitted < TimeSpan.FromSeconds(10), $"the crisis line's email arrived {(delivered - submitted).TotalSeconds:0.0} s after the report was answered");
        Assert.True(delivered < TimeSpan.FromSeconds(10), $"the crisis line's email arrived {delivered.TotalSeconds:0.0} s after the report was sent");
    }

    [Fact]
    public async Task UrgentReport_ReachesTheCrisisLine_WhileLongJobsHoldEveryGeneralWorker()
    {
        var crisisLine = await AddPartnerAsync(portal, PartnerType.Counselling, "kainuu", crisisLine: true);
        var workers = portal.Services.GetRequiredService<IOptions<JobsOptions>>().Value.Workers;
        var name = "hold-" + Guid.NewGuid().ToString("N");
        try
        {
            // A campaign action, the intake's backlog: as many long jobs as there are general workers, all running.
            var held = Enumerable.Range(0, workers).Select(i => portal.Enqueue($"test.{name}-{i}", HoldingJob.For(name)) ?? throw new InvalidOperationException("not enqueued")).ToList();
            foreach (var job in held)
            {
                await portal.WaitForJobAsync(job, ProcessingState.StateName);
            }

            var clock = Stopwatch.StartNew();
            var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "kainuu", ["ConsentCounselling"] = "true", ["RiskSelfHarm"] = "true" });
            var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(crisisLine.ContactEmail, 1, TimeSpan.FromSeconds(30)));
            Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the crisis line's email arrived {clock.Elapsed.TotalSeconds:0.0} s after the report was sent");

            // The long jobs were still running the whole time.
            Assert.All(held, job => Assert.Equal(ProcessingState.StateName, portal.JobState(job)));
        }
        finally
        {
            HoldingJob.Release(name);
        }
    }
}

public sealed class SqliteRoutingJobsTests : RoutingJobsTests<SqliteJobsPortal>;

public sealed class PostgresRoutingJobsTests : RoutingJobsTests<PostgresJobsPortal>;
