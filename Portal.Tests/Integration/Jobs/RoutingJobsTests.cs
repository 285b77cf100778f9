using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>The routing feature's handlers run by the real scheduler: the sweeper picks up a referral nobody scheduled, and a second run sends nothing.</summary>
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

    [Fact]
    public async Task Sweeper_RoutesAReferralWrittenWithoutScheduling_AndRunningItsJobAgainSendsNoSecondEmail()
    {
        var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "satakunta", ["ConsentCounselling"] = "true" });
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "satakunta");

        // The outbox row as a decision writes it, with the process gone before it scheduled a job.
        var referralId = await WithDbAsync(portal, async db =>
        {
            var now = portal.Clock.GetUtcNow().UtcDateTime;
            var referral = new Referral { CaseId = filed.Id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending, CreatedAt = now, UpdatedAt = now };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });
        var scheduler = await portal.SchedulerAsync();
        Assert.False(await scheduler.Exists(QuartzReferralScheduler.KeyOf(referralId)));

        Assert.True(await JobQueue.RetryNowAsync(scheduler, PortalJobKeys.ReferralSweep, CancellationToken.None));

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail));
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        await Eventually.WaitAsync(async () => !await scheduler.Exists(QuartzReferralScheduler.KeyOf(referralId)), "the routing job to finish");
        Assert.Equal(ReferralStatus.Assigned, (await ReferralAsync(portal, filed.Id, PartnerType.Counselling)).Status);

        // Scheduled again (a sweep racing a decision, a retry): the job runs and sends nothing more.
        var job = QuartzReferralScheduler.KeyOf(referralId);
        await portal.Services.GetRequiredService<IReferralScheduler>().ScheduleAsync([referralId], CancellationToken.None);
        await Eventually.WaitAsync(async () => !await scheduler.Exists(job), "the second routing run to finish");
        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
        Assert.Equal(1, await WithDbAsync(portal, db => db.ReferralAssignments.CountAsync(a => a.ReferralId == referralId)));
        Assert.False(await WithDbAsync(portal, db => db.JobFailures.AnyAsync()));
    }

    [Fact]
    public async Task Sweeper_DrainsABacklog_InBatches_WithOneEmailPerReferral()
    {
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "kainuu", capacity: 100);
        var referralIds = new List<long>();
        for (var i = 0; i < ReferralSweeperJob.BacklogThreshold + 2; i++)
        {
            var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "kainuu", ["ConsentCounselling"] = "true" });
            referralIds.Add(await WithDbAsync(portal, async db =>
            {
                var now = portal.Clock.GetUtcNow().UtcDateTime;
                var referral = new Referral { CaseId = filed.Id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending, CreatedAt = now, UpdatedAt = now };
                db.Referrals.Add(referral);
                await db.SaveChangesAsync();
                return referral.Id;
            }));
        }

        var scheduler = await portal.SchedulerAsync();
        Assert.True(await JobQueue.RetryNowAsync(scheduler, PortalJobKeys.ReferralSweep, CancellationToken.None));

        Assert.Equal(referralIds.Count, (await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, referralIds.Count)).Count);
        await Eventually.WaitAsync(
            () => WithDbAsync(portal, db => db.Referrals.Where(r => referralIds.Contains(r.Id)).AllAsync(r => r.Status == ReferralStatus.Assigned && r.PartnerId == partner.Id)),
            "every referral of the backlog to be assigned");
        foreach (var id in referralIds)
        {
            Assert.False(await scheduler.Exists(QuartzReferralScheduler.KeyOf(id)));
        }

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
}

public sealed class SqliteRoutingJobsTests : RoutingJobsTests<SqliteJobsPortal>;

public sealed class PostgresRoutingJobsTests : RoutingJobsTests<PostgresJobsPortal>;
