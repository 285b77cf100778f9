using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Reports;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Campaigns;

/// <summary>
/// Surge tools on a campaign of 500 reports (issue 16): a supervisor previews, confirms and
/// follows one reply to every victim, one routing decision and one closing note. Each case keeps
/// the single-case rules (a volunteer's claim, consent, retention), its own record and its own
/// audit entries; the work runs in batches that an interruption continues instead of repeating.
/// </summary>
public abstract class CampaignActionTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, new()
{
    private const int Cases = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    /// <summary>What a seeded case is, by its number: the mix a real campaign has after some days of work.</summary>
    private enum Kind
    {
        Open,
        AlreadyReferred,
        HeldByVolunteer,
        Retained,
    }

    private static Kind KindOf(int i) => (i % 50) switch
    {
        < 5 => Kind.AlreadyReferred,
        5 or 6 => Kind.HeldByVolunteer,
        7 => Kind.Retained,
        _ => Kind.Open,
    };

    private static bool PoliceConsent(int i) => i % 7 != 0;

    private static string LanguageOf(int i) => ReportOptions.Languages[i % 3];

    [Fact]
    public async Task ReplyToEveryVictim_EachInTheirLanguage_SkippingCasesAVolunteerHolds_AndRetainedOnes()
    {
        var seeded = await SeedAsync();
        var (supervisor, supervisorId) = await SupervisorAsync();
        var replyId = await ReplyAsync(supervisorId);
        var campaignPage = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        Assert.NotNull(campaignPage.QuerySelector("[data-testid=surge-reply] select option"));

        using var previewResponse = await PostAsync(supervisor, campaignPage, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Reply", ["cannedResponseId"] = replyId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.OK, previewResponse.StatusCode);
        var preview = await HtmlForms.ParseAsync(previewResponse);
        var expected = Enumerable.Range(0, Cases).Where(i => KindOf(i) is Kind.Open or Kind.AlreadyReferred).ToList();
        Assert.Equal(Cases.ToString(System.Globalization.CultureInfo.InvariantCulture), preview.QuerySelector("[data-testid=preview-total]")?.TextContent);
        Assert.Equal(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), preview.QuerySelector("[data-testid=preview-apply]")?.TextContent);
        Assert.Equal(
            [("HeldBySomeoneElse", "20"), ("Retained", "10")],
            preview.QuerySelectorAll("[data-testid=preview-skips] li").Select(li => (li.GetAttribute("data-outcome"), li.QuerySelector("strong")?.TextContent)).ToList());
        Assert.Equal("Maksa älä. Autamme.", preview.QuerySelector("[data-testid=preview-text-fi]")?.TextContent);
        Assert.Equal(0, await factory.QueryAsync(db => db.CaseMessages.CountAsync()));
        Assert.Equal(0, await factory.QueryAsync(db => db.CampaignActions.CountAsync()));

        var actionUrl = await ConfirmAsync(supervisor, preview, seeded.CampaignId);
        var running = await supervisor.GetPageAsync(actionUrl);
        Assert.Equal("Running", running.QuerySelector("[data-testid=action-progress]")?.GetAttribute("data-state"));
        Assert.NotNull(running.QuerySelector($"a[data-testid=refresh][href='{actionUrl}']"));

        Assert.Equal(Cases, await RunAsync());

        var done = await supervisor.GetPageAsync(actionUrl);
        Assert.Equal("Done", done.QuerySelector("[data-testid=action-progress]")?.GetAttribute("data-state"));
        Assert.Equal(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), done.QuerySelector("[data-testid=progress-applied]")?.TextContent);
        Assert.Equal("30", done.QuerySelector("[data-testid=progress-skipped]")?.TextContent);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
        var messages = await db.CaseMessages.AsNoTracking().ToListAsync();
        Assert.Equal(expected.Count, messages.Count);
        Assert.Equal(expected.Select(i => seeded.Ids[i]).Order(), messages.Select(m => m.CaseId).Order());
        var texts = new Dictionary<string, string> { ["en"] = "Do not pay. We help.", ["fi"] = "Maksa älä. Autamme.", ["sv"] = "Betala inte. Vi hjälper." };
        foreach (var message in messages)
        {
            var i = seeded.Ids.IndexOf(message.CaseId);
            Assert.Equal(texts[LanguageOf(i)], cipher.OpenString(message.BodyEnvelope));
            Assert.Equal(supervisorId, message.AuthorId);
            Assert.Equal(i % 4 == 0, message.NotificationPending);
        }

