using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Supervision;
using Portal.Tests.Support;
using Portal.Web.Data;
using Portal.Web.Email;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Email;

/// <summary>A portal outside Development whose mail goes to the loopback STARTTLS server, TLS required.</summary>
public sealed class StartTlsSqlitePortal : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.StartTlsSettings;
}

/// <summary>The portal's notifications as they arrive: over TLS, several per connection, with Message-IDs that survive a resend.</summary>
public sealed class NotificationEmailTests(StartTlsSqlitePortal factory) : IClassFixture<StartTlsSqlitePortal>
{
    [Fact]
    public async Task RoutingABatch_SendsEveryPartnerEmailOverOneEncryptedConnection()
    {
        var partner = await AddPartnerAsync(factory, PartnerType.Police, "kainuu");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "kainuu" });
            ids.Add(await WithDbAsync(factory, async db =>
            {
                var referral = ReferralRules.Create(await db.Cases.SingleAsync(c => c.Id == filed.Id), PartnerType.Police, factory.Clock.GetUtcNow().UtcDateTime);
                db.Referrals.Add(referral);
                await db.SaveChangesAsync();
                return referral.Id;
            }));
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var outcomes = await scope.ServiceProvider.GetRequiredService<RouteReferralHandler>().HandleManyAsync(ids, CancellationToken.None);
            Assert.All(ids, id => Assert.Equal(RoutingOutcome.Routed, outcomes[id]));
        }

        var delivered = await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, 3);
        Assert.Equal(3, delivered.Count);
        Assert.Single(delivered.Select(TestMailbox.ConnectionOf).Distinct());
        Assert.All(delivered, mail => Assert.StartsWith("TLSv1.", TestMailbox.TlsOf(mail), StringComparison.Ordinal));
        Assert.Equal(3, delivered.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task AReferralEmailSentAgainAfterACrash_CarriesTheSameMessageId()
    {
        var partner = await AddPartnerAsync(factory, PartnerType.Counselling, "lappi");
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "lappi", ["ConsentCounselling"] = "true" });
        using (await DecideAsync(factory, filed.Id, "Counselling"))
        {
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));

        // The process died after the server took the email and before it was recorded as sent.
        await WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == referral.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.NotifiedAt, (DateTime?)null).SetProperty(a => a.NotificationClaimedAt, (DateTime?)null)));
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));

        var delivered = await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, 2);
        Assert.Equal(2, delivered.Count);
        var expected = factory.Services.GetRequiredService<EmailComposer>().MessageId(EmailTemplates.ReferralAssigned, $"{referral.Id}/{partner.Id}");
        Assert.All(delivered, mail => Assert.Equal(expected, mail.MessageId));
        Assert.All(delivered, mail => Assert.Equal("auto-generated", mail.Headers.First(h => h.Name == "Auto-Submitted").Value));
    }

    [Fact]
    public async Task TheDailyDigest_RetriedTheSameDay_IsTheSameMessage_AndTheNextDaysIsAnother()
    {
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        await DigestAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await DigestAsync();
        factory.Clock.Advance(TimeSpan.FromDays(1));
        await DigestAsync();

        var ids = (await TestMailbox.Smtp.WaitForAsync(supervisor.Email, 3)).Select(m => m.MessageId).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal(2, ids.Count(id => id == ids[0]));
    }

    [Fact]
    public void APortalOutsideDevelopment_ConfiguredToSendWithoutTls_RefusesToStart_SayingWhy()
    {
        using var insecure = new InsecurePortal();

        var error = Assert.ThrowsAny<Exception>(() => insecure.Services);

        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains("Email:Security is None", messages, StringComparison.Ordinal);
        Assert.Contains("Email:AllowInsecure=true", messages, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    public void InsecureMail_IsAllowedByDefaultOnlyInDevelopment(string environment, bool allowed)
    {
        var root = TestDatabases.NewTempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = root });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Portal:DataDirectory"] = root, ["Email:Host"] = "relay.example" });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPortalPaths().AddPortalEmail();
        using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<EmailOptions>>().Value;

        Assert.Equal(allowed, options.AllowInsecure);
        Assert.Equal(EmailSecurity.Auto, options.Security);
        Assert.Equal(Path.Combine(root, "outbox"), options.PickupDirectory);
    }

    private async Task DigestAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SendDailyDigestHandler>().HandleAsync(CancellationToken.None);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    private sealed class InsecurePortal : SqlitePortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("Email:Host", "127.0.0.1"),
            new("Email:Port", TestMailbox.ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Email:Security", nameof(EmailSecurity.None)),
        ];
    }
}
