using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Campaigns;

/// <summary>
/// Campaigns end to end on each provider: reports and uploaded emails become indicators, a
/// supervisor recomputes, and the pages show each viewer only what they may count.
/// </summary>
public abstract class CampaignPagesTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, new()
{
    private const string Wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private const string OtherWallet = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";

    private readonly TFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task Supervisor_SeesEveryCase_PoliceOnlyConsentingOnes_AndViewsAreAudited()
    {
        var a = await FileAsync(Wallet, "first@example.org", "0,5", "BTC", consent: true);
        factory.Clock.Advance(TimeSpan.FromDays(1));
        var b = await FileAsync(Wallet, "shared@evil.example", "1", "BTC", consent: false);
        factory.Clock.Advance(TimeSpan.FromDays(2));
        var c = await FileAsync(null, "SHARED@evil.example", "500", "EUR", consent: true);
        var alone = await FileAsync(OtherWallet, "lonely@example.org", "2", "BTC", consent: true);

        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        await RecomputeAsync(supervisor);

        var list = await supervisor.GetPageAsync("/staff/campaigns");
        var row = Assert.Single(list.QuerySelectorAll("[data-testid=campaign-row]"));
        Assert.Equal("3", row.QuerySelector("[data-testid=campaign-victims]")?.TextContent);
        var href = row.QuerySelector("a")?.GetAttribute("href") ?? "";
        var campaignId = Guid.Parse(href["/staff/campaigns/".Length..]);

        var page = await supervisor.GetPageAsync(href);
        Assert.Equal("3", page.QuerySelector("[data-testid=campaign-victims]")?.TextContent);
        Assert.Equal(["1.5 BTC", "500 EUR"], Amounts(page));
        Assert.Equal([c, b, a], Members(page));
        Assert.DoesNotContain(alone, Members(page));
        Assert.Equal([("PaymentAddress", Wallet), ("SenderAddress", "shared@evil.example")], Shared(page));
        var timeline = page.QuerySelectorAll("#campaign-timeline [data-testid=chart-row] td").Select(td => td.TextContent).ToList();
        Assert.Equal(["1", "1", "0", "1"], timeline);
        Assert.NotNull(page.QuerySelector($"a[href^='/staff/cases/']"));

        var police = await StaffAccounts.SignInAsync(factory, await RoutingSteps.PoliceOfficerAsync(factory));
        var policeList = await police.GetPageAsync("/staff/campaigns");
        Assert.Equal("2", Assert.Single(policeList.QuerySelectorAll("[data-testid=campaign-row]")).QuerySelector("[data-testid=campaign-victims]")?.TextContent);
        Assert.Null(policeList.QuerySelector("form[action='/staff/campaigns/recompute']"));
        var policePage = await police.GetPageAsync(href);
        Assert.Equal("2", policePage.QuerySelector("[data-testid=campaign-victims]")?.TextContent);
        Assert.Equal(["0.5 BTC", "500 EUR"], Amounts(policePage));
        Assert.Equal([c, a], Members(policePage));
        Assert.Null(policePage.QuerySelector("a[href^='/staff/cases/']"));
        // The wallet is shared only through the case police may not see: it is not shown to them.
        Assert.Empty(Shared(policePage));
        Assert.Equal(["1", "0", "0", "1"], policePage.QuerySelectorAll("#campaign-timeline [data-testid=chart-row] td").Select(td => td.TextContent));

        await using var scope = factory.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.CampaignViewed || e.Action == AuditActions.CampaignsListed || e.Action == AuditActions.CampaignsRecomputed)
            .OrderBy(e => e.Id).Select(e => new { e.Action, e.Subject, e.IpAddress }).ToListAsync();
        Assert.Equal(
            [AuditActions.CampaignsListed, AuditActions.CampaignsRecomputed, AuditActions.CampaignsListed, AuditActions.CampaignViewed, AuditActions.CampaignsListed, AuditActions.CampaignViewed],
            audit.Select(e => e.Action));
        Assert.All(audit.Where(e => e.Action == AuditActions.CampaignViewed), e => Assert.Equal(campaignId.ToString(), e.Subject));
        Assert.All(audit, e => Assert.Equal(PortalFactory.ClientAddress.ToString(), e.IpAddress));
    }

    [Fact]
    public async Task Police_NeverSeeACampaign_WithFewerThanTwoConsentingCases()
    {
        await FileAsync(Wallet, null, null, null, consent: true);
        await FileAsync(Wallet, null, null, null, consent: false);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        await RecomputeAsync(supervisor);
        var href = (await supervisor.GetPageAsync("/staff/campaigns")).QuerySelector("[data-testid=campaign-row] a")?.GetAttribute("href") ?? "";
        Assert.StartsWith("/staff/campaigns/", href, StringComparison.Ordinal);

        var police = await StaffAccounts.SignInAsync(factory, await RoutingSteps.PoliceOfficerAsync(factory));
        Assert.Empty((await police.GetPageAsync("/staff/campaigns")).QuerySelectorAll("[data-testid=campaign-row]"));
        using var refused = await police.GetAsync(href);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using var unknown = await police.GetAsync($"/staff/campaigns/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        await using var scope = factory.Services.CreateAsyncScope();
        var denials = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking()
            .CountAsync(e => e.Action == AuditActions.AccessDenied && e.Detail == "campaign");
        Assert.Equal(2, denials);
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Counsellor)]
    [InlineData(StaffRoles.Admin)]
    public async Task OtherRoles_AreRefused_EveryCampaignPage(string role)
    {
        await FileAsync(Wallet, null, null, null, consent: true);
        await FileAsync(Wallet, null, null, null, consent: true);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        }

        var campaignId = await SingleCampaignIdAsync();
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);
        foreach (var url in new[] { "/staff/campaigns", $"/staff/campaigns/{campaignId}" })
        {
            using var response = await staff.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        var token = (await staff.GetPageAsync("/staff")).QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
        using var recompute = await staff.PostAsync("/staff/campaigns/recompute", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));
        Assert.Contains("/account/denied", recompute.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Null((await staff.GetPageAsync("/staff")).QuerySelector("a[href='/staff/campaigns']"));
    }

    [Fact]
    public async Task Police_CannotRecompute()
    {
        var police = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Police);
        var token = (await police.GetPageAsync("/staff")).QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";

        using var response = await police.PostAsync("/staff/campaigns/recompute", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));

        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CampaignClusteringStates.Select(s => s.Runs).SingleAsync());
    }

    [Fact]
    public async Task UploadedEmails_FromOneDomainWithNearIdenticalSubjects_FormACampaign_ButWebmailDoesNot()
    {
        var first = await FileWithEmailAsync("anna@campaign.example", "Your therapy records #1041");
        var second = await FileWithEmailAsync("bert@campaign.example", "RE: your THERAPY records, #2213!");
        await FileWithEmailAsync("someone@gmail.com", "Your therapy records");
        await FileWithEmailAsync("another@gmail.com", "Your therapy records");

        // What the evidence-analysis job does after the uploads (this portal runs no scheduler).
        await EvidenceUploads.AnalysePendingAsync(factory);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        await RecomputeAsync(supervisor);

        var href = Assert.Single((await supervisor.GetPageAsync("/staff/campaigns")).QuerySelectorAll("[data-testid=campaign-row] a")).GetAttribute("href") ?? "";
        var page = await supervisor.GetPageAsync(href);
        Assert.Equal([second, first], Members(page));
        var (rule, value) = Assert.Single(Shared(page));
        Assert.Equal("DomainSubject", rule);
        Assert.StartsWith("campaign.example", value, StringComparison.Ordinal);

        // Stored: the domain and a keyed fingerprint, never the subject itself.
        await using var scope = factory.Services.CreateAsyncScope();
        var sealing = scope.ServiceProvider.GetRequiredService<SealedIndicators>();
        var stored = (await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CaseIndicators.AsNoTracking()
            .Where(i => i.Kind == IndicatorKind.DomainSubject || i.Kind == IndicatorKind.SenderAddress).Select(i => i.ValueEnvelope).ToListAsync())
            .Select(sealing.Open).ToList();
        Assert.Contains("anna@campaign.example", stored);
        Assert.All(stored, v => Assert.DoesNotContain("therapy", v, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(stored, v => v.Contains("victim@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recomputing_KeepsACampaignsIdentity_CountsVersions_AndRedirectsAMergedOne()
    {
        await FileAsync(Wallet, null, null, null, consent: true);
        await FileAsync(Wallet, null, null, null, consent: true);
        await FileAsync(Wallet, null, null, null, consent: true);
        await FileAsync(OtherWallet, "x@evil.example", null, null, consent: true);
        await FileAsync(OtherWallet, null, null, null, consent: true);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        await RecomputeAsync(supervisor);
        var before = await CampaignsAsync();
        Assert.Equal(2, before.Count);
        var big = before.Single(c => c.Members == 3);
        var small = before.Single(c => c.Members == 2);

        // Nothing new: nothing changes.
        await RecomputeAsync(supervisor);
        Assert.Equal(before, await CampaignsAsync());

        // A report carrying both wallets joins the two: the larger campaign keeps its id, the other retires into it.
        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await FileAsync(Wallet, "x@evil.example", null, null, consent: true);
        await RecomputeAsync(supervisor);
        var after = await CampaignsAsync();
        var merged = Assert.Single(after, c => c.RetiredAt is null);
        Assert.Equal((big.Id, big.Reference, 2, 6), (merged.Id, merged.Reference, merged.Version, merged.Members));
        var retired = Assert.Single(after, c => c.RetiredAt is not null);
        Assert.Equal((small.Id, big.Id, 0), (retired.Id, retired.MergedIntoId, retired.Members));

        using var redirect = await supervisor.GetAsync($"/staff/campaigns/{small.Id}");
        Assert.Equal($"/staff/campaigns/{big.Id}", redirect.Headers.Location?.OriginalString);
        Assert.Single((await supervisor.GetPageAsync("/staff/campaigns")).QuerySelectorAll("[data-testid=campaign-row]"));
    }

    [Fact]
    public async Task ParallelRecomputations_LeaveOneConsistentSetOfCampaigns()
    {
        for (var i = 0; i < 4; i++)
        {
            await FileAsync(i % 2 == 0 ? Wallet : OtherWallet, null, null, null, consent: true);
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        }));

        var campaigns = await CampaignsAsync();
        Assert.Equal(2, campaigns.Count(c => c.RetiredAt is null));
        Assert.All(campaigns.Where(c => c.RetiredAt is null), c => Assert.Equal(2, c.Members));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(4, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CampaignClusteringStates.Select(s => s.Runs).SingleAsync());
    }

    private sealed record StoredCampaign(Guid Id, string Reference, int Version, DateTime? RetiredAt, Guid? MergedIntoId, int Members);

    private async Task<List<StoredCampaign>> CampaignsAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Campaigns.AsNoTracking().OrderBy(c => c.Reference)
            .Select(c => new StoredCampaign(c.Id, c.Reference, c.Version, c.RetiredAt, c.MergedIntoId, db.CampaignCases.Count(m => m.CampaignId == c.Id)))
            .ToListAsync();
    }

    private async Task<Guid> SingleCampaignIdAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Campaigns.Select(c => c.Id).SingleAsync();
    }

    private static async Task RecomputeAsync(HttpClient supervisor)
    {
        var list = await supervisor.GetPageAsync("/staff/campaigns");
        using var response = await supervisor.SubmitAsync(list, "/staff/campaigns/recompute", new Dictionary<string, string?>());
        Assert.Equal("/staff/campaigns?updated=true", response.Headers.Location?.OriginalString);
    }

    private static List<string> Amounts(IDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=campaign-demanded] .amount").Select(a => a.TextContent.Trim())];

    private static List<string> Members(IDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=campaign-member]").Select(m => m.GetAttribute("data-reference") ?? "")];

    private static List<(string Rule, string Value)> Shared(IDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=shared-indicator]").Select(s => (s.GetAttribute("data-rule") ?? "", s.QuerySelector("code")?.TextContent ?? ""))];

    private async Task<string> FileAsync(string? paymentAddress, string? sender, string? amount, string? currency, bool consent)
    {
        var answers = ReportAnswers.Valid();
        answers["PaymentAddress"] = paymentAddress;
        answers["SenderAddress"] = sender;
        answers["AmountDemanded"] = amount;
        answers["Currency"] = currency;
        answers["ConsentPolice"] = consent ? "true" : null;
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
    }

    private async Task<string> FileWithEmailAsync(string from, string subject)
    {
        var answers = ReportAnswers.Valid();
        answers["PaymentAddress"] = null;
        answers["SenderAddress"] = null;
        answers["AmountDemanded"] = null;
        answers["Currency"] = null;
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var email = $"""
            From: <{from}>
            To: victim@victim.example
            Subject: {subject}
            Date: Thu, 22 Oct 2020 09:13:58 +0300
            Message-ID: <{Guid.NewGuid():N}@mail.example>
            Content-Type: text/plain; charset=utf-8

            We have your records. Reply to this address.
            """.ReplaceLineEndings("\r\n");
        using var uploaded = await EvidenceUploads.UploadAsync(client, token, "mail.eml", "message/rfc822", Encoding.UTF8.GetBytes(email));
        Assert.True(uploaded.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, uploaded.StatusCode.ToString());
        await EvidenceUploads.AnalysePendingAsync(factory);
        var status = await client.GetPageAsync("/status");
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        return status.QuerySelector("[data-testid=reference]")?.TextContent.Trim() ?? "";
    }
}

public sealed class SqliteCampaignPagesTests : CampaignPagesTests<SqlitePortalFactory>;

public sealed class PostgresCampaignPagesTests : CampaignPagesTests<PostgresPortalFactory>;
