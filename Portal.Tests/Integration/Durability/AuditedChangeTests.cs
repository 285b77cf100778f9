using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Durability;

/// <summary>
/// A change and its audit entry commit together or not at all (issue 12): when the entry cannot
/// be written (a trigger makes every insert into the trail fail, as a full disk or a broken
/// database would), the change is not kept, the person is told nothing was saved, and the trail
/// still verifies. Once the trail accepts entries again the same action goes through, recorded once.
/// </summary>
public abstract class AuditedChangeTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    [Fact]
    public async Task Claim_WhenItsAuditEntryCannotBeWritten_IsNotKept_AndTheVolunteerIsToldNothingWasSaved()
    {
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "kainuu" });
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await volunteer.SubmitAsync(queue, $"/staff/queue/{filed.Id}/claim", new Dictionary<string, string?>());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Contains("Nothing was saved", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        var unclaimed = await WithDbAsync(factory, db => db.Cases.AsNoTracking().SingleAsync(c => c.Id == filed.Id));
        Assert.Null(unclaimed.ClaimedById);
        Assert.Equal(CaseStatus.Received, unclaimed.Status);
        Assert.Empty(await EntriesAsync(filed.Id, AuditActions.CaseClaimed));
        await AssertTrailIntactAsync();

        using (var claimed = await volunteer.SubmitAsync(queue, $"/staff/queue/{filed.Id}/claim", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        }

        Assert.NotNull(await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == filed.Id).Select(c => c.ClaimedById).SingleAsync()));
        Assert.Single(await EntriesAsync(filed.Id, AuditActions.CaseClaimed));
    }

    [Fact]
    public async Task Decision_WhenItsAuditEntryCannotBeWritten_KeepsNeitherDecisionNorReferrals()
    {
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "kainuu", ["ConsentCounselling"] = "true" });
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");
        (await volunteer.SubmitAsync(queue, $"/staff/queue/{filed.Id}/claim", new Dictionary<string, string?>())).Dispose();
        var page = await volunteer.GetPageAsync($"/staff/cases/{filed.Id}");

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await volunteer.SubmitAsync(page, $"/staff/cases/{filed.Id}/decision", new Dictionary<string, string?> { ["route"] = "PoliceAndCounselling" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        Assert.Empty(await ReferralsAsync(factory, filed.Id));
        Assert.Empty(await WithDbAsync(factory, db => db.TriageDecisions.Where(d => d.CaseId == filed.Id).ToListAsync()));
        Assert.Equal(CaseStatus.InTriage, await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == filed.Id).Select(c => c.Status).SingleAsync()));
        Assert.Empty(await EntriesAsync(filed.Id, AuditActions.TriageDecided));
        await AssertTrailIntactAsync();

        // Nothing was kept, so the claim still holds and the same decision goes through now.
        using (var decided = await volunteer.SubmitAsync(page, $"/staff/cases/{filed.Id}/decision", new Dictionary<string, string?> { ["route"] = "PoliceAndCounselling" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        Assert.Equal(2, (await ReferralsAsync(factory, filed.Id)).Count);
        Assert.Equal("Decided", Assert.Single(await EntriesAsync(filed.Id, AuditActions.TriageDecided)).Detail);
    }

    [Fact]
    public async Task Routing_WhenItsAuditEntriesCannotBeWritten_AssignsNothing_NotifiesNobody_AndFailsForTheRetry()
    {
        var partner = await AddPartnerAsync(factory, PartnerType.Counselling, "lappi");
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "lappi", ["ConsentCounselling"] = "true" });
        using (var decided = await DecideAsync(factory, filed.Id, "Counselling"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            // Not mistaken for a run that lost a race: the job sees the failure and retries.
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => RouteAsync(factory, referral.Id));
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        var waiting = await ReferralAsync(factory, filed.Id, PartnerType.Counselling);
        Assert.Equal(ReferralStatus.Pending, waiting.Status);
        Assert.Null(waiting.PartnerId);
        Assert.Empty(await WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == referral.Id).ToListAsync()));
        Assert.Empty(TestMailbox.Smtp.To(partner.ContactEmail));
        Assert.Empty(await EntriesAsync(filed.Id, AuditActions.ReferralAssigned));
        await AssertTrailIntactAsync();

        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        Assert.Single(await EntriesAsync(filed.Id, AuditActions.ReferralAssigned));
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail));
    }

    [Fact]
    public async Task TwoFactorEnrolment_WhenItsAuditEntryCannotBeWritten_IsNotTurnedOn_AndGivesNoRecoveryCodes()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer, twoFactor: false);
        var client = factory.CreatePortalClient();
        var signIn = await client.GetPageAsync("/account/sign-in");
        (await client.SubmitAsync(signIn, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = account.Email, ["Password"] = StaffAccounts.Password })).Dispose();
        var enrol = await client.GetPageAsync("/account/two-factor");
        var userId = await WithDbAsync(factory, db => db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync());

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await client.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        Assert.False(await WithDbAsync(factory, db => db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Empty(await WithDbAsync(factory, db => db.UserTokens.Where(t => t.UserId == userId && t.Name == "RecoveryCodes").ToListAsync()));
        Assert.Empty(await StaffEntriesAsync(userId, AuditActions.TwoFactorEnabled));
        await AssertTrailIntactAsync();

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        using (var enabled = await client.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) }))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        Assert.True(await WithDbAsync(factory, db => db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Single(await StaffEntriesAsync(userId, AuditActions.TwoFactorEnabled));
    }

    [Fact]
    public async Task NewRecoveryCodes_WhenTheirAuditEntryCannotBeWritten_LeaveTheOldOnesWorking()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        string userId;
        List<string> old;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(account.Email) ?? throw new InvalidOperationException("no account");
            userId = user.Id;
            old = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        }

        var client = await StaffAccounts.SignInAsync(factory, account);
        var page = await client.GetPageAsync("/account/two-factor");
        factory.Clock.Advance(TimeSpan.FromSeconds(30));

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await client.SubmitAsync(page, "/account/two-factor/recovery-codes", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        Assert.Empty(await StaffEntriesAsync(userId, AuditActions.RecoveryCodesReplaced));
        await AssertTrailIntactAsync();
        using (var oldCode = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: old[0]))
        {
            Assert.Equal(HttpStatusCode.Redirect, oldCode.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        using (var replaced = await client.SubmitAsync(page, "/account/two-factor/recovery-codes", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }

        Assert.Single(await StaffEntriesAsync(userId, AuditActions.RecoveryCodesReplaced));
    }

    [Fact]
    public async Task SignOut_WhenItsAuditEntryCannotBeWritten_EndsOnlyThisBrowser_SaysSo_AndCanBeDoneAgain()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var office = await StaffAccounts.SignInAsync(factory, account, stepOffset: -1);
        var laptop = await StaffAccounts.SignInAsync(factory, account);
        var userId = await WithDbAsync(factory, db => db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync());
        var stamp = await WithDbAsync(factory, db => db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync());
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var page = await laptop.GetPageAsync("/staff");

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await laptop.SubmitAsync(page, "/account/sign-out", new Dictionary<string, string?>());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Contains("other session", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        // The stamp is as it was and nothing is in the trail: the sign-out did not happen on the server...
        Assert.Equal(stamp, await WithDbAsync(factory, db => db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync()));
        Assert.Empty(await StaffEntriesAsync(userId, AuditActions.StaffSignOut));
        await AssertTrailIntactAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        using (var stillOpen = await office.GetAsync("/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.OK, stillOpen.StatusCode);
        }

        // ...but this browser no longer has its session.
        using (var here = await laptop.GetAsync("/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.Redirect, here.StatusCode);
            Assert.Contains("/account/sign-in", here.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // Signing out again, now that the trail takes entries, ends every session and is recorded once.
        var officePage = await office.GetPageAsync("/staff");
        using (var signedOut = await office.SubmitAsync(officePage, "/account/sign-out", new Dictionary<string, string?>()))
        {
            Assert.Equal("/", signedOut.Headers.Location?.OriginalString);
        }

        Assert.Single(await StaffEntriesAsync(userId, AuditActions.StaffSignOut));
        Assert.NotEqual(stamp, await WithDbAsync(factory, db => db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync()));
    }

    [Fact]
    public async Task CreatingAnAdmin_WhenItsAuditEntryCannotBeWritten_LeavesNoAccount()
    {
        var email = $"first-admin-{Guid.NewGuid():N}@portal.test";

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => Portal.Web.Cli.PortalCommands.CreateAdminAsync(factory.Services, email, "First Admin", StaffAccounts.Password));
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        Assert.False(await WithDbAsync(factory, db => db.Users.AnyAsync(u => u.Email == email)));
        await AssertTrailIntactAsync();

        var created = await Portal.Web.Cli.PortalCommands.CreateAdminAsync(factory.Services, email, "First Admin", StaffAccounts.Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        var userId = await WithDbAsync(factory, db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        Assert.Single(await WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == userId && e.Action == AuditActions.AdminCreated).ToListAsync()));

        // Refused by Identity (a password it does not accept): nothing is left either.
        var weak = await Portal.Web.Cli.PortalCommands.CreateAdminAsync(factory.Services, "second-" + email, "Second Admin", "short");
        Assert.False(weak.Succeeded);
        Assert.False(await WithDbAsync(factory, db => db.Users.AnyAsync(u => u.Email == "second-" + email)));
    }

    [Fact]
    public async Task DisablingAnAccount_WhenItsAuditEntryCannotBeWritten_LeavesItEnabled()
    {
        var member = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var memberId = await WithDbAsync(factory, db => db.Users.Where(u => u.Email == member.Email).Select(u => u.Id).SingleAsync());
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var users = await admin.GetPageAsync("/staff/users");
        var disable = users.QuerySelectorAll("[data-testid=user-row]").Single(r => r.GetAttribute("data-email") == member.Email).QuerySelector("form[action$='/disable']")?.GetAttribute("action") ?? "";

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await admin.SubmitAsync(users, disable, new Dictionary<string, string?>());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        Assert.Null(await WithDbAsync(factory, db => db.Users.Where(u => u.Id == memberId).Select(u => u.LockoutEnd).SingleAsync()));
        Assert.Empty(await WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == memberId && e.Action == AuditActions.UserDisabled).ToListAsync()));
        await AssertTrailIntactAsync();

        using (var disabled = await admin.SubmitAsync(users, disable, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        }

        Assert.NotNull(await WithDbAsync(factory, db => db.Users.Where(u => u.Id == memberId).Select(u => u.LockoutEnd).SingleAsync()));
        Assert.Single(await WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == memberId && e.Action == AuditActions.UserDisabled).ToListAsync()));
    }

    [Fact]
    public async Task ConfirmingDetailsFromAnEmail_WhenItsAuditEntryCannotBeWritten_LeavesTheReportAsItWas()
    {
        var answers = ReportAnswers.Valid();
        answers["AmountDemanded"] = "";
        answers["Currency"] = "";
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "demand.eml", "message/rfc822", System.Text.Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay 500 EUR within 24 hours."))))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        await EvidenceUploads.AnalysePendingAsync(factory);
        var page = await EvidenceUploads.PageAsync(client);
        Assert.NotNull(page.QuerySelector("[data-testid=suggestion]"));
        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        var caseId = await WithDbAsync(factory, db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await client.SubmitAsync(page, "/status/evidence/confirm", new Dictionary<string, string?>());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        var unchanged = await WithDbAsync(factory, db => db.Cases.AsNoTracking().SingleAsync(c => c.Id == caseId));
        Assert.Null(unchanged.AmountDemanded);
        Assert.Null(unchanged.DetailsAnsweredFor);
        Assert.Empty(await EntriesAsync(caseId, AuditActions.ReportDetailsConfirmed));
        Assert.NotNull((await EvidenceUploads.PageAsync(client)).QuerySelector("[data-testid=suggestion]"));
        await AssertTrailIntactAsync();

        using (var confirmed = await client.SubmitAsync(page, "/status/evidence/confirm", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        }

        Assert.Equal(500m, await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == caseId).Select(c => c.AmountDemanded).SingleAsync()));
        Assert.Single(await EntriesAsync(caseId, AuditActions.ReportDetailsConfirmed));
    }

    [Fact]
    public async Task Retention_WhenItsAuditEntryCannotBeWritten_KeepsTheCaseWithItsEvidenceFiles_AndTheRetryRemovesBoth()
    {
        var before = await WithDbAsync(factory, db => db.Cases.Select(c => c.Id).ToListAsync());
        var (victim, token) = await EvidenceUploads.NewCaseAsync(factory, ReportAnswers.Valid("my therapy notes were stolen"));
        using (victim)
        using (var uploaded = await EvidenceUploads.UploadAsync(victim, token, "ransom.eml", "message/rfc822", System.Text.Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail())))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        var caseId = await WithDbAsync(factory, db => db.Cases.Where(c => !before.Contains(c.Id)).Select(c => c.Id).SingleAsync());
        var fileId = await WithDbAsync(factory, db => db.EvidenceFiles.Where(e => e.CaseId == caseId).Select(e => e.Id).SingleAsync());
        var longAgo = factory.Clock.GetUtcNow().UtcDateTime.AddDays(-400);
        await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == caseId)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.Status, CaseStatus.Closed).SetProperty(x => x.UpdatedAt, longAgo)));
        var store = factory.Services.GetRequiredService<Portal.Core.Features.Evidence.IEvidenceStore>();

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            await Assert.ThrowsAnyAsync<DbUpdateException>(RetainAsync);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        // Nothing was retained, so the case's evidence row still stands, and so must its file:
        // a row without its file is what a tampered store looks like (a false alarm on the next
        // bundle or opening).
        Assert.Null(await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == caseId).Select(c => c.RetainedAt).SingleAsync()));
        Assert.True(await WithDbAsync(factory, db => db.EvidenceFiles.AnyAsync(e => e.Id == fileId)));
        Assert.True(store.Exists(fileId), "the evidence file was deleted though its row and the case's content were kept");
        Assert.Empty(await EntriesAsync(caseId, AuditActions.CaseRetained));
        await AssertTrailIntactAsync();

        await RetainAsync();
        Assert.NotNull(await WithDbAsync(factory, db => db.Cases.Where(c => c.Id == caseId).Select(c => c.RetainedAt).SingleAsync()));
        Assert.False(await WithDbAsync(factory, db => db.EvidenceFiles.AnyAsync(e => e.Id == fileId)));
        Assert.False(store.Exists(fileId));
        Assert.Single(await EntriesAsync(caseId, AuditActions.CaseRetained));

        async Task RetainAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Retention.ApplyRetentionHandler>().HandleAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Invitation_WhenItsAuditEntryCannotBeWritten_LeavesNoLinkThatWorks_UntilAResendIsRecorded()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = $"invitee-{Guid.NewGuid():N}@test.example";
        var page = await admin.GetPageAsync("/staff/invitations");

        await RefuseAuditEntriesAsync(refuse: true);
        try
        {
            using var failed = await admin.SubmitAsync(page, "/staff/invitations", new Dictionary<string, string?> { ["Email"] = recipient, ["Roles"] = StaffRoles.Supervisor, ["Language"] = "en" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }
        finally
        {
            await RefuseAuditEntriesAsync(refuse: false);
        }

        // The email went before its entry failed: its link must not open a supervisor's account
        // that the trail never saw granted.
        var link = InvitationLinkIn(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient)).TextBody);
        using (var opened = await factory.CreatePortalClient().GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.NotFound, opened.StatusCode);
        }

        var normalized = recipient.ToUpperInvariant();
        var invitationId = await WithDbAsync(factory, db => db.StaffInvitations.Where(i => i.NormalizedEmail == normalized).Select(i => i.Id).SingleAsync());
        Assert.Empty(await WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == invitationId.ToString()).ToListAsync()));
        await AssertTrailIntactAsync();

        // The admins' list shows it not sent yet; a resend is recorded and its link works.
        var list = await admin.GetPageAsync("/staff/invitations");
        var row = list.QuerySelectorAll("[data-testid=invitation-row]").Single(r => r.GetAttribute("data-email") == recipient);
        using (var resent = await admin.SubmitAsync(list, row.QuerySelector("form[action$='/resend']")?.GetAttribute("action") ?? "", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, resent.StatusCode);
        }

        var newLink = InvitationLinkIn((await TestMailbox.Smtp.WaitForAsync(recipient, count: 2)).Select(m => m.TextBody).Single(body => !(body ?? "").Contains(link, StringComparison.Ordinal)));
        using (var works = await factory.CreatePortalClient().GetAsync(newLink))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        Assert.Single(await WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == invitationId.ToString() && e.Action == AuditActions.InvitationResent).ToListAsync()));
    }

    private static string InvitationLinkIn(string? body)
    {
        var match = System.Text.RegularExpressions.Regex.Match(body ?? "", @"https?://[^/\s]+(?<path>/account/invitation\?token=[A-Za-z0-9_-]+)");
        Assert.True(match.Success, "the email has no invitation link");
        return match.Groups["path"].Value;
    }

    private Task<List<AuditEntry>> StaffEntriesAsync(string actorId, string action) =>
        WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.ActorId == actorId && e.Action == action).ToListAsync());

    private Task<List<AuditEntry>> EntriesAsync(Guid caseId, string action) =>
        WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.CaseId == caseId && e.Action == action).ToListAsync());

    private async Task AssertTrailIntactAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var verification = await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(CancellationToken.None);
        Assert.True(verification.IsIntact, verification.Problem);
    }

    /// <summary>A trigger that makes every insert into the audit trail fail, inside whatever transaction appends.</summary>
    private async Task RefuseAuditEntriesAsync(bool refuse)
    {
        string[] statements = (factory.ProviderName == "Sqlite", refuse) switch
        {
            (true, true) => ["CREATE TRIGGER refuse_audit BEFORE INSERT ON \"AuditEntries\" BEGIN SELECT RAISE(ABORT, 'audit refused'); END;"],
            (true, false) => ["DROP TRIGGER refuse_audit;"],
            (false, true) =>
            [
                "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;",
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON \"AuditEntries\" FOR EACH ROW EXECUTE FUNCTION refuse_audit();",
            ],
            (false, false) => ["DROP TRIGGER refuse_audit ON \"AuditEntries\";", "DROP FUNCTION refuse_audit();"],
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

public sealed class SqliteAuditedChangeTests(SmtpSqlitePortalFactory factory) : AuditedChangeTests<SmtpSqlitePortalFactory>(factory);

public sealed class PostgresAuditedChangeTests(SmtpPostgresPortalFactory factory) : AuditedChangeTests<SmtpPostgresPortalFactory>(factory);