        var sent = await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.MessageSent).ToListAsync();
        Assert.Equal(messages.Select(m => (m.CaseId, m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))).Order(), sent.Select(e => (e.CaseId ?? Guid.Empty, e.Subject ?? "")).Order());
        Assert.All(sent, e => Assert.Equal(supervisorId, e.ActorId));
        Assert.Single(await db.AuditEntries.Where(e => e.Action == AuditActions.CampaignActionStarted).ToListAsync());
        Assert.Contains("470 done, 30 skipped", Assert.Single(await db.AuditEntries.Where(e => e.Action == AuditActions.CampaignActionFinished).ToListAsync()).Detail, StringComparison.Ordinal);
        Assert.True((await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(CancellationToken.None)).IsIntact);

        // Held cases are still the volunteer's, untouched.
        var held = Enumerable.Range(0, Cases).Where(i => KindOf(i) == Kind.HeldByVolunteer).Select(i => seeded.Ids[i]).ToList();
        Assert.All(await db.Cases.AsNoTracking().Where(c => held.Contains(c.Id)).ToListAsync(), c => Assert.Equal(seeded.VolunteerId, c.ClaimedById));
    }

    [Fact]
    public async Task RouteEveryConsentingCase_ThenCloseTheRest_EachWithItsOwnDecisionReferralAndEntry()
    {
        var seeded = await SeedAsync();
        var (supervisor, supervisorId) = await SupervisorAsync();
        var campaignPage = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");

        using var routePreviewResponse = await PostAsync(supervisor, campaignPage, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Route", ["route"] = "Police", ["note"] = "Campaign CP reported to police together" });
        var routePreview = await HtmlForms.ParseAsync(routePreviewResponse);
        var open = Enumerable.Range(0, Cases).Where(i => KindOf(i) == Kind.Open).ToList();
        var consenting = open.Where(PoliceConsent).ToList();
        var refusing = open.Where(i => !PoliceConsent(i)).ToList();
        Assert.Equal(consenting.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), routePreview.QuerySelector("[data-testid=preview-apply]")?.TextContent);
        Assert.Equal(
            [("AlreadyDecided", "60"), ("HeldBySomeoneElse", "20"), ("NoConsent", refusing.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            routePreview.QuerySelectorAll("[data-testid=preview-skips] li").Select(li => (li.GetAttribute("data-outcome"), li.QuerySelector("strong")?.TextContent)).ToList());

        await ConfirmAsync(supervisor, routePreview, seeded.CampaignId);
        await RunAsync();

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var consentingIds = consenting.Select(i => seeded.Ids[i]).ToList();
            var decisions = await db.TriageDecisions.AsNoTracking().ToListAsync();
            Assert.Equal(consentingIds.Order(), decisions.Select(d => d.CaseId).Order());
            Assert.All(decisions, d => Assert.Equal((TriageRoute.Police, supervisorId, "Campaign CP reported to police together"), (d.Route, d.DecidedById, d.Reason)));
            var referrals = await db.Referrals.AsNoTracking().ToListAsync();
            Assert.Equal(consentingIds.Order(), referrals.Select(r => r.CaseId).Order());
            Assert.All(referrals, r => Assert.Equal((PartnerType.Police, ReferralStatus.Pending), (r.PartnerType, r.Status)));
            Assert.All(await db.Cases.AsNoTracking().Where(c => consentingIds.Contains(c.Id)).ToListAsync(), c => Assert.Equal((CaseStatus.Referred, (string?)null), (c.Status, c.ClaimedById)));

            // Consent is the victim's: no case without it reached police, and each refusal is on its case's record.
            var refused = await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.TriageDecided && e.Detail == "ConsentMissing").Select(e => e.CaseId).ToListAsync();
            Assert.Equal(refusing.Select(i => (Guid?)seeded.Ids[i]).Order(), refused.Order());
            Assert.Equal(consentingIds.Count, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.TriageDecided && e.Detail == "Decided"));
        }

        var closePage = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        using var closePreviewResponse = await PostAsync(supervisor, closePage, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Close", ["note"] = "Information given by reply; nothing more to do." });
        var closePreview = await HtmlForms.ParseAsync(closePreviewResponse);
        Assert.Equal(refusing.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), closePreview.QuerySelector("[data-testid=preview-apply]")?.TextContent);
        await ConfirmAsync(supervisor, closePreview, seeded.CampaignId);
        await RunAsync();

        var closedIds = refusing.Select(i => seeded.Ids[i]).ToList();
        var closed = await factory.QueryAsync(db => db.TriageDecisions.AsNoTracking().Where(d => d.Route == TriageRoute.Close).ToListAsync());
        Assert.Equal(closedIds.Order(), closed.Select(d => d.CaseId).Order());
        Assert.All(closed, d => Assert.Equal("Information given by reply; nothing more to do.", d.Reason));
        Assert.All(await factory.QueryAsync(db => db.Cases.AsNoTracking().Where(c => closedIds.Contains(c.Id)).ToListAsync()), c => Assert.Equal(CaseStatus.Closed, c.Status));
        Assert.Equal(20, await factory.QueryAsync(db => db.Cases.CountAsync(c => c.Status == CaseStatus.InTriage && c.ClaimedById == seeded.VolunteerId)));
    }

    [Fact]
    public async Task AVictimAlreadyToldOfAnUpdate_IsNotEmailedAgain_AndACaseAlreadyReferred_IsNotReferredTwice()
    {
        // Read once per batch of 50, as a single case reads them: some victims have an unread,
        // already announced message; some open cases went to a crisis line (counselling) on submission.
        var seeded = await SeedAsync(120);
        var open = Enumerable.Range(0, 120).Where(i => KindOf(i) == Kind.Open).ToList();
        var told = open.Where(i => i % 4 == 0 && i % 3 == 0).Select(i => seeded.Ids[i]).ToList();
        var crisis = open.Where(i => i % 5 == 1).Select(i => seeded.Ids[i]).ToList();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
            db.CaseMessages.AddRange(told.Select(id => new CaseMessage { CaseId = id, Direction = MessageDirection.ToVictim, AuthorId = seeded.VolunteerId, BodyEnvelope = cipher.SealString("Earlier"), SentAt = now.AddHours(-1), NotifiedAt = now.AddMinutes(-50) }));
            foreach (var entity in await db.Cases.Where(c => crisis.Contains(c.Id)).ToListAsync())
            {
                db.Referrals.Add(ReferralRules.Create(entity, PartnerType.Counselling, now.AddDays(-1)));
            }

            await db.SaveChangesAsync();
        }

        Assert.NotEmpty(told);
        Assert.NotEmpty(crisis);
        var (supervisor, supervisorId) = await SupervisorAsync();
        var replyId = await ReplyAsync(supervisorId);
        var page = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        using (var replyPreview = await PostAsync(supervisor, page, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Reply", ["cannedResponseId"] = replyId.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            await ConfirmAsync(supervisor, await HtmlForms.ParseAsync(replyPreview), seeded.CampaignId);
        }

        await RunAsync();
        var replies = await factory.QueryAsync(db => db.CaseMessages.AsNoTracking().Where(m => m.AuthorId == supervisorId).ToListAsync());
        var emailable = open.Where(i => i % 4 == 0).Select(i => seeded.Ids[i]).ToList();
        Assert.Equal(emailable.Except(told).Order(), replies.Where(m => m.NotificationPending).Select(m => m.CaseId).Where(open.Select(i => seeded.Ids[i]).Contains).Order());
        Assert.All(replies.Where(m => told.Contains(m.CaseId)), m => Assert.False(m.NotificationPending));

        page = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        using (var routePreview = await PostAsync(supervisor, page, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Route", ["route"] = "PoliceAndCounselling", ["note"] = "Both, for the whole campaign" }))
        {
            await ConfirmAsync(supervisor, await HtmlForms.ParseAsync(routePreview), seeded.CampaignId);
        }

        await RunAsync();
        var routed = open.Where(PoliceConsent).Select(i => seeded.Ids[i]).ToList();
        var referrals = await factory.QueryAsync(db => db.Referrals.AsNoTracking().Select(r => new { r.CaseId, r.PartnerType, r.CreatedAt }).ToListAsync());
        Assert.Equal(routed.Order(), referrals.Where(r => r.PartnerType == PartnerType.Police).Select(r => r.CaseId).Order());
        Assert.Equal(routed.Union(crisis).Order(), referrals.Where(r => r.PartnerType == PartnerType.Counselling).Select(r => r.CaseId).Order());
        Assert.All(referrals.Where(r => crisis.Contains(r.CaseId) && r.PartnerType == PartnerType.Counselling), r => Assert.Equal(now.AddDays(-1), r.CreatedAt));
    }

    [Fact]
    public async Task AnInterruptedAction_ContinuesWhereItStopped_AndNoVictimGetsTheReplyTwice()
    {
        var seeded = await SeedAsync();
        var (supervisor, supervisorId) = await SupervisorAsync();
        var replyId = await ReplyAsync(supervisorId);
        var page = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        using var previewResponse = await PostAsync(supervisor, page, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Reply", ["cannedResponseId"] = replyId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await ConfirmAsync(supervisor, await HtmlForms.ParseAsync(previewResponse), seeded.CampaignId);
        var actionId = await factory.QueryAsync(db => db.CampaignActions.Select(a => a.Id).SingleAsync());

        // Two batches commit, then the runner dies (its scope goes with everything it held).
        await using (var first = factory.Services.CreateAsyncScope())
        {
            var runner = first.ServiceProvider.GetRequiredService<RunCampaignActionsHandler>();
            Assert.False((await runner.RunBatchAsync(actionId, CancellationToken.None)).Finished);
            Assert.False((await runner.RunBatchAsync(actionId, CancellationToken.None)).Finished);
        }

        var halfway = await factory.QueryAsync(db => db.CampaignActions.AsNoTracking().SingleAsync());
        Assert.Equal((CampaignActionState.Running, 2 * RunCampaignActionsHandler.BatchSize), (halfway.State, halfway.Applied + halfway.Skipped));
        Assert.Equal(halfway.Applied, await factory.QueryAsync(db => db.CaseMessages.CountAsync()));
        Assert.Equal(Cases - (2 * RunCampaignActionsHandler.BatchSize), await factory.QueryAsync(db => db.CampaignActionCases.CountAsync(c => c.Outcome == null)));

        Assert.Equal(Cases - (2 * RunCampaignActionsHandler.BatchSize), await RunAsync());

        var messages = await factory.QueryAsync(db => db.CaseMessages.AsNoTracking().Select(m => m.CaseId).ToListAsync());
        Assert.Equal(messages.Count, messages.Distinct().Count());
        var action = await factory.QueryAsync(db => db.CampaignActions.AsNoTracking().SingleAsync());
        Assert.Equal((CampaignActionState.Done, Cases, messages.Count), (action.State, action.Applied + action.Skipped, action.Applied));
        Assert.Equal(messages.Count, await factory.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.MessageSent)));
        Assert.Equal(0, await RunAsync());
    }

    [Fact]
    public async Task TheSameReply_ConfirmedAgainAfterItRan_IsAnsweredWithThatAction_AndNoVictimGetsItTwice()
    {
        var seeded = await SeedAsync(count: 60);
        var (supervisor, supervisorId) = await SupervisorAsync();
        var replyId = await ReplyAsync(supervisorId);
        var page = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        using var previewResponse = await PostAsync(supervisor, page, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Reply", ["cannedResponseId"] = replyId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var preview = await HtmlForms.ParseAsync(previewResponse);
        var actionUrl = await ConfirmAsync(supervisor, preview, seeded.CampaignId);
        await RunAsync();
        var messages = await factory.QueryAsync(db => db.CaseMessages.CountAsync());
        Assert.True(messages > 0);
        var entries = await factory.QueryAsync(db => db.AuditEntries.CountAsync());

        // Confirm pressed again once the first had run (a second click, or Back and Confirm).
        Assert.Equal(actionUrl, await ConfirmAsync(supervisor, preview, seeded.CampaignId));
        await RunAsync();

        Assert.Equal(messages, await factory.QueryAsync(db => db.CaseMessages.CountAsync()));
        Assert.Equal(1, await factory.QueryAsync(db => db.CampaignActions.CountAsync()));
        Assert.Equal(entries, await factory.QueryAsync(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task ACampaignThatChangedSinceThePreview_OrOneAlreadyBeingWorked_StartsNothing()
    {
        var seeded = await SeedAsync(count: 60);
        var (supervisor, supervisorId) = await SupervisorAsync();
        var replyId = await ReplyAsync(supervisorId);
        var page = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        var values = new Dictionary<string, string> { ["kind"] = "Reply", ["cannedResponseId"] = replyId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using var previewResponse = await PostAsync(supervisor, page, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", values);
        var preview = await HtmlForms.ParseAsync(previewResponse);

        // A new report joins the campaign after the preview.
        await SeedAsync(count: 1, wallet: seeded.Wallet);
        using (var stale = await supervisor.SubmitAsync(preview, $"/staff/campaigns/{seeded.CampaignId}/actions", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            var again = await HtmlForms.ParseAsync(stale);
            Assert.StartsWith("The campaign's cases changed since the preview.", again.QuerySelector("[data-testid=preview-problem]")?.TextContent.Trim(), StringComparison.Ordinal);
            Assert.Equal("61", again.QuerySelector("[data-testid=preview-total]")?.TextContent);
            preview = again;
        }

        Assert.Equal(0, await factory.QueryAsync(db => db.CampaignActions.CountAsync()));
        Assert.Single(await factory.QueryAsync(db => db.AuditEntries.Where(e => e.Action == AuditActions.CampaignActionRefused && e.Detail == "Changed").ToListAsync()));

        await ConfirmAsync(supervisor, preview, seeded.CampaignId);
        using (var second = await supervisor.SubmitAsync(preview, $"/staff/campaigns/{seeded.CampaignId}/actions", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.StartsWith("Another action on this campaign is still running.", (await HtmlForms.ParseAsync(second)).QuerySelector("[data-testid=preview-problem]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        Assert.Equal(1, await factory.QueryAsync(db => db.CampaignActions.CountAsync()));
    }

    [Fact]
    public async Task AnIncompleteRequest_IsRefusedWithWhy_AndOnlySupervisorsMayAct()
    {
        var seeded = await SeedAsync(count: 10);
        var (supervisor, _) = await SupervisorAsync();
        var page = await supervisor.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        foreach (var (values, message) in new[]
        {
            (new Dictionary<string, string> { ["kind"] = "Close", ["note"] = " " }, "Write a closing note"),
            (new Dictionary<string, string> { ["kind"] = "Route" }, "Choose where the cases go."),
            (new Dictionary<string, string> { ["kind"] = "Route", ["route"] = "Close" }, "Choose where the cases go."),
            (new Dictionary<string, string> { ["kind"] = "Reply", ["cannedResponseId"] = "999999" }, "Choose a prepared reply."),
            (new Dictionary<string, string> { ["kind"] = "Explode" }, "Choose one of the actions on this page."),
        })
        {
            using var refused = await PostAsync(supervisor, page, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", values);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.StartsWith(message, (await HtmlForms.ParseAsync(refused)).QuerySelector("[data-testid=campaign-action-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        using (var missing = await PostAsync(supervisor, page, $"/staff/campaigns/{Guid.NewGuid()}/actions/preview", new() { ["kind"] = "Close", ["note"] = "closing the lot" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        var police = await StaffAccounts.SignInAsync(factory, await RoutingSteps.PoliceOfficerAsync(factory));
        var policePage = await police.GetPageAsync($"/staff/campaigns/{seeded.CampaignId}");
        Assert.Null(policePage.QuerySelector("[data-testid=surge-tools]"));
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        foreach (var (other, otherPage) in new[] { (police, policePage), (volunteer, await volunteer.GetPageAsync("/staff")) })
        {
            using var denied = await PostAsync(other, otherPage, $"/staff/campaigns/{seeded.CampaignId}/actions/preview", new() { ["kind"] = "Close", ["note"] = "closing the lot" });
            Assert.Contains("/account/denied", denied.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await factory.QueryAsync(db => db.TriageDecisions.CountAsync()));
    }

    private sealed record Seeded(Guid CampaignId, string Wallet, List<Guid> Ids, string VolunteerId);

    /// <summary>
    /// <paramref name="count"/> reports sharing one wallet (one campaign), inserted as a surge would
    /// leave them (see <see cref="KindOf"/>), then campaigns recomputed.
    /// </summary>
    private async Task<Seeded> SeedAsync(int count = Cases, string? wallet = null)
    {
        wallet ??= "bc1q" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var volunteer = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var volunteerId = await factory.QueryAsync(db => db.Users.Where(u => u.Email == volunteer.Email).Select(u => u.Id).SingleAsync());
        await using var scope = factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PortalDbContext>();
        var cipher = services.GetRequiredService<EnvelopeCipher>();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var narrative = cipher.SealString("A surge report");
        var contact = cipher.SealString(JsonSerializer.Serialize(new ContactDetails("victim@example.org", null, null), Json));
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var kind = KindOf(i);
            var id = Guid.CreateVersion7();
            ids.Add(id);
            db.Cases.Add(new Case
            {
                Id = id,
                Reference = "VS-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2)) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2)),
                ReceiptHash = RandomNumberGenerator.GetBytes(32),
                SubmissionId = Guid.NewGuid(),
                Status = kind switch { Kind.AlreadyReferred => CaseStatus.Referred, Kind.HeldByVolunteer => CaseStatus.InTriage, Kind.Retained => CaseStatus.Closed, _ => CaseStatus.Received },
                CreatedAt = now.AddMinutes(-i),
                UpdatedAt = now,
                Language = LanguageOf(i),
                NarrativeEnvelope = narrative,
                PaymentAddress = wallet,
                ConsentPolice = PoliceConsent(i),
                ConsentCounselling = true,
                ClaimedById = kind == Kind.HeldByVolunteer ? volunteerId : null,
                ClaimedAt = kind == Kind.HeldByVolunteer ? now : null,
                RetainedAt = kind == Kind.Retained ? now : null,
                ContactPreference = i % 4 == 0 ? ContactPreference.Email : ContactPreference.PortalOnly,
                ContactEnvelope = i % 4 == 0 ? contact : null,
            });
        }

        await db.SaveChangesAsync();
        await services.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        var campaignId = await db.CampaignCases.Where(m => m.CaseId == ids[0]).Select(m => m.CampaignId).SingleAsync();
        return new Seeded(campaignId, wallet, ids, volunteerId);
    }

    private async Task<(HttpClient Client, string Id)> SupervisorAsync()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var id = await factory.QueryAsync(db => db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync());
        return (await StaffAccounts.SignInAsync(factory, account), id);
    }

    private async Task<int> ReplyAsync(string supervisorId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var saved = await scope.ServiceProvider.GetRequiredService<CannedResponsesHandler>().SaveAsync(
            null,
            new SaveCannedResponse { Title = "Do not pay", BodyEn = "Do not pay. We help.", BodyFi = "Maksa älä. Autamme.", BodySv = "Betala inte. Vi hjälper." },
            Actor.Staff(supervisorId, IPAddress.Loopback),
            CancellationToken.None);
        return saved.Id;
    }

    /// <summary>What the job engine does when nudged: runs every running action to its end.</summary>
    private async Task<int> RunAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RunCampaignActionsHandler>().HandleAsync(CancellationToken.None);
    }

    private static async Task<string> ConfirmAsync(HttpClient supervisor, IDocument preview, Guid campaignId)
    {
        using var confirmed = await supervisor.SubmitAsync(preview, $"/staff/campaigns/{campaignId}/actions", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        var location = confirmed.Headers.Location?.OriginalString ?? "";
        Assert.StartsWith($"/staff/campaigns/{campaignId}/actions/", location, StringComparison.Ordinal);
        return location;
    }

    /// <summary>Posts one of the page's several forms to <paramref name="action"/> with the page's antiforgery token.</summary>
    private static Task<HttpResponseMessage> PostAsync(HttpClient client, IDocument page, string action, Dictionary<string, string> values)
    {
        values["__af"] = page.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
        return client.PostAsync(action, new FormUrlEncodedContent(values));
    }
}

public sealed class SqliteCampaignActionTests : CampaignActionTests<SqlitePortalFactory>;

public sealed class PostgresCampaignActionTests : CampaignActionTests<PostgresPortalFactory>;
