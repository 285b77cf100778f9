using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Routing;

/// <summary>
/// From decision to partner inbox on a real database and a real SMTP server. The fixture is
/// shared, so each test works in a region of its own and its partners serve only that region.
/// Routing runs are the handler the job engine calls, called here directly.
/// </summary>
public abstract class RoutingTests<TFactory>(TFactory factory) where TFactory : PortalFactory
{
    private const string Canary = "CANARY-routing-narrative-7d1f";

    [Fact]
    public async Task Decision_WritesItsReferrals_AndRoutingTwiceSendsEachPartnerOneEmailWithoutCaseContent()
    {
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "satakunta", ["ConsentCounselling"] = "true", ["WhatHappened"] = Canary });
        var police = await AddPartnerAsync(factory, PartnerType.Police, "satakunta");
        var counselling = await AddPartnerAsync(factory, PartnerType.Counselling, "satakunta");
        var (officer, _) = await PartnerStaffAsync(factory, police.Id, StaffRoles.Police);

        using var decided = await DecideAsync(factory, filed.Id, "PoliceAndCounselling");
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        var referrals = await ReferralsAsync(factory, filed.Id);
        Assert.Equal([PartnerType.Police, PartnerType.Counselling], referrals.Select(r => r.PartnerType).Order());
        Assert.All(referrals, r => Assert.Equal(ReferralStatus.Pending, r.Status));

        foreach (var referral in referrals)
        {
            Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
            Assert.Equal(RoutingOutcome.AlreadyRouted, await RouteAsync(factory, referral.Id));
        }

        // Concurrent runs of a fresh referral: still one assignment, one email.
        var second = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "satakunta" });
        using (var secondDecision = await DecideAsync(factory, second.Id, "Police"))
        {
            Assert.Equal(HttpStatusCode.Redirect, secondDecision.StatusCode);
        }

        var secondReferral = await ReferralAsync(factory, second.Id, PartnerType.Police);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RouteAsync(factory, secondReferral.Id)));
        Assert.Equal(1, outcomes.Count(o => o == RoutingOutcome.Routed));

        var policeMail = TestMailbox.Smtp.To(police.ContactEmail);
        Assert.Equal(2, policeMail.Count);
        Assert.Equal(2, TestMailbox.Smtp.To(officer.Email).Count);
        var counsellingMail = Assert.Single(TestMailbox.Smtp.To(counselling.ContactEmail));
        var first = referrals.Single(r => r.PartnerType == PartnerType.Counselling);
        Assert.Contains(filed.Reference, counsellingMail.Subject, StringComparison.Ordinal);
        Assert.Contains($"/partner/referrals/{first.Id}", counsellingMail.TextBody, StringComparison.Ordinal);
        foreach (var mail in policeMail.Append(counsellingMail))
        {
            Assert.DoesNotContain(Canary, mail.Subject + mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("extort@example.org", mail.Subject + mail.TextBody, StringComparison.Ordinal);
        }

        var routed = await ReferralsAsync(factory, filed.Id);
        Assert.All(routed, r => Assert.Equal(ReferralStatus.Assigned, r.Status));
        Assert.Equal(police.Id, routed.Single(r => r.PartnerType == PartnerType.Police).PartnerId);
        var notified = await WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == first.Id).Select(a => a.NotifiedAt).SingleAsync());
        Assert.NotNull(notified);
        Assert.Equal(3, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => (e.CaseId == filed.Id || e.CaseId == second.Id) && e.Action == AuditActions.ReferralAssigned)));
    }

    [Fact]
    public async Task Decision_WhenItsTransactionFails_LeavesNeitherDecisionNorReferral()
    {
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "kainuu", ["ConsentCounselling"] = "true" });
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        await InjectReferralFailureAsync(install: true);
        try
        {
            // The portal's answer to a failing database: the friendly "try again shortly" page.
            using var failed = await DecideAsync(volunteer, filed.Id, "PoliceAndCounselling");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await InjectReferralFailureAsync(install: false);
        }

        Assert.Empty(await ReferralsAsync(factory, filed.Id));
        Assert.Empty(await WithDbAsync(factory, db => db.TriageDecisions.Where(d => d.CaseId == filed.Id).ToListAsync()));
        Assert.Equal(CaseStatus.InTriage, await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == filed.Id).Select(c => c.Status).SingleAsync()));

        // Still the volunteer's claim, so the same volunteer decides again, now with nothing in the way.
        var page = await volunteer.GetPageAsync($"/staff/cases/{filed.Id}");
        using var retried = await volunteer.SubmitAsync(page, $"/staff/cases/{filed.Id}/decision", new Dictionary<string, string?> { ["route"] = "PoliceAndCounselling" });
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Equal(2, (await ReferralsAsync(factory, filed.Id)).Count);
        Assert.Single(await WithDbAsync(factory, db => db.TriageDecisions.Where(d => d.CaseId == filed.Id).ToListAsync()));
    }

    [Fact]
    public async Task UrgentReport_WithCounsellingConsent_GoesToACrisisLineOnSubmission_AndTriageAddsNoDuplicate()
    {
        var charity = await AddPartnerAsync(factory, PartnerType.Counselling, "lappi");
        var crisisLine = await AddPartnerAsync(factory, PartnerType.Counselling, "lappi", crisisLine: true);
        var urgent = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "lappi", ["RiskSelfHarm"] = "true", ["ConsentCounselling"] = "true" });
        var noConsent = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "lappi", ["RiskImmediateDanger"] = "true" });
        var notUrgent = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "lappi", ["ConsentCounselling"] = "true" });

        var crisis = Assert.Single(await ReferralsAsync(factory, urgent.Id));
        Assert.Equal((PartnerType.Counselling, true, ReferralStatus.Pending), (crisis.PartnerType, crisis.Urgent, crisis.Status));
        Assert.Empty(await ReferralsAsync(factory, noConsent.Id));
        Assert.Empty(await ReferralsAsync(factory, notUrgent.Id));

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, crisis.Id));
        Assert.Equal(crisisLine.Id, (await ReferralAsync(factory, urgent.Id, PartnerType.Counselling)).PartnerId);
        Assert.Single(TestMailbox.Smtp.To(crisisLine.ContactEmail));
        Assert.Empty(TestMailbox.Smtp.To(charity.ContactEmail));

        // Triage later decides counselling and police: the crisis referral stands, police is added.
        using var decided = await DecideAsync(factory, urgent.Id, "PoliceAndCounselling");
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        var all = await ReferralsAsync(factory, urgent.Id);
        Assert.Equal(2, all.Count);
        Assert.Equal(crisis.Id, all.Single(r => r.PartnerType == PartnerType.Counselling).Id);

        // The database refuses a second referral of a type, whatever the code path.
        var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() => WithDbAsync(factory, async db =>
        {
            db.Referrals.Add(new Referral { CaseId = urgent.Id, PartnerType = PartnerType.Counselling, Status = ReferralStatus.Pending });
            return await db.SaveChangesAsync();
        }));
        Assert.NotNull(duplicate.InnerException);
    }

    [Fact]
    public async Task Report_WithARegionOutsideTheList_IsRefused_AndAGoodOneIsStored()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        var answers = ReportAnswers.Valid("Region canary " + Guid.NewGuid());
        answers["Region"] = "atlantis";
        using var refused = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("Choose a region from the list.", (await HtmlForms.ParseAsync(refused)).QuerySelector("#Region-error")?.TextContent);
        Assert.Equal(0, await WithDbAsync(factory, db => db.Cases.CountAsync(c => c.Region == "atlantis")));

        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "outside-finland" });
        Assert.Equal("outside-finland", await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == filed.Id).Select(c => c.Region).SingleAsync()));
    }

    [Fact]
    public async Task APartnerWithoutCapacity_IsSkipped_AndWithNoneLeft_TheReferralWaitsUnassignedWhereSupervisorsSeeIt()
    {
        var first = await AddPartnerAsync(factory, PartnerType.Police, "kymenlaakso", capacity: 1);
        var second = await AddPartnerAsync(factory, PartnerType.Police, "kymenlaakso", capacity: 1);
        var cases = new List<FiledCase>();
        for (var i = 0; i < 3; i++)
        {
            var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "kymenlaakso" });
            using var decided = await DecideAsync(factory, filed.Id, "Police");
            cases.Add(filed);
        }

        var referrals = new List<Referral>();
        foreach (var filed in cases)
        {
            referrals.Add(await ReferralAsync(factory, filed.Id, PartnerType.Police));
        }

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referrals[0].Id));
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referrals[1].Id));
        Assert.Equal(RoutingOutcome.Unassigned, await RouteAsync(factory, referrals[2].Id));
        Assert.Equal(RoutingOutcome.Unassigned, await RouteAsync(factory, referrals[2].Id));
        Assert.Equal(first.Id, (await ReferralAsync(factory, cases[0].Id, PartnerType.Police)).PartnerId);
        Assert.Equal(second.Id, (await ReferralAsync(factory, cases[1].Id, PartnerType.Police)).PartnerId);
        var waiting = await ReferralAsync(factory, cases[2].Id, PartnerType.Police);
        Assert.Equal((ReferralStatus.Unassigned, NoPartnerReason.NoneWithCapacity), (waiting.Status, waiting.UnassignedReason));
        Assert.Equal(1, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.CaseId == cases[2].Id && e.Action == AuditActions.ReferralUnassigned)));

        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var list = await supervisor.GetPageAsync("/staff/referrals");
        var row = list.QuerySelector($"[data-testid=waiting-row][data-referral='{waiting.Id}']");
        Assert.Contains("full for today", row?.QuerySelector("[data-testid=unassigned-reason]")?.TextContent, StringComparison.Ordinal);
        var casePage = await supervisor.GetPageAsync($"/staff/cases/{cases[2].Id}");
        Assert.Equal("Unassigned", casePage.QuerySelector("[data-testid=case-referral]")?.GetAttribute("data-status"));

        // The sweeper offers it again after an hour; capacity is back the next day.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var pending = scope.ServiceProvider.GetRequiredService<PendingReferrals>();
            Assert.DoesNotContain(waiting.Id, await pending.HandleAsync(CancellationToken.None));
            factory.Clock.Advance(TimeSpan.FromDays(1));
            Assert.Contains(waiting.Id, await pending.HandleAsync(CancellationToken.None));
        }

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, waiting.Id));
        Assert.Equal(first.Id, (await ReferralAsync(factory, cases[2].Id, PartnerType.Police)).PartnerId);
    }

    [Fact]
    public async Task ADeactivatedPartner_ReceivesNothingNew_AndKeepsWhatItHolds()
    {
        var partner = await AddPartnerAsync(factory, PartnerType.Counselling, "etela-savo");
        var held = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "etela-savo", ["ConsentCounselling"] = "true" });
        using (var decided = await DecideAsync(factory, held.Id, "Counselling"))
        {
            Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, (await ReferralAsync(factory, held.Id, PartnerType.Counselling)).Id));
        }

        // Through the admin form, as a browser sends it (every ticked box, "Active" left unticked).
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var edit = await admin.GetPageAsync($"/admin/partners/{partner.Id}");
        var form = edit.QuerySelectorAll($"form[action='/admin/partners/{partner.Id}'] input").OfType<AngleSharp.Html.Dom.IHtmlInputElement>()
            .Where(i => i.Type is not ("checkbox" or "radio") || i.IsChecked)
            .Where(i => i.Name != "Active")
            .Select(i => new KeyValuePair<string, string>(i.Name ?? "", i.Value))
            .ToList();
        Assert.Equal(3, form.Count(f => f.Key == "Languages"));
        using (var saved = await admin.PostAsync($"/admin/partners/{partner.Id}", new FormUrlEncodedContent(form)))
        {
            Assert.Equal("/admin/partners?message=updated", saved.Headers.Location?.OriginalString);
        }

        var next = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "etela-savo", ["ConsentCounselling"] = "true" });
        using (var decided = await DecideAsync(factory, next.Id, "Counselling"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, next.Id, PartnerType.Counselling);
        Assert.Equal(RoutingOutcome.Unassigned, await RouteAsync(factory, referral.Id));
        Assert.Equal(NoPartnerReason.NoneActive, (await ReferralAsync(factory, next.Id, PartnerType.Counselling)).UnassignedReason);
        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
        Assert.Equal(partner.Id, (await ReferralAsync(factory, held.Id, PartnerType.Counselling)).PartnerId);
        Assert.Equal(1, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.PartnerUpdated && e.Subject == $"partner {partner.Id}" && e.Detail!.Contains("active=False"))));
    }

    [Fact]
    public async Task Decline_NeedsAReason_ThenRoutesToTheNextPartner_AndNeverBack()
    {
        var first = await AddPartnerAsync(factory, PartnerType.Counselling, "pohjois-karjala", capacity: 50);
        var second = await AddPartnerAsync(factory, PartnerType.Counselling, "pohjois-karjala", capacity: 5);
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "pohjois-karjala", ["ConsentCounselling"] = "true" });
        using (var decided = await DecideAsync(factory, filed.Id, "Counselling"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        await RouteAsync(factory, referral.Id);
        Assert.Equal(first.Id, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).PartnerId);

        var (_, counsellor) = await PartnerStaffAsync(factory, first.Id, StaffRoles.Counsellor);
        var page = await counsellor.GetPageAsync($"/partner/referrals/{referral.Id}");
        using (var noReason = await counsellor.SubmitAsync(page, $"/partner/referrals/{referral.Id}/decline", new Dictionary<string, string?> { ["reason"] = "  " }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
            Assert.Equal(ReferralStatus.Assigned, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).Status);
        }

        // A hand-made form past the field's maxlength is refused whole, never cut.
        using (var tooLong = await counsellor.SubmitAsync(page, $"/partner/referrals/{referral.Id}/decline", new Dictionary<string, string?> { ["reason"] = new string('x', RespondToReferralHandler.MaxTextLength + 1) }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
            Assert.Contains("500 characters or fewer", (await HtmlForms.ParseAsync(tooLong)).QuerySelector("[data-testid=partner-message]")?.TextContent, StringComparison.Ordinal);
            Assert.Equal(ReferralStatus.Assigned, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).Status);
        }

        using (var declined = await counsellor.SubmitAsync(page, $"/partner/referrals/{referral.Id}/decline", new Dictionary<string, string?> { ["reason"] = "No Swedish-speaking counsellor this month" }))
        {
            Assert.Equal("/partner/referrals?done=Decline", declined.Headers.Location?.OriginalString);
        }

        // A second click lands where the first did, and the decline is recorded once.
        using (var again = await counsellor.SubmitAsync(page, $"/partner/referrals/{referral.Id}/decline", new Dictionary<string, string?> { ["reason"] = "No Swedish-speaking counsellor this month" }))
        {
            Assert.Equal("/partner/referrals?done=Decline", again.Headers.Location?.OriginalString);
        }

        Assert.Single(await WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == referral.Id && a.PartnerId == first.Id).ToListAsync()));
        Assert.Single(await WithDbAsync(factory, db => db.AuditEntries.Where(e => e.CaseId == filed.Id && e.Action == AuditActions.ReferralDeclined && e.Detail == "Done").ToListAsync()));

        Assert.Equal(ReferralStatus.Pending, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).Status);
        using (var gone = await counsellor.GetAsync($"/partner/referrals/{referral.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        Assert.Equal(second.Id, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).PartnerId);
        var ended = await WithDbAsync(factory, db => db.ReferralAssignments.SingleAsync(a => a.ReferralId == referral.Id && a.PartnerId == first.Id));
        Assert.Equal((AssignmentEnd.Declined, "No Swedish-speaking counsellor this month"), (ended.EndReason, ended.DeclineReason));

        // The second declines too: nobody is left, and the first is not asked again.
        var (_, other) = await PartnerStaffAsync(factory, second.Id, StaffRoles.Counsellor);
        var otherPage = await other.GetPageAsync($"/partner/referrals/{referral.Id}");
        using (await other.SubmitAsync(otherPage, $"/partner/referrals/{referral.Id}/decline", new Dictionary<string, string?> { ["reason"] = "Full" }))
        {
        }

        Assert.Equal(RoutingOutcome.Unassigned, await RouteAsync(factory, referral.Id));
        Assert.Equal(NoPartnerReason.AllTried, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).UnassignedReason);
        Assert.Single(TestMailbox.Smtp.To(first.ContactEmail));
        Assert.Equal(2, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.CaseId == filed.Id && e.Action == AuditActions.ReferralDeclined && e.Detail == "Done")));
    }

    [Fact]
    public async Task PartnerStaff_SeeAndActOnTheirOrganisationsReferralsOnly()
    {
        var mine = await AddPartnerAsync(factory, PartnerType.Counselling, "keski-suomi");
        var theirs = await AddPartnerAsync(factory, PartnerType.Counselling, "keski-suomi", active: false);
        var policeUnit = await AddPartnerAsync(factory, PartnerType.Police, "keski-suomi");
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "keski-suomi", ["ConsentCounselling"] = "true" });
        using (await DecideAsync(factory, filed.Id, "Counselling"))
        {
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        await RouteAsync(factory, referral.Id);

        var (_, member) = await PartnerStaffAsync(factory, mine.Id, StaffRoles.Counsellor);
        var (_, outsider) = await PartnerStaffAsync(factory, theirs.Id, StaffRoles.Counsellor);
        var (_, officer) = await PartnerStaffAsync(factory, policeUnit.Id, StaffRoles.Police);
        var (_, wrongRole) = await PartnerStaffAsync(factory, mine.Id, StaffRoles.Police);
        var (_, unlinked) = await PartnerStaffAsync(factory, null, StaffRoles.Counsellor);
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var detail = $"/partner/referrals/{referral.Id}";

        var list = await member.GetPageAsync("/partner/referrals");
        Assert.NotNull(list.QuerySelector($"[data-testid=referral-row][data-referral='{referral.Id}']"));
        var page = await member.GetPageAsync(detail);
        Assert.Equal(filed.Reference, page.QuerySelector("[data-testid=reference]")?.TextContent);
        Assert.Null(page.QuerySelector("[data-testid=narrative]"));
        Assert.Null(page.QuerySelector("[data-testid=police-evidence]"));
        Assert.Null(page.QuerySelector("[data-testid=bundle-download]"));
        Assert.Contains("Central Finland", page.QuerySelector("[data-testid=region]")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal("English", page.QuerySelector("[data-testid=referral-language]")?.TextContent);
        Assert.Equal("English", list.QuerySelector($"[data-testid=referral-row][data-referral='{referral.Id}'] [data-testid=referral-language]")?.TextContent);

        foreach (var client in new[] { outsider, officer })
        {
            Assert.Null((await client.GetPageAsync("/partner/referrals")).QuerySelector($"[data-testid=referral-row][data-referral='{referral.Id}']"));
            using var denied = await client.GetAsync(detail);
            Assert.Equal(HttpStatusCode.NotFound, denied.StatusCode);
            var token = (await client.GetPageAsync("/partner/referrals")).QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
            using var act = await client.PostAsync(detail + "/acknowledge", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));
            Assert.Equal(HttpStatusCode.NotFound, act.StatusCode);
        }

        foreach (var client in new[] { wrongRole, unlinked })
        {
            using var none = await client.GetAsync(detail);
            Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        }

        using (var notPartner = await volunteer.GetAsync(detail))
        {
            Assert.Equal(HttpStatusCode.Redirect, notPartner.StatusCode);
            Assert.StartsWith("/account/denied", notPartner.Headers.Location?.AbsolutePath ?? notPartner.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        Assert.Equal(ReferralStatus.Assigned, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).Status);
        Assert.Equal(4, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.AccessDenied && e.Subject == $"referral {referral.Id}")));

        using (var acknowledged = await member.SubmitAsync(page, detail + "/acknowledge", new Dictionary<string, string?>()))
        {
            Assert.Equal($"{detail}?done=Acknowledge", acknowledged.Headers.Location?.OriginalString);
        }

        // A second click lands where the first did, and changes nothing.
        var acknowledgedAt = (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).AcknowledgedAt;
        using (var again = await member.SubmitAsync(page, detail + "/acknowledge", new Dictionary<string, string?>()))
        {
            Assert.Equal($"{detail}?done=Acknowledge", again.Headers.Location?.OriginalString);
        }

        Assert.Equal(acknowledgedAt, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).AcknowledgedAt);

        var accepted = await member.GetPageAsync(detail);
        using (await member.SubmitAsync(accepted, detail + "/accept", new Dictionary<string, string?>()))
        {
        }

        var acceptedAt = (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).AcceptedAt;
        Assert.NotNull(acceptedAt);
        using (var again = await member.SubmitAsync(accepted, detail + "/accept", new Dictionary<string, string?>()))
        {
            Assert.Equal($"{detail}?done=Accept", again.Headers.Location?.OriginalString);
        }

        Assert.Equal((ReferralStatus.Accepted, acceptedAt), ((await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).Status, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).AcceptedAt));

        var toClose = await member.GetPageAsync(detail);
        using (var noOutcome = await member.SubmitAsync(toClose, detail + "/outcome", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noOutcome.StatusCode);
        }

        using (var reportNumber = await member.SubmitAsync(toClose, detail + "/outcome", new Dictionary<string, string?> { ["outcome"] = "SupportGiven", ["note"] = "Two calls" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, reportNumber.StatusCode);
        }

        var closed = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        Assert.Equal((ReferralStatus.Closed, ReferralOutcome.SupportGiven, "Two calls"), (closed.Status, closed.Outcome, closed.OutcomeNote));
        var actions = await WithDbAsync(factory, db => db.AuditEntries.Where(e => e.CaseId == filed.Id && e.Subject == $"referral {referral.Id}").Select(e => e.Action).ToListAsync());
        Assert.Contains(AuditActions.ReferralViewed, actions);
        Assert.Contains(AuditActions.ReferralAcknowledged, actions);
        Assert.Contains(AuditActions.ReferralAccepted, actions);
        Assert.Contains(AuditActions.ReferralOutcomeRecorded, actions);
    }

    [Fact]
    public async Task Police_SeeOnlyConsentingCases_AndTheReportNumberTheyRecord_IsShownToTheVictim()
    {
        var unit = await AddPartnerAsync(factory, PartnerType.Police, "pohjanmaa");
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "pohjanmaa", ["WhatHappened"] = Canary });
        using (await DecideAsync(factory, filed.Id, "Police"))
        {
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Police);
        await RouteAsync(factory, referral.Id);
        var (_, officer) = await PartnerStaffAsync(factory, unit.Id, StaffRoles.Police);
        var detail = $"/partner/referrals/{referral.Id}";
        var page = await officer.GetPageAsync(detail);
        Assert.Equal(Canary, page.QuerySelector("[data-testid=narrative]")?.TextContent);
        Assert.NotNull(page.QuerySelector("[data-testid=police-evidence] [data-testid=evidence-none]"));
        Assert.Equal($"/staff/cases/{filed.Id}/bundle", page.QuerySelector("[data-testid=bundle-download]")?.GetAttribute("href"));
        Assert.Null(page.QuerySelector($"form[action='{detail}/report-number']"));
        Assert.Equal("Not yet", page.QuerySelector("[data-testid=outcome]")?.TextContent.Trim());
        Assert.Equal("Not yet", page.QuerySelector("[data-testid=report-number]")?.TextContent);
        Assert.Contains("No indicators have been read", page.QuerySelector("#police-indicators-title + p")?.TextContent, StringComparison.Ordinal);

        using (await officer.SubmitAsync(page, detail + "/acknowledge", new Dictionary<string, string?>()))
        {
        }

        page = await officer.GetPageAsync(detail);
        using (var invalid = await officer.SubmitAsync(page, detail + "/report-number", new Dictionary<string, string?> { ["number"] = "<script>" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
            Assert.Null((await ReferralAsync(factory, filed.Id, PartnerType.Police)).PoliceReportNumber);
        }

        using (var saved = await officer.SubmitAsync(page, detail + "/report-number", new Dictionary<string, string?> { ["number"] = " 5500/R/12345/26 " }))
        {
            Assert.Equal($"{detail}?done=RecordPoliceReportNumber", saved.Headers.Location?.OriginalString);
        }

        var victim = factory.CreatePortalClient();
        var open = await victim.GetPageAsync("/status/open");
        using (var opened = await victim.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = filed.Reference, ["ReceiptKey"] = filed.ReceiptKey }))
        {
            Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        }

        var status = await victim.GetPageAsync("/status");
        Assert.Equal("5500/R/12345/26", status.QuerySelector("[data-testid=police-report-number]")?.TextContent);

        // A police referral for a case without police consent (only possible by writing the
        // database directly) is still invisible to police: consent is enforced in Portal.Core.
        var noConsent = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "pohjanmaa", ["ConsentPolice"] = null, ["ConsentCounselling"] = "true" });
        var forced = await WithDbAsync(factory, async db =>
        {
            var row = new Referral { CaseId = noConsent.Id, PartnerType = PartnerType.Police, Status = ReferralStatus.Assigned, PartnerId = unit.Id };
            db.Referrals.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        using (var hidden = await officer.GetAsync($"/partner/referrals/{forced}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }

        Assert.Null((await officer.GetPageAsync("/partner/referrals")).QuerySelector($"[data-testid=referral-row][data-referral='{forced}']"));
        Assert.Equal(RoutingOutcome.ConsentMissing, await RouteAsync(factory, forced));
    }

    [Fact]
    public async Task AnUnacknowledgedReferral_IsEscalatedInTime_ToTheNextPartner_AndSupervisorsAreAlerted()
    {
        var slow = await AddPartnerAsync(factory, PartnerType.Counselling, "ahvenanmaa", capacity: 50);
        var next = await AddPartnerAsync(factory, PartnerType.Counselling, "ahvenanmaa", capacity: 5);
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "ahvenanmaa", ["ConsentCounselling"] = "true", ["WhatHappened"] = Canary });
        using (await DecideAsync(factory, filed.Id, "Counselling"))
        {
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        await RouteAsync(factory, referral.Id);
        var options = factory.Services.GetRequiredService<IOptions<RoutingOptions>>().Value;

        factory.Clock.Advance(options.AcknowledgeWithin - TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(referral.Id, await EscalateAsync());
        Assert.Equal(slow.Id, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).PartnerId);

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Contains(referral.Id, await EscalateAsync());
        var moved = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        Assert.Equal((ReferralStatus.Pending, (long?)null), (moved.Status, moved.PartnerId));
        var alert = Assert.Single(TestMailbox.Smtp.To(supervisor.Email), m => m.Subject?.Contains(filed.Reference, StringComparison.Ordinal) == true);
        Assert.Contains($"/staff/cases/{filed.Id}", alert.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, alert.Subject + alert.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(referral.Id, await EscalateAsync());

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        Assert.Equal(next.Id, (await ReferralAsync(factory, filed.Id, PartnerType.Counselling)).PartnerId);
        Assert.Equal(AssignmentEnd.TimedOut, await WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == referral.Id && a.PartnerId == slow.Id).Select(a => a.EndReason).SingleAsync()));

        // Urgent referrals are escalated much sooner.
        var urgent = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "ahvenanmaa", ["RiskSelfHarm"] = "true", ["ConsentCounselling"] = "true" });
        var crisis = await ReferralAsync(factory, urgent.Id, PartnerType.Counselling);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, crisis.Id));
        factory.Clock.Advance(options.UrgentAcknowledgeWithin + TimeSpan.FromMinutes(1));
        Assert.Contains(crisis.Id, await EscalateAsync());
    }

    [Fact]
    public async Task AnSmtpServerThatIsDown_MakesRoutingThrowForTheRetry_AndTheRetrySendsOnce()
    {
        var partner = await AddPartnerAsync(factory, PartnerType.Police, "kanta-hame");
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "kanta-hame" });
        using (await DecideAsync(factory, filed.Id, "Police"))
        {
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Police);
        var deadPort = TestMailbox.ClosedPort();

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var down = new SmtpEmailSender(Options.Create(new EmailOptions { Host = "127.0.0.1", Port = deadPort, TimeoutSeconds = 5 }), factory.Clock, NullLogger<SmtpEmailSender>.Instance);
            var handler = new RouteReferralHandler(
                services.GetRequiredService<PortalDbContext>(), down, services.GetRequiredService<EmailComposer>(), services.GetRequiredService<AuditTrail>(),
                services.GetRequiredService<IOptions<RoutingOptions>>(), factory.Clock, services.GetRequiredService<ILogger<RouteReferralHandler>>());
            await Assert.ThrowsAsync<EmailDeliveryException>(() => handler.HandleAsync(referral.Id, CancellationToken.None));
        }

        var assignment = await WithDbAsync(factory, db => db.ReferralAssignments.AsNoTracking().SingleAsync(a => a.ReferralId == referral.Id));
        Assert.Equal((partner.Id, (DateTime?)null, (DateTime?)null), (assignment.PartnerId, assignment.NotifiedAt, assignment.NotificationClaimedAt));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Contains(referral.Id, await scope.ServiceProvider.GetRequiredService<PendingReferrals>().HandleAsync(CancellationToken.None));
        }

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        Assert.Equal(RoutingOutcome.AlreadyRouted, await RouteAsync(factory, referral.Id));
        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
    }

    [Fact]
    public async Task ABatch_IsRoutedInOnePass_CountingCapacityAsItGoes_AndRoutingItAgainSendsNothing()
    {
        var small = await AddPartnerAsync(factory, PartnerType.Police, "etela-pohjanmaa", capacity: 2);
        var large = await AddPartnerAsync(factory, PartnerType.Police, "etela-pohjanmaa", capacity: 3);
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "etela-pohjanmaa" });
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
            var handler = scope.ServiceProvider.GetRequiredService<RouteReferralHandler>();
            var outcomes = await handler.HandleManyAsync([.. ids, -1], CancellationToken.None);
            Assert.Equal(5, outcomes.Count(o => o.Value == RoutingOutcome.Routed));
            Assert.Equal(RoutingOutcome.Unassigned, outcomes[ids[^1]]);
            Assert.Equal(RoutingOutcome.NotFound, outcomes[-1]);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<RouteReferralHandler>().HandleManyAsync(ids, CancellationToken.None);
            Assert.Equal(5, again.Count(o => o.Value == RoutingOutcome.AlreadyRouted));
        }

        Assert.Equal(2, TestMailbox.Smtp.To(small.ContactEmail).Count);
        Assert.Equal(3, TestMailbox.Smtp.To(large.ContactEmail).Count);
        Assert.Equal(5, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.ReferralAssigned && (e.Detail == $"partner {small.Id}" || e.Detail == $"partner {large.Id}"))));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(CancellationToken.None)).IsIntact);
        }
    }

    [Fact]
    public async Task APartnerAddressTheServerRefuses_HoldsBackNoOtherReferralOfTheBatch_AndIsTriedAgainAtOnce()
    {
        var refusing = await AddPartnerAsync(factory, PartnerType.Police, "paijat-hame");
        var refusedAddress = $"refused-{Guid.NewGuid():N}@partner.test";
        await WithDbAsync(factory, db => db.Partners.Where(p => p.Id == refusing.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.ContactEmail, refusedAddress)));
        var working = await AddPartnerAsync(factory, PartnerType.Police, "etela-karjala");
        var first = await PoliceReferralAsync("paijat-hame");
        var second = await PoliceReferralAsync("etela-karjala");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // The batch tells the engine (which retries), after sending what it could.
            var failure = await Assert.ThrowsAsync<EmailDeliveryException>(() => scope.ServiceProvider.GetRequiredService<RouteReferralHandler>().HandleManyAsync([first, second], CancellationToken.None));
            Assert.Equal(550, failure.SmtpStatus);
        }

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(working.ContactEmail));
        Assert.Empty(TestMailbox.Smtp.To(refusedAddress));
        var sent = await WithDbAsync(factory, db => db.ReferralAssignments.AsNoTracking().SingleAsync(a => a.ReferralId == second));
        Assert.NotNull(sent.NotifiedAt);

        // Assigned, not told, and its claim given back, so the retry tries it at once.
        var held = await WithDbAsync(factory, db => db.ReferralAssignments.AsNoTracking().SingleAsync(a => a.ReferralId == first));
        Assert.Equal(refusing.Id, held.PartnerId);
        Assert.Null(held.NotifiedAt);
        Assert.Null(held.NotificationClaimedAt);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await Assert.ThrowsAsync<EmailDeliveryException>(() => scope.ServiceProvider.GetRequiredService<RouteReferralHandler>().HandleManyAsync([first, second], CancellationToken.None));
        }

        Assert.Single(TestMailbox.Smtp.To(working.ContactEmail));
    }

    private async Task<long> PoliceReferralAsync(string region)
    {
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = region });
        return await WithDbAsync(factory, async db =>
        {
            var referral = ReferralRules.Create(await db.Cases.SingleAsync(c => c.Id == filed.Id), PartnerType.Police, factory.Clock.GetUtcNow().UtcDateTime);
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });
    }

    private async Task<IReadOnlyList<long>> EscalateAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EscalateReferralsHandler>().HandleAsync(CancellationToken.None);
    }

    /// <summary>A trigger that makes every insert into Referrals fail: a fault inside the decision's transaction.</summary>
    private async Task InjectReferralFailureAsync(bool install)
    {
        var sqlite = factory.ProviderName == "Sqlite";
        string[] statements = (sqlite, install) switch
        {
            (true, true) => ["CREATE TRIGGER fail_referrals BEFORE INSERT ON \"Referrals\" BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"],
            (true, false) => ["DROP TRIGGER fail_referrals;"],
            (false, true) =>
            [
                "CREATE FUNCTION fail_referrals() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;",
                "CREATE TRIGGER fail_referrals BEFORE INSERT ON \"Referrals\" FOR EACH ROW EXECUTE FUNCTION fail_referrals();",
            ],
            (false, false) => ["DROP TRIGGER fail_referrals ON \"Referrals\";", "DROP FUNCTION fail_referrals();"],
        };
        await WithDbAsync(factory, async db =>
        {
            foreach (var statement in statements)
            {
                await db.Database.ExecuteSqlRawAsync(statement);
            }

            return statements.Length;
        });
    }
}

public sealed class SqliteRoutingTests(SmtpSqlitePortalFactory factory)
    : RoutingTests<SmtpSqlitePortalFactory>(factory), IClassFixture<SmtpSqlitePortalFactory>;

public sealed class PostgresRoutingTests(SmtpPostgresPortalFactory factory)
    : RoutingTests<SmtpPostgresPortalFactory>(factory), IClassFixture<SmtpPostgresPortalFactory>;
