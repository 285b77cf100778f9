using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// Two portal nodes on one PostgreSQL database, each running a Hangfire server: 200 referrals
/// scheduled through both at once get one job each and are routed exactly once between them, one email each.
/// </summary>
public sealed class ClusterRoutingTests : IAsyncLifetime
{
    private readonly PostgresJobsPortal first = new();
    private PostgresJobsPortal? second;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)first).InitializeAsync();
        _ = first.Server;
        second = new PostgresJobsPortal { SharedConnectionString = first.DatabaseConnectionString };
        await ((IAsyncLifetime)second).InitializeAsync();
        _ = second.Server;
    }

    public async Task DisposeAsync()
    {
        if (second is not null)
        {
            await ((IAsyncLifetime)second).DisposeAsync();
        }

        await ((IAsyncLifetime)first).DisposeAsync();
    }

    [Fact]
    public async Task TwoClusteredNodes_Route200Referrals_ExactlyOnceBetweenThem()
    {
        var node2 = second ?? throw new InvalidOperationException("The second node did not start.");
        var partner = await AddPartnerAsync(first, PartnerType.Counselling, "lappi", capacity: 1000);
        var filed = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            filed.Add((await FileAsync(first, new Dictionary<string, string?> { ["Region"] = "lappi", ["ConsentCounselling"] = "true" })).Id);
        }

        // 200 referrals on the 20 cases' behalf would break "one per case and type", so 180 more cases are written directly.
        var caseIds = await WithDbAsync(first, async db =>
        {
            var template = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == filed[0]);
            for (var i = 0; i < 180; i++)
            {
                db.Cases.Add(new Case
                {
                    Id = Guid.NewGuid(),
                    Reference = $"VS-CL{i:D3}-{Guid.NewGuid().ToString("N")[..4].ToUpperInvariant()}",
                    ReceiptHash = Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray(),
                    SubmissionId = Guid.NewGuid(),
                    Status = CaseStatus.InTriage,
                    Priority = template.Priority,
                    CreatedAt = template.CreatedAt,
                    UpdatedAt = template.UpdatedAt,
                    Language = template.Language,
                    Region = template.Region,
                    NarrativeEnvelope = template.NarrativeEnvelope,
                    ConsentCounselling = true,
                });
            }

            await db.SaveChangesAsync();
            return await db.Cases.Where(c => c.Region == "lappi" && c.ConsentCounselling).Select(c => c.Id).ToListAsync();
        });
        Assert.Equal(200, caseIds.Count);

        var referralIds = await WithDbAsync(first, async db =>
        {
            var now = first.Clock.GetUtcNow().UtcDateTime;
            var rows = caseIds.Select(id => new Referral { CaseId = id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending, CreatedAt = now, UpdatedAt = now }).ToList();
            db.Referrals.AddRange(rows);
            await db.SaveChangesAsync();
            return rows.Select(r => r.Id).ToList();
        });

        // Both nodes are asked to schedule every referral, at once: the queue keeps one job each.
        await Task.WhenAll(
            first.Services.GetRequiredService<IReferralScheduler>().ScheduleAsync(referralIds, CancellationToken.None),
            node2.Services.GetRequiredService<IReferralScheduler>().ScheduleAsync(referralIds, CancellationToken.None));

        await Eventually.WaitAsync(
            () => WithDbAsync(first, db => db.Referrals.CountAsync(r => referralIds.Contains(r.Id) && r.Status == ReferralStatus.Assigned).ContinueWith(t => t.Result == 200)),
            "all 200 referrals to be assigned",
            TimeSpan.FromSeconds(120));

        var assignments = await WithDbAsync(first, db => db.ReferralAssignments.Where(a => referralIds.Contains(a.ReferralId)).GroupBy(a => a.ReferralId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(200, assignments.Count);
        Assert.All(assignments, count => Assert.Equal(1, count));
        Assert.Equal(200, (await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, 200, TimeSpan.FromSeconds(60))).Count);
        Assert.Equal(200, TestMailbox.Smtp.To(partner.ContactEmail).Count);
        Assert.False(await WithDbAsync(first, db => db.JobFailures.AnyAsync()));

        // Both nodes really run a Hangfire server on the one storage, and each referral had one job.
        var servers = first.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().Servers().Where(s => s.Queues.Contains(Portal.Web.Jobs.PortalJobKeys.DefaultQueue)).ToList();
        Assert.True(servers.Count >= 2, $"{servers.Count} general Hangfire server(s) on the shared storage");
        Assert.Equal(200, referralIds.Select(id => first.LastJobOf(Portal.Web.Jobs.PortalJobKeys.OfReferral(id))).Distinct().Count(id => id is not null));
    }
}
