using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// Consent on the case page (issue 15, defect 4): the victim gives or withdraws it at any time,
/// withdrawal ends what the partner may see (enforced in Portal.Core: the referral, the workspace,
/// the evidence bundle), the partner is told without case content, and all of it is audited.
/// </summary>
public abstract class ConsentTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    private const string Canary = "CANARY-consent-narrative-51c2";

    [Fact]
    public async Task CasePage_SaysWhatEachPartnerSees_AndOffersToChangeIt()
    {
        var victim = await VictimSteps.FileAsync(factory);

        var page = await victim.Client.GetPageAsync("/status");

        var police = page.QuerySelector("[data-testid=consent-police]")?.TextContent ?? "";
        Assert.Contains("thoughts of harming yourself", police, StringComparison.Ordinal);
        Assert.Contains("evidence", police, StringComparison.Ordinal);
        Assert.Contains("You have agreed", police, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("[data-testid=consent-police] form[action='/status/consent'] input[name=consent][value=false]"));
        var counselling = page.QuerySelector("[data-testid=consent-counselling]")?.TextContent ?? "";
        Assert.Contains("thoughts of harming yourself", counselling, StringComparison.Ordinal);
        Assert.Contains("does not see what you wrote in your report", counselling, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("[data-testid=consent-counselling] form input[name=consent][value=true]"));
    }

    // Both partners see the diary entries and documents the victim shares (the shared case file
    // on the partner's referral page; police also get shared documents in the bundle): the text
    // says so in every language, and no longer tells counselling it sees nothing the victim wrote.
    [Theory]
    [InlineData("en", "diary entries and documents from your case file that you chose to share", "documents you shared as a signed package", "diary entries you chose to share, with what you wrote in them", "name, type, size, time received and technical fingerprint of each document you chose to share, not what is in it", "does not see what you wrote or")]
    [InlineData("fi", "tapauskansiosi päiväkirjamerkinnät ja asiakirjat, jotka olet valinnut jaettaviksi", "jakamasi asiakirjat allekirjoitettuna pakettina", "päiväkirjamerkinnät, jotka olet valinnut jaettaviksi, ja mitä niihin kirjoitit", "jakamasi asiakirjan nimen, tyypin, koon, vastaanottoajan ja teknisen sormenjäljen, ei sen sisältöä", "Se ei näe, mitä kirjoitit, ")]
    [InlineData("sv", "dagboksanteckningar och dokument ur din ärendemapp som du har valt att dela", "dokument du har delat som ett signerat paket", "dagboksanteckningar du har valt att dela, med det du skrev i dem", "typ, storlek, mottagningstid och tekniskt fingeravtryck för varje dokument du har valt att dela, inte vad det innehåller", "Det ser inte vad du skrev eller")]
    public async Task ConsentText_SaysEachPartnerSeesWhatTheVictimShares_InEveryLanguage(string language, string policeShared, string policeBundle, string counsellingEntries, string counsellingDocuments, string oldClaim)
    {
        var victim = await VictimSteps.FileAsync(factory);
        using (var chosen = await victim.Client.SubmitAsync(victim.Receipt, "/language", new Dictionary<string, string?> { ["language"] = language }))
        {
            Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        }

        var anonymous = factory.CreatePortalClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue(language));
        foreach (var (path, police, counselling) in new[] { ("/status", "[data-testid=consent-police]", "[data-testid=consent-counselling]"), ("/report/sharing", "#ConsentPolice-hint", "#ConsentCounselling-hint") })
        {
            var page = await (path == "/status" ? victim.Client : anonymous).GetPageAsync(path);
            var policeText = page.QuerySelector(police)?.TextContent ?? "";
            Assert.Contains(policeShared, policeText, StringComparison.Ordinal);
            Assert.Contains(policeBundle, policeText, StringComparison.Ordinal);
            var counsellingText = page.QuerySelector(counselling)?.TextContent ?? "";
            Assert.Contains(counsellingEntries, counsellingText, StringComparison.Ordinal);
            Assert.Contains(counsellingDocuments, counsellingText, StringComparison.Ordinal);
            Assert.DoesNotContain(oldClaim, counsellingText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithdrawingPoliceConsent_EndsPoliceAccess_WithdrawsTheReferral_AndTellsThemWithoutContent()
    {
        var region = "kainuu";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["Region"] = region, ["WhatHappened"] = Canary });
        var police = await AddPartnerAsync(factory, PartnerType.Police, region);
        var (officer, officerClient) = await PartnerStaffAsync(factory, police.Id, StaffRoles.Police);
        using (var decided = await DecideAsync(factory, victim.Case.Id, "Police"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, victim.Case.Id, PartnerType.Police);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        using (var visible = await officerClient.GetAsync($"/partner/referrals/{referral.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, visible.StatusCode);
        }

        Assert.True(await MayDownloadBundleAsync(officer, victim.Case.Id));

        using (var withdrawn = await ChangeAsync(victim, PartnerType.Police, consent: false))
        {
            Assert.Equal("/status?done=police-withdrawn#consent", withdrawn.Headers.Location?.OriginalString);
        }

        var after = await ReferralAsync(factory, victim.Case.Id, PartnerType.Police);
        Assert.Equal(ReferralStatus.Withdrawn, after.Status);
        Assert.False(await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == victim.Case.Id).Select(c => c.ConsentPolice).SingleAsync()));
        using (var gone = await officerClient.GetAsync($"/partner/referrals/{referral.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.False(await MayDownloadBundleAsync(officer, victim.Case.Id));
        var list = await officerClient.GetPageAsync("/partner/referrals");
        Assert.DoesNotContain(victim.Case.Reference, list.Body?.TextContent, StringComparison.Ordinal);

        // The partner hears of it from the routing job (the sweep finds the notice), once.
        Assert.Contains(referral.Id, await WithScopeAsync(s => s.GetRequiredService<PendingReferrals>().HandleAsync(CancellationToken.None)));
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, referral.Id));
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, referral.Id));
        var mails = await TestMailbox.Smtp.WaitForAsync(police.ContactEmail, count: 2);
        var notice = Assert.Single(mails, m => m.MessageId?.StartsWith("referral-withdrawn.", StringComparison.Ordinal) == true);
        Assert.Contains(victim.Case.Reference, notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, notice.TextBody + notice.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("/partner/referrals", notice.TextBody, StringComparison.Ordinal);
        Assert.Single(TestMailbox.Smtp.To(officer.Email), m => m.MessageId?.StartsWith("referral-withdrawn.", StringComparison.Ordinal) == true);

        var actions = await WithDbAsync(factory, db => db.AuditEntries.Where(e => e.CaseId == victim.Case.Id).OrderBy(e => e.Id).Select(e => new { e.Action, e.ActorKind }).ToListAsync());
        Assert.Contains(actions, a => a.Action == AuditActions.ConsentWithdrawn && a.ActorKind == AuditActor.Victim);
        Assert.Contains(actions, a => a.Action == AuditActions.ReferralWithdrawn && a.ActorKind == AuditActor.Victim);
        Assert.Single(actions, a => a.Action == AuditActions.ReferralWithdrawalNotified);

        // The case page tells the victim what happened.
        var status = await victim.Client.GetPageAsync("/status?done=police-withdrawn");
        Assert.Contains("no longer see your report", status.QuerySelector("[data-testid=case-notice]")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(status.QuerySelector("[data-testid=story] li[data-event=Withdrawn]"));
    }

    [Fact]
    public async Task GivingConsentAgain_ReopensTheReferral_ForTheSamePartnerToo()
    {
        var region = "pirkanmaa";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["Region"] = region });
        var police = await AddPartnerAsync(factory, PartnerType.Police, region);
        var (officer, _) = await PartnerStaffAsync(factory, police.Id, StaffRoles.Police);
        using (var decided = await DecideAsync(factory, victim.Case.Id, "Police"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, victim.Case.Id, PartnerType.Police);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        (await ChangeAsync(victim, PartnerType.Police, consent: false)).Dispose();

        using (var given = await ChangeAsync(victim, PartnerType.Police, consent: true))
        {
            Assert.Equal("/status?done=police-given#consent", given.Headers.Location?.OriginalString);
        }

        Assert.Equal(ReferralStatus.Pending, (await ReferralAsync(factory, victim.Case.Id, PartnerType.Police)).Status);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        var routed = await ReferralAsync(factory, victim.Case.Id, PartnerType.Police);
        Assert.Equal((ReferralStatus.Assigned, police.Id), (routed.Status, routed.PartnerId));
        Assert.True(await MayDownloadBundleAsync(officer, victim.Case.Id));
        Assert.Contains(AuditActions.ReferralReopened, await WithDbAsync(factory, db => db.AuditEntries.Where(e => e.CaseId == victim.Case.Id).Select(e => e.Action).ToListAsync()));
    }

    [Fact]
    public async Task WithdrawingCounsellingConsent_WithdrawsTheUrgentCrisisReferral_NotYetRouted()
    {
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["RiskSelfHarm"] = "true", ["ConsentCounselling"] = "true" });
        var crisis = await ReferralAsync(factory, victim.Case.Id, PartnerType.Counselling);
        Assert.Equal(ReferralStatus.Pending, crisis.Status);

        using (var withdrawn = await ChangeAsync(victim, PartnerType.Counselling, consent: false))
        {
            Assert.Equal(HttpStatusCode.Redirect, withdrawn.StatusCode);
        }

        Assert.Equal(ReferralStatus.Withdrawn, (await ReferralAsync(factory, victim.Case.Id, PartnerType.Counselling)).Status);
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, crisis.Id));
        Assert.DoesNotContain(crisis.Id, await WithScopeAsync(s => s.GetRequiredService<PendingReferrals>().HandleAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task ConsentChange_WithoutACaseSession_IsRefused()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var stranger = factory.CreatePortalClient();
        var values = HtmlForms.DefaultValues((await stranger.GetPageAsync("/status/open")).Form("/status/open"));
        values["partner"] = "Police";
        values["consent"] = "false";

        using var refused = await stranger.PostAsync("/status/consent", new FormUrlEncodedContent(values));

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("https://localhost/status/open", refused.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.True(await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == victim.Case.Id).Select(c => c.ConsentPolice).SingleAsync()));
    }

    private static async Task<HttpResponseMessage> ChangeAsync(Victim victim, PartnerType partner, bool consent)
    {
        var page = await victim.Client.GetPageAsync("/status");

        // The page has one form per partner, each a button that says what it will do.
        var form = page.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>($"[data-testid=consent-{partner.ToString().ToLowerInvariant()}] form[action='/status/consent']");
        Assert.NotNull(form);
        var values = HtmlForms.DefaultValues(form);
        Assert.Equal(consent ? "true" : "false", values["consent"]);
        Assert.Equal(partner.ToString(), values["partner"]);
        var response = await victim.Client.PostAsync("/status/consent", new FormUrlEncodedContent(values));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response;
    }

    private async Task<bool> MayDownloadBundleAsync(StaffAccount officer, Guid caseId) =>
        await WithScopeAsync(async services =>
        {
            var id = await services.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == officer.Email).Select(u => u.Id).SingleAsync();
            return await services.GetRequiredService<CaseBundleAccess>().MayDownloadAsync(caseId, new BundleRequester(id, new HashSet<string> { StaffRoles.Police }), CancellationToken.None);
        });

    private async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}

public sealed class SqliteConsentTests(SmtpSqlitePortalFactory factory)
    : ConsentTests<SmtpSqlitePortalFactory>(factory), IClassFixture<SmtpSqlitePortalFactory>;

public sealed class PostgresConsentTests(SmtpPostgresPortalFactory factory)
    : ConsentTests<SmtpPostgresPortalFactory>(factory), IClassFixture<SmtpPostgresPortalFactory>;
