using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Routing;

namespace Portal.Tests.Support;

/// <summary>A report as the victim filed it, with what they need to come back.</summary>
public sealed record FiledCase(Guid Id, string Reference, string ReceiptKey);

/// <summary>The portals' email on the loopback SMTP server, so routing's emails can be read as delivered.</summary>
public class SmtpSqlitePortalFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.SmtpSettings;
}

public class SmtpPostgresPortalFactory : PostgresPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.SmtpSettings;
}

/// <summary>The steps of the routing journey: file a report, add partners and their staff, decide, route.</summary>
public static class RoutingSteps
{
    /// <summary>Files a report through the form; <paramref name="changes"/> override the valid answers (null removes one).</summary>
    public static async Task<FiledCase> FileAsync(PortalFactory factory, IReadOnlyDictionary<string, string?> changes)
    {
        var answers = ReportAnswers.Valid();
        foreach (var (key, value) in changes)
        {
            answers[key] = value;
        }

        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        var reference = page.QuerySelector("[data-testid=reference]")?.TextContent.Trim() ?? "";
        var receipt = page.QuerySelector("[data-testid=receipt-key]")?.TextContent.Trim() ?? "";
        var id = await WithDbAsync(factory, db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        return new FiledCase(id, reference, receipt);
    }

    public static async Task<Partner> AddPartnerAsync(PortalFactory factory, PartnerType type, string region, bool crisisLine = false, int capacity = 10, bool active = true, string[]? languages = null)
    {
        var partner = new Partner
        {
            Name = $"{type} {Guid.NewGuid():N}",
            Type = type,
            IsCrisisLine = crisisLine,
            Regions = [region],
            Languages = [.. languages ?? ["en", "fi", "sv"]],
            DailyCapacity = capacity,
            ContactEmail = $"{Guid.NewGuid():N}@partner.test",
            Active = active,
            CreatedAt = factory.Clock.GetUtcNow().UtcDateTime,
            UpdatedAt = factory.Clock.GetUtcNow().UtcDateTime,
        };
        await WithDbAsync(factory, async db =>
        {
            db.Partners.Add(partner);
            await db.SaveChangesAsync();
            return partner.Id;
        });
        return partner;
    }

    /// <summary>A staff member of the partner (or of none), signed in.</summary>
    public static async Task<(StaffAccount Account, HttpClient Client)> PartnerStaffAsync(PortalFactory factory, long? partnerId, string role)
    {
        var account = await StaffAccounts.CreateAsync(factory, role);
        await WithDbAsync(factory, db => db.Users.Where(u => u.Email == account.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.PartnerId, partnerId)));
        return (account, await StaffAccounts.SignInAsync(factory, account));
    }

    /// <summary>
    /// A police officer as production has them: the Police role and membership of a police unit
    /// (inactive, so that routing never sends it a referral the test did not ask for).
    /// </summary>
    public static async Task<StaffAccount> PoliceOfficerAsync(PortalFactory factory, string role = StaffRoles.Police)
    {
        var unit = await AddPartnerAsync(factory, PartnerType.Police, "nowhere", active: false);
        return await MemberAsync(factory, await StaffAccounts.CreateAsync(factory, role), unit.Id);
    }

    /// <summary>Makes <paramref name="account"/> a staff member of the partner (or of none).</summary>
    public static async Task<StaffAccount> MemberAsync(PortalFactory factory, StaffAccount account, long? partnerId)
    {
        await WithDbAsync(factory, db => db.Users.Where(u => u.Email == account.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.PartnerId, partnerId)));
        return account;
    }

    /// <summary>Signs a volunteer in, claims the case and posts the decision; returns the decision's answer.</summary>
    public static async Task<HttpResponseMessage> DecideAsync(PortalFactory factory, Guid caseId, string route) =>
        await DecideAsync(await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer), caseId, route);

    /// <summary>The volunteer claims the case and posts the decision.</summary>
    public static async Task<HttpResponseMessage> DecideAsync(HttpClient volunteer, Guid caseId, string route)
    {
        var queue = await volunteer.GetPageAsync("/staff/queue");
        using (var claimed = await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        }

        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        return await volunteer.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = route });
    }

    /// <summary>What the routing job does for one referral.</summary>
    public static async Task<RoutingOutcome> RouteAsync(PortalFactory factory, long referralId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RouteReferralHandler>().HandleAsync(referralId, CancellationToken.None);
    }

    public static async Task<List<Referral>> ReferralsAsync(PortalFactory factory, Guid caseId) =>
        await WithDbAsync(factory, db => db.Referrals.AsNoTracking().Where(r => r.CaseId == caseId).OrderBy(r => r.Id).ToListAsync());

    public static async Task<Referral> ReferralAsync(PortalFactory factory, Guid caseId, PartnerType type) =>
        Assert.Single(await ReferralsAsync(factory, caseId), r => r.PartnerType == type);

    public static async Task<T> WithDbAsync<T>(PortalFactory factory, Func<PortalDbContext, Task<T>> work)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }
}
