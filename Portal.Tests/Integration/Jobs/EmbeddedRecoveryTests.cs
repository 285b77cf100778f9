using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// The embedded default keeps its job queue in memory, so a portal killed (SIGKILL) while routing
/// loses the job with the process. That is by design (docs/decisions/0024): the referral's row is
/// the work, and the portal that starts next on the same data finds it at start-up and routes it,
/// once: one assignment, one email.
/// </summary>
public sealed class EmbeddedRecoveryTests : IAsyncLifetime
{
    /// <summary>Holds the data directory and files the case; runs no jobs.</summary>
    private readonly SqliteJobsPortal files = new() { Extra = { ["Jobs:Enabled"] = "false" } };

    private SqliteJobsPortal? restarted;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)files).InitializeAsync();
        _ = files.Server;
    }

    public async Task DisposeAsync()
    {
        if (restarted is not null)
        {
            await ((IAsyncLifetime)restarted).DisposeAsync();
        }

        await ((IAsyncLifetime)files).DisposeAsync();
    }

    [Fact]
    public async Task PortalKilledWhileRoutingAReferral_TheNextStartRoutesItOnce()
    {
        using var silentSmtp = new SilentSmtpServer();
        var partner = await AddPartnerAsync(files, PartnerType.Counselling, "etela-savo");
        var filed = await FileAsync(files, new Dictionary<string, string?> { ["Region"] = "etela-savo", ["ConsentCounselling"] = "true" });
        var referralId = await WithDbAsync(files, async db =>
        {
            var now = files.Clock.GetUtcNow().UtcDateTime;
            var referral = new Referral { CaseId = filed.Id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending, CreatedAt = now, UpdatedAt = now };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });

        // The portal that runs jobs finds the referral at start-up and hangs in its email.
        await using (var doomed = PortalNodeProcess.Start(JobsPortal.Settings(new()
        {
            ["Database:Provider"] = "Sqlite",
            ["Portal:DataDirectory"] = files.DataDirectory,
            ["Demo:Enabled"] = "false",
            ["Email:Host"] = "127.0.0.1",
            ["Email:Port"] = silentSmtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Email:ConnectTimeoutSeconds"] = "600",
            ["Email:TimeoutSeconds"] = "600",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        })))
        {
            await DoomedNode.WaitForNodeAsync(doomed, () => Task.FromResult(silentSmtp.Connections > 0), "the portal's routing job to reach the SMTP server");
            await doomed.KillAsync();
        }

        var claim = Assert.Single(await WithDbAsync(files, db => db.ReferralAssignments.AsNoTracking().Where(a => a.ReferralId == referralId).ToListAsync()));
        Assert.Null(claim.NotifiedAt);
        var claimedAt = claim.NotificationClaimedAt ?? throw new InvalidOperationException("The killed portal assigned without claiming the email.");

        // The next start, once the dead run's claim on the email has run out.
        var next = new SqliteJobsPortal { DataDirectory = files.DataDirectory };
        restarted = next;
        var claimTimeout = files.Services.GetRequiredService<IOptions<RoutingOptions>>().Value.NotificationClaimTimeout;
        var untilExpired = claimedAt + claimTimeout + TimeSpan.FromSeconds(1) - next.Clock.GetUtcNow().UtcDateTime;
        if (untilExpired > TimeSpan.Zero)
        {
            next.Clock.Advance(untilExpired);
        }

        await ((IAsyncLifetime)next).InitializeAsync();
        _ = next.Server;

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, 1, TimeSpan.FromSeconds(60)));
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        await Eventually.WaitAsync(
            () => WithDbAsync(next, db => db.ReferralAssignments.AnyAsync(a => a.ReferralId == referralId && a.NotifiedAt != null)),
            "the notification to be recorded");
        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
        var assignment = Assert.Single(await WithDbAsync(next, db => db.ReferralAssignments.AsNoTracking().Where(a => a.ReferralId == referralId).ToListAsync()));
        Assert.Equal(partner.Id, assignment.PartnerId);
        Assert.Equal(claim.Id, assignment.Id);
        Assert.False(await WithDbAsync(next, db => db.JobFailures.AnyAsync()));
    }
}
