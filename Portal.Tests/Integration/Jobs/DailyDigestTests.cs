using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Jobs;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// The supervisors' daily digest, run by the real scheduler and read as delivered: the referrals
/// stuck without a partner and those whose routing failed for good are counted, in each staff
/// language, and nothing about any case is in it.
/// </summary>
public abstract class DailyDigestTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, IJobsPortal, new()
{
    /// <summary>The digest's lines for the stuck referrals and the failed jobs, per staff language, as "label: count."</summary>
    private static readonly Dictionary<string, (string NoPartner, string RoutingFailed, string FailedJobs)> Lines = new()
    {
        ["en"] = ("Referrals no partner can take", "Referrals that could not be routed even after every retry", "Failed jobs waiting for an admin"),
        ["fi"] = ("Lähetteet, joita yksikään kumppani ei voi ottaa vastaan", "Lähetteet, joiden ohjaaminen epäonnistui kaikista yrityksistä huolimatta", "Epäonnistuneet ajot, jotka odottavat ylläpitäjää"),
        ["sv"] = ("Remisser som ingen partner kan ta emot", "Remisser som inte kunde förmedlas trots alla försök", "Misslyckade jobb som väntar på en administratör"),
    };

    private readonly List<PortalFactory> portals = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var portal in portals)
        {
            await ((IAsyncLifetime)portal).DisposeAsync();
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fi")]
    [InlineData("sv")]
    public async Task Digest_CountsReferralsNoPartnerCanTake_AndThoseWhoseRoutingFailedForGood(string language)
    {
        var portal = await StartAsync(language);
        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "pirkanmaa");
        var cases = new List<FiledCase>();
        for (var i = 0; i < 4; i++)
        {
            cases.Add(await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "pirkanmaa", ["ConsentCounselling"] = "true" }));
        }

        // Two that no partner fits; one of them also had its routing job fail for good before: counted once, as without a partner.
        var unassigned = await AddReferralAsync(portal, cases[0], PartnerType.Counselling, ReferralStatus.Unassigned);
        await AddReferralAsync(portal, cases[0], PartnerType.Police, ReferralStatus.Unassigned);
        await FailForGoodAsync(portal, unassigned);

        // Stuck after the last retry: one never assigned (twice failed for good, after an admin's retry), one assigned to a partner never told.
        var pendingFailed = await AddReferralAsync(portal, cases[1], PartnerType.Counselling, ReferralStatus.Pending);
        await FailForGoodAsync(portal, pendingFailed);
        await FailForGoodAsync(portal, pendingFailed);
        var untold = await AddReferralAsync(portal, cases[1], PartnerType.Police, ReferralStatus.Assigned, partner.Id, notified: false);
        await FailForGoodAsync(portal, untold);

        // Not stuck: a failure an admin's retry resolved, one routed since by a backlog sweep, and a pending referral whose job is simply queued.
        var resolved = await AddReferralAsync(portal, cases[2], PartnerType.Counselling, ReferralStatus.Pending);
        await FailForGoodAsync(portal, resolved);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<JobFailuresHandler>().ResolveAsync(FailureKey(resolved), CancellationToken.None);
        }

        var routedSince = await AddReferralAsync(portal, cases[2], PartnerType.Police, ReferralStatus.Assigned, partner.Id, notified: true);
        await FailForGoodAsync(portal, routedSince);
        await AddReferralAsync(portal, cases[3], PartnerType.Counselling, ReferralStatus.Pending);

        // The morning after: the digest is dated by the portal's clock.
        portal.Clock.Advance(TimeSpan.FromDays(1));
        portal.RunRecurring(PortalJobKeys.DailyDigest);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.EndsWith("2026-11-24", mail.Subject, StringComparison.Ordinal);
        var lines = Lines[language];
        Assert.Contains($"{lines.NoPartner}: 2.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"{lines.RoutingFailed}: 2.", mail.TextBody, StringComparison.Ordinal);

        // Every unresolved failure is still a failed job for the admins: five rows of four referrals.
        Assert.Contains($"{lines.FailedJobs}: 5.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("/staff/referrals", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("/staff/queue", mail.TextBody, StringComparison.Ordinal);

        // Counts only: no reference, no partner, no narrative.
        Assert.All(cases, c => Assert.DoesNotContain(c.Reference, mail.TextBody, StringComparison.Ordinal));
        Assert.DoesNotContain(partner.Name, mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("therapy", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digest_WithNoReferralStuck_SaysZeroForBoth()
    {
        var portal = await StartAsync("en");
        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var partner = await AddPartnerAsync(portal, PartnerType.Counselling, "kymenlaakso");
        var filed = await FileAsync(portal, new Dictionary<string, string?> { ["Region"] = "kymenlaakso", ["ConsentCounselling"] = "true" });
        await AddReferralAsync(portal, filed, PartnerType.Counselling, ReferralStatus.Assigned, partner.Id, notified: true);

        portal.RunRecurring(PortalJobKeys.DailyDigest);

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email));
        Assert.EndsWith("2026-11-23", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Referrals no partner can take: 0.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Referrals that could not be routed even after every retry: 0.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Failed jobs waiting for an admin: 0.", mail.TextBody, StringComparison.Ordinal);
    }

    private async Task<TFactory> StartAsync(string staffLanguage)
    {
        var portal = new TFactory { Extra = { ["Email:StaffLanguage"] = staffLanguage } };
        await ((IAsyncLifetime)portal).InitializeAsync();
        portals.Add(portal);
        _ = portal.Server;
        return portal;
    }

    private static string FailureKey(long referralId) => PortalJobKeys.OfReferral(referralId);

    /// <summary>What the retry middleware records when a referral's routing job runs out of attempts.</summary>
    private static async Task FailForGoodAsync(PortalFactory portal, long referralId)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<JobFailuresHandler>()
            .RecordAsync(new FailedJob(FailureKey(referralId), $"referral {referralId}", 3, new EmailDeliveryException("SMTP down")), CancellationToken.None);
    }

    private static Task<long> AddReferralAsync(PortalFactory portal, FiledCase filed, PartnerType type, ReferralStatus status, long? partnerId = null, bool notified = false) =>
        WithDbAsync(portal, async db =>
        {
            var now = portal.Clock.GetUtcNow().UtcDateTime;
            var referral = new Referral
            {
                CaseId = filed.Id,
                PartnerType = type,
                Status = status,
                PartnerId = partnerId,
                UnassignedReason = status == ReferralStatus.Unassigned ? NoPartnerReason.NoneServesRegion : null,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            if (partnerId is { } assignedTo)
            {
                db.ReferralAssignments.Add(new ReferralAssignment { ReferralId = referral.Id, PartnerId = assignedTo, AssignedAt = now, NotifiedAt = notified ? now : null });
                await db.SaveChangesAsync();
            }

            return referral.Id;
        });
}

public sealed class SqliteDailyDigestTests : DailyDigestTests<SqliteJobsPortal>;

public sealed class PostgresDailyDigestTests : DailyDigestTests<PostgresJobsPortal>;
