using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>
/// Admins invite staff by email through the real pages; the invitation is delivered by a real
/// SMTP server and accepted through the link read out of the delivered mail.
/// </summary>
public abstract partial class InvitationTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const string InvalidLinkText = "This invitation link is not valid.";

    [Fact]
    public async Task Invitation_IsEmailed_AcceptedOnce_ThenTheMemberEnrolsTwoFactorAndSignsIn()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = Recipient();
        var expires = (factory.Clock.GetUtcNow() + TimeSpan.FromHours(72)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC";

        using (var sent = await InviteAsync(admin, recipient, StaffRoles.Volunteer, "sv"))
        {
            Assert.Equal("/staff/invitations?message=sent", sent.Headers.Location?.OriginalString);
        }

        var list = await admin.GetPageAsync("/staff/invitations?message=sent");
        Assert.Equal("The invitation was sent.", list.QuerySelector("[data-testid=invitation-message]")?.TextContent.Trim());
        Assert.Equal("Sent", Row(list, recipient)?.QuerySelector("[data-testid=delivery]")?.TextContent.Trim());

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient));
        Assert.Equal("Du är inbjuden till stödportalen för brottsoffer", mail.Subject);
        Assert.Contains(expires, mail.TextBody, StringComparison.Ordinal);
        var link = LinkIn(mail.TextBody);
        var token = link["/account/invitation?token=".Length..];
        Assert.Equal(43, token.Length);

        // Opening the link shows a form and changes nothing.
        var invitee = factory.CreatePortalClient();
        var form = await invitee.GetPageAsync(link);
        Assert.Equal(recipient, form.QuerySelector("#Email")?.GetAttribute("value"));
        var second = factory.CreatePortalClient();
        var secondForm = await second.GetPageAsync(link);
        Assert.Null((await InvitationAsync(recipient)).AcceptedAt);

        using (var weak = await invitee.SubmitAsync(form, "/account/invitation", Answers("Sam Volunteer", "short")))
        {
            Assert.Equal((HttpStatusCode)422, weak.StatusCode);
            var error = (await HtmlForms.ParseAsync(weak)).QuerySelector("#Password-error")?.TextContent;
            Assert.Contains("at least 12 characters", error, StringComparison.Ordinal);
            Assert.Contains("upper-case letter", error, StringComparison.Ordinal);
        }

        // A direction override would turn the address shown beside the name round in staff lists.
        foreach (var spoof in new[] { "Sam \u202Emoc.elpmaxe@nimda", "Sam\u200BVolunteer" })
        {
            using var refused = await invitee.SubmitAsync(form, "/account/invitation", Answers(spoof, StaffAccounts.Password));
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            Assert.Equal("Names cannot contain invisible or text-direction characters.", (await HtmlForms.ParseAsync(refused)).QuerySelector("#Name-error")?.TextContent);
        }

        Assert.Null((await InvitationAsync(recipient)).AcceptedAt);
        Assert.Null(await UserAsync(recipient));

        using (var accepted = await invitee.SubmitAsync(form, "/account/invitation", Answers("Sam Volunteer", StaffAccounts.Password)))
        {
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
            Assert.Equal("/account/two-factor", accepted.Headers.Location?.OriginalString);
        }

        var user = await UserAsync(recipient) ?? throw new InvalidOperationException("no account was created");
        Assert.Equal("Sam Volunteer", user.DisplayName);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal([StaffRoles.Volunteer], await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().GetRolesAsync(user));
        }

        // Signed in, but no staff page opens before two-factor sign-in is set up.
        using (var beforeEnrolment = await invitee.GetAsync("/staff/queue"))
        {
            Assert.Equal("/account/two-factor", beforeEnrolment.Headers.Location?.OriginalString);
        }

        var enrol = await invitee.GetPageAsync("/account/two-factor");
        var account = new StaffAccount(recipient, (enrol.QuerySelector("[data-testid=shared-key]")?.TextContent ?? "").Replace(" ", "", StringComparison.Ordinal));
        using (var enrolled = await invitee.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) }))
        {
            Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        }

        using (var queue = await (await StaffAccounts.SignInAsync(factory, account, stepOffset: 1)).GetAsync("/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        // The link is spent: it opens nothing and creates nothing, with the one generic answer.
        using (var again = await factory.CreatePortalClient().GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Contains(InvalidLinkText, (await HtmlForms.ParseAsync(again)).QuerySelector("[data-testid=invitation-invalid]")?.TextContent, StringComparison.Ordinal);
        }

        using (var replay = await second.SubmitAsync(secondForm, "/account/invitation", Answers("Someone Else", "Another-Password-2026")))
        {
            Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
            Assert.Contains(InvalidLinkText, (await HtmlForms.ParseAsync(replay)).QuerySelector("[data-testid=invitation-invalid]")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Equal("Sam Volunteer", (await UserAsync(recipient))?.DisplayName);
        Assert.Null(Row(await admin.GetPageAsync("/staff/invitations"), recipient));

        var invitation = await InvitationAsync(recipient);
        Assert.Equal(user.Id, invitation.AcceptedUserId);
        var audit = await AuditAsync(invitation.Id);
        var sentEntry = Assert.Single(audit, e => e.Action == AuditActions.InvitationSent);
        Assert.Equal(PortalFactory.ClientAddress.ToString(), sentEntry.IpAddress);
        Assert.Equal("delivered; roles=Volunteer", sentEntry.Detail);
        var acceptedEntry = Assert.Single(audit, e => e.Action == AuditActions.InvitationAccepted);
        Assert.Equal(user.Id, acceptedEntry.ActorId);
        Assert.Equal(PortalFactory.ClientAddress.ToString(), acceptedEntry.IpAddress);
        await AssertTokenNowhereAsync(token);
    }

    [Fact]
    public async Task ExpiredLink_IsRefused_ResendGivesANewLink_AndTheOldOneStaysDead()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = Recipient();
        (await InviteAsync(admin, recipient, StaffRoles.Supervisor)).Dispose();
        var oldLink = LinkIn(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient)).TextBody);
        var invitee = factory.CreatePortalClient();
        var form = await invitee.GetPageAsync(oldLink);

        factory.Clock.Advance(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));

        using (var expired = await invitee.SubmitAsync(form, "/account/invitation", Answers("Late Supervisor", StaffAccounts.Password)))
        {
            Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
            Assert.Contains(InvalidLinkText, (await HtmlForms.ParseAsync(expired)).QuerySelector("[data-testid=invitation-invalid]")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Null(await UserAsync(recipient));
        admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var list = await admin.GetPageAsync("/staff/invitations");
        var row = Row(list, recipient) ?? throw new InvalidOperationException("the expired invitation is not listed");
        Assert.NotNull(row.QuerySelector("[data-testid=expired]"));

        using (var resent = await admin.SubmitAsync(list, row.QuerySelector("form[action$='/resend']")?.GetAttribute("action") ?? "", new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/invitations?message=resent", resent.Headers.Location?.OriginalString);
        }

        // Both mails carry a link of their own (the mailbox orders by Date, which has whole seconds).
        var links = (await TestMailbox.Smtp.WaitForAsync(recipient, 2)).Select(m => LinkIn(m.TextBody)).ToList();
        Assert.Contains(oldLink, links);
        var newLink = Assert.Single(links, l => l != oldLink);
        using (var old = await invitee.GetAsync(oldLink))
        {
            Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        }

        var newForm = await invitee.GetPageAsync(newLink);
        using (var accepted = await invitee.SubmitAsync(newForm, "/account/invitation", Answers("Late Supervisor", StaffAccounts.Password)))
        {
            Assert.Equal("/account/two-factor", accepted.Headers.Location?.OriginalString);
        }

        var invitation = await InvitationAsync(recipient);
        Assert.Single(await AuditAsync(invitation.Id), e => e.Action == AuditActions.InvitationResent);
    }

    [Fact]
    public async Task RevokedLink_IsRefused_AndLeavesThePendingList()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = Recipient();
        (await InviteAsync(admin, recipient, StaffRoles.Volunteer)).Dispose();
        var link = LinkIn(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient)).TextBody);

        var list = await admin.GetPageAsync("/staff/invitations");
        var revokeAction = Row(list, recipient)?.QuerySelector("form[action$='/revoke']")?.GetAttribute("action") ?? "";
        using (var revoked = await admin.SubmitAsync(list, revokeAction, new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/invitations?message=revoked", revoked.Headers.Location?.OriginalString);
        }

        Assert.Null(Row(await admin.GetPageAsync("/staff/invitations"), recipient));
        using (var opened = await factory.CreatePortalClient().GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.NotFound, opened.StatusCode);
            Assert.Contains(InvalidLinkText, (await HtmlForms.ParseAsync(opened)).QuerySelector("[data-testid=invitation-invalid]")?.TextContent, StringComparison.Ordinal);
        }

        // A second revoke (another admin's stale page) says it was already settled and changes nothing.
        using (var twice = await admin.SubmitAsync(list, revokeAction, new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/invitations?message=closed", twice.Headers.Location?.OriginalString);
        }

        var invitation = await InvitationAsync(recipient);
        Assert.NotNull(invitation.RevokedAt);
        Assert.Null(await UserAsync(recipient));
        Assert.Single(await AuditAsync(invitation.Id), e => e.Action == AuditActions.InvitationRevoked);
    }

    [Fact]
    public async Task InvitingAgain_AfterExpiryOrRevocation_RenewsTheOneListedInvitation_AndTheAuditTrailKeepsEachRound()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = Recipient();
        (await InviteAsync(admin, recipient, StaffRoles.Volunteer)).Dispose();
        var firstLink = LinkIn(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient)).TextBody);
        var first = await InvitationAsync(recipient);

        factory.Clock.Advance(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));
        admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        Assert.NotNull(Row(await admin.GetPageAsync("/staff/invitations"), recipient)?.QuerySelector("[data-testid=expired]"));
        using (var afterExpiry = await InviteAsync(admin, recipient, StaffRoles.Supervisor, "fi"))
        {
            Assert.Equal("/staff/invitations?message=sent", afterExpiry.Headers.Location?.OriginalString);
        }

        var list = await admin.GetPageAsync("/staff/invitations");
        var row = Assert.Single(list.QuerySelectorAll("[data-testid=invitation-row]"), r => r.GetAttribute("data-email") == recipient);
        Assert.Null(row.QuerySelector("[data-testid=expired]"));
        Assert.Equal(StaffRoles.Supervisor, row.QuerySelector("td")?.TextContent.Trim());
        var renewed = await InvitationAsync(recipient);
        Assert.Equal(first.Id, renewed.Id);
        Assert.Equal("fi", renewed.Language);
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromHours(72), renewed.ExpiresAt);

        using (var revoked = await admin.SubmitAsync(list, row.QuerySelector("form[action$='/revoke']")?.GetAttribute("action") ?? "", new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/invitations?message=revoked", revoked.Headers.Location?.OriginalString);
        }

        using (var afterRevocation = await InviteAsync(admin, recipient, StaffRoles.Volunteer))
        {
            Assert.Equal("/staff/invitations?message=sent", afterRevocation.Headers.Location?.OriginalString);
        }

        // While that invitation is live, inviting the address again is still refused.
        using (var whilePending = await InviteAsync(admin, recipient, StaffRoles.Admin))
        {
            Assert.Equal(HttpStatusCode.Conflict, whilePending.StatusCode);
            Assert.Contains("already has a pending invitation", (await HtmlForms.ParseAsync(whilePending)).QuerySelector("#Email-error")?.TextContent, StringComparison.Ordinal);
        }

        row = Assert.Single((await admin.GetPageAsync("/staff/invitations")).QuerySelectorAll("[data-testid=invitation-row]"), r => r.GetAttribute("data-email") == recipient);
        Assert.Equal(StaffRoles.Volunteer, row.QuerySelector("td")?.TextContent.Trim());
        var current = await InvitationAsync(recipient);
        Assert.Equal(first.Id, current.Id);
        Assert.Null(current.RevokedAt);

        // Each round mailed a link of its own; only the last one opens.
        var links = (await TestMailbox.Smtp.WaitForAsync(recipient, 3)).Select(m => LinkIn(m.TextBody)).ToList();
        Assert.Equal(3, links.Distinct(StringComparer.Ordinal).Count());
        var invitee = factory.CreatePortalClient();
        var opened = new List<string>();
        foreach (var link in links)
        {
            using var response = await invitee.GetAsync(link);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                opened.Add(link);
            }
        }

        var lastLink = Assert.Single(opened);
        Assert.NotEqual(firstLink, lastLink);
        using (var accepted = await invitee.SubmitAsync(await invitee.GetPageAsync(lastLink), "/account/invitation", Answers("Third Time", StaffAccounts.Password)))
        {
            Assert.Equal("/account/two-factor", accepted.Headers.Location?.OriginalString);
        }

        var user = await UserAsync(recipient) ?? throw new InvalidOperationException("no account was created");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal([StaffRoles.Volunteer], await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().GetRolesAsync(user));
        }

        var audit = (await AuditAsync(first.Id)).OrderBy(e => e.Id).ToList();
        Assert.Equal(
            [AuditActions.InvitationSent, AuditActions.InvitationSent, AuditActions.InvitationRevoked, AuditActions.InvitationSent, AuditActions.InvitationAccepted],
            audit.Select(e => e.Action));
        Assert.Equal(
            ["delivered; roles=Volunteer", "delivered; roles=Supervisor", "delivered; roles=Volunteer"],
            audit.Where(e => e.Action == AuditActions.InvitationSent).Select(e => e.Detail));
    }

    [Fact]
    public async Task ParallelAccepts_OfOneLink_CreateOneAccount()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = Recipient();
        (await InviteAsync(admin, recipient, StaffRoles.Volunteer)).Dispose();
        var link = LinkIn(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient)).TextBody);

        // Each browser opened the link first; then all submit at once.
        var browsers = new List<(HttpClient Client, IDocument Form)>();
        for (var i = 0; i < 8; i++)
        {
            var client = factory.CreatePortalClient();
            browsers.Add((client, await client.GetPageAsync(link)));
        }

        var responses = await Task.WhenAll(browsers.Select((b, i) => b.Client.SubmitAsync(b.Form, "/account/invitation", Answers($"Racer {i}", StaffAccounts.Password))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.OriginalString == "/account/two-factor");
        var statuses = string.Join(", ", responses.Select(r => (int)r.StatusCode));
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.NotFound) == 7, "every other accept gets the generic answer: " + statuses);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var normalized = recipient.ToUpperInvariant();
        var accounts = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).ToListAsync();
        var only = Assert.Single(accounts);
        Assert.Equal(only.Id, (await InvitationAsync(recipient)).AcceptedUserId);
        Assert.Single(await AuditAsync((await InvitationAsync(recipient)).Id), e => e.Action == AuditActions.InvitationAccepted);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task InvitingAnExistingAccount_OrAPendingAddress_GetsAClearMessage_AndBadInputStoresNothing()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var existing = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);

        using (var refused = await InviteAsync(admin, existing.Email.ToUpperInvariant(), StaffRoles.Volunteer))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("already has a staff account", (await HtmlForms.ParseAsync(refused)).QuerySelector("#Email-error")?.TextContent, StringComparison.Ordinal);
        }

        var recipient = Recipient();
        (await InviteAsync(admin, recipient, StaffRoles.Volunteer)).Dispose();
        using (var twice = await InviteAsync(admin, recipient, StaffRoles.Supervisor))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
            Assert.Contains("already has a pending invitation", (await HtmlForms.ParseAsync(twice)).QuerySelector("#Email-error")?.TextContent, StringComparison.Ordinal);
        }

        // An account made for the address some other way after the invitation: accepting says so and uses nothing up.
        var link = LinkIn(Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient)).TextBody);
        await using (var elsewhere = factory.Services.CreateAsyncScope())
        {
            var created = await elsewhere.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().CreateAsync(new StaffUser { UserName = recipient, Email = recipient, DisplayName = "Made elsewhere" }, StaffAccounts.Password);
            Assert.True(created.Succeeded);
        }

        var invitee = factory.CreatePortalClient();
        using (var clash = await invitee.SubmitAsync(await invitee.GetPageAsync(link), "/account/invitation", Answers("Late Invitee", StaffAccounts.Password)))
        {
            Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
            Assert.Contains("already exists", (await HtmlForms.ParseAsync(clash)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Null((await InvitationAsync(recipient)).AcceptedAt);

        var page = await admin.GetPageAsync("/staff/invitations");
        using (var noRole = await admin.SubmitAsync(page, "/staff/invitations", new Dictionary<string, string?> { ["Email"] = "nobody@test.example", ["Language"] = "en" }))
        {
            Assert.Equal((HttpStatusCode)422, noRole.StatusCode);
            Assert.Equal("Choose at least one role.", (await HtmlForms.ParseAsync(noRole)).QuerySelector("#Roles-error")?.TextContent.Trim());
        }

        using (var badAddress = await InviteAsync(admin, "not an address <x@y>", StaffRoles.Volunteer))
        {
            Assert.Equal((HttpStatusCode)422, badAddress.StatusCode);
            Assert.StartsWith("Enter a valid email address", (await HtmlForms.ParseAsync(badAddress)).QuerySelector("#Email-error")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var normalizedExisting = existing.Email.ToUpperInvariant();
        Assert.False(await db.StaffInvitations.AnyAsync(i => i.NormalizedEmail == normalizedExisting || i.NormalizedEmail == "NOBODY@TEST.EXAMPLE"));
        var normalized = recipient.ToUpperInvariant();
        Assert.Equal(1, await db.StaffInvitations.CountAsync(i => i.NormalizedEmail == normalized));
    }

    [Fact]
    public async Task InvitationPages_AreForAdminsOnly()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        using (var denied = await supervisor.GetAsync("/staff/invitations"))
        {
            Assert.Contains("/account/denied", denied.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        using var anonymous = await factory.CreatePortalClient().GetAsync("/staff/invitations");
        Assert.Contains("/account/sign-in", anonymous.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownLink_GetsTheSameGenericMessage_InFinnishToo()
    {
        var client = factory.CreatePortalClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fi");

        using var response = await client.GetAsync("/account/invitation?token=" + new string('A', 43));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("Tämä kutsulinkki ei ole voimassa.", (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=invitation-invalid]")?.TextContent, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> InviteAsync(HttpClient admin, string email, string role, string language = "en")
    {
        var page = await admin.GetPageAsync("/staff/invitations");
        return await admin.SubmitAsync(page, "/staff/invitations", new Dictionary<string, string?> { ["Email"] = email, ["Roles"] = role, ["Language"] = language });
    }

    private static Dictionary<string, string?> Answers(string name, string password) =>
        new() { ["Name"] = name, ["Password"] = password, ["ConfirmPassword"] = password };

    private static string Recipient() => $"invitee-{Guid.NewGuid():N}@test.example";

    private static IElement? Row(IDocument page, string email) =>
        page.QuerySelectorAll("[data-testid=invitation-row]").SingleOrDefault(r => r.GetAttribute("data-email") == email);

    /// <summary>The site-relative path of the invitation link in a mail body.</summary>
    private static string LinkIn(string body)
    {
        var match = InvitationLink().Match(body);
        Assert.True(match.Success, "the email has no invitation link:\n" + body);
        return match.Groups["path"].Value;
    }

    private async Task<StaffInvitation> InvitationAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var normalized = email.ToUpperInvariant();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().StaffInvitations.AsNoTracking().SingleAsync(i => i.NormalizedEmail == normalized);
    }

    private async Task<StaffUser?> UserAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
    }

    private async Task<List<AuditEntry>> AuditAsync(Guid invitationId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var subject = invitationId.ToString();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking().Where(e => e.Subject == subject).ToListAsync();
    }

    /// <summary>The token lives in the email only: not in the database, the audit trail or the logs.</summary>
    private async Task AssertTokenNowhereAsync(string token)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False(await db.AuditEntries.AnyAsync(e => (e.Subject != null && e.Subject.Contains(token)) || (e.Detail != null && e.Detail.Contains(token))));
        var stored = await db.StaffInvitations.AsNoTracking().Where(i => i.AcceptedAt != null).Select(i => i.TokenHash).ToListAsync();
        Assert.Contains(stored, hash => hash.AsSpan().SequenceEqual(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))));
        var logged = factory.Logs.Lines.Where(line => line.Contains(token, StringComparison.Ordinal)).ToList();
        Assert.True(logged.Count == 0, "the token was logged:\n" + string.Join("\n", logged));
    }

    [GeneratedRegex(@"https?://[^/\s]+(?<path>/account/invitation\?token=[A-Za-z0-9_-]+)")]
    private static partial Regex InvitationLink();
}

public sealed class SmtpInvitationSqliteFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.SmtpSettings;
}

public sealed class SmtpInvitationPostgresFactory : PostgresPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.SmtpSettings;
}

public sealed class SqliteInvitationTests(SmtpInvitationSqliteFactory factory) : InvitationTests<SmtpInvitationSqliteFactory>(factory);

public sealed class PostgresInvitationTests(SmtpInvitationPostgresFactory factory) : InvitationTests<SmtpInvitationPostgresFactory>(factory);

/// <summary>The mail server is down: the invitation is kept, the admin is told, and a resend delivers it once the server is back.</summary>
public sealed class InvitationWithSmtpDownTests(InvitationWithSmtpDownTests.Factory factory) : IClassFixture<InvitationWithSmtpDownTests.Factory>
{
    public sealed class Factory : SqlitePortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.DownSettings(TestMailbox.ClosedPort());
    }

    [Fact]
    public async Task SmtpDown_KeepsTheInvitationPending_SaysSoClearly_AndAResendDeliversItLater()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var recipient = $"invitee-{Guid.NewGuid():N}@test.example";
        var page = await admin.GetPageAsync("/staff/invitations");
        using (var invited = await admin.SubmitAsync(page, "/staff/invitations", new Dictionary<string, string?> { ["Email"] = recipient, ["Roles"] = StaffRoles.Volunteer, ["Language"] = "en" }))
        {
            Assert.Equal("/staff/invitations?message=undelivered", invited.Headers.Location?.OriginalString);
        }

        var list = await admin.GetPageAsync("/staff/invitations?message=undelivered");
        var message = list.QuerySelector("[data-testid=invitation-message]");
        Assert.Equal("alert", message?.GetAttribute("role"));
        Assert.Contains("the email could not be sent", message?.TextContent, StringComparison.Ordinal);
        var row = list.QuerySelectorAll("[data-testid=invitation-row]").Single(r => r.GetAttribute("data-email") == recipient);
        Assert.StartsWith("Not sent", row.QuerySelector("[data-testid=delivery]")?.TextContent.Trim(), StringComparison.Ordinal);

        // Resending while the server is still down says so again and keeps the invitation.
        using (var stillDown = await admin.SubmitAsync(list, row.QuerySelector("form[action$='/resend']")?.GetAttribute("action") ?? "", new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/invitations?message=undelivered", stillDown.Headers.Location?.OriginalString);
        }

        StaffInvitation invitation;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var normalized = recipient.ToUpperInvariant();
            invitation = await db.StaffInvitations.AsNoTracking().SingleAsync(i => i.NormalizedEmail == normalized);
            Assert.True(invitation.DeliveryFailed);
            Assert.Null(invitation.SentAt);
            Assert.Null(invitation.AcceptedAt);
            Assert.Null(invitation.RevokedAt);
            var subject = invitation.Id.ToString();
            var audit = await db.AuditEntries.AsNoTracking().Where(e => e.Subject == subject).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal([AuditActions.InvitationSent, AuditActions.InvitationResent], audit.Select(e => e.Action));
            Assert.Equal("undelivered; roles=Volunteer", audit[0].Detail);
        }

        Assert.Contains(factory.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(invitation.Id.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(recipient, StringComparison.Ordinal));

        // The server is back: a resend through a working sender delivers a link that works.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var working = new SmtpEmailSender(Options.Create(TestMailbox.SmtpOptions()), factory.Clock, NullLogger<SmtpEmailSender>.Instance);
            var handler = new InviteStaffHandler(
                services.GetRequiredService<PortalDbContext>(), services.GetRequiredService<UserManager<StaffUser>>(), services.GetRequiredService<EmailComposer>(),
                working, services.GetRequiredService<AuditTrail>(), services.GetRequiredService<IOptions<InvitationOptions>>(), factory.Clock, NullLogger<InviteStaffHandler>.Instance);
            Assert.Equal(InvitationOutcome.Sent, (await handler.ResendAsync(invitation.Id, Actor.Staff(invitation.InvitedById, IPAddress.Loopback), CancellationToken.None)).Outcome);
        }

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(recipient));
        var path = Regex.Match(mail.TextBody, @"/account/invitation\?token=[A-Za-z0-9_-]+").Value;
        var invitee = factory.CreatePortalClient();
        var form = await invitee.GetPageAsync(path);
        using var accepted = await invitee.SubmitAsync(form, "/account/invitation", new Dictionary<string, string?> { ["Name"] = "Patient Volunteer", ["Password"] = StaffAccounts.Password, ["ConfirmPassword"] = StaffAccounts.Password });
        Assert.Equal("/account/two-factor", accepted.Headers.Location?.OriginalString);
        var shown = await admin.GetPageAsync("/staff/invitations");
        Assert.DoesNotContain(shown.QuerySelectorAll("[data-testid=invitation-row]"), r => r.GetAttribute("data-email") == recipient);
    }
}
