using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>Admins assign roles and disable accounts; both take effect on the member's very next request.</summary>
public sealed class StaffUsersTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task DisabledAccount_IsRefusedOnItsNextRequest_AndCannotSignIn_UntilEnabled()
    {
        var volunteer = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var volunteerClient = await StaffAccounts.SignInAsync(factory, volunteer);
        using (var before = await volunteerClient.GetAsync("/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var users = await admin.GetPageAsync("/staff/users");
        var row = users.QuerySelectorAll("[data-testid=user-row]").Single(r => r.GetAttribute("data-email") == volunteer.Email);
        var disableAction = row.QuerySelector("form[action$='/disable']")?.GetAttribute("action") ?? "";
        using (var disabled = await admin.SubmitAsync(users, disableAction, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var after = await volunteerClient.GetAsync("/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
            Assert.Contains("/account/sign-in", after.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        var page = await factory.CreatePortalClient().GetPageAsync("/account/sign-in");
        using (var refused = await factory.CreatePortalClient().SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = volunteer.Email, ["Password"] = StaffAccounts.Password }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        var usersAgain = await admin.GetPageAsync("/staff/users");
        var enableAction = usersAgain.QuerySelectorAll("[data-testid=user-row]").Single(r => r.GetAttribute("data-email") == volunteer.Email).QuerySelector("form[action$='/enable']")?.GetAttribute("action") ?? "";
        using (var enabled = await admin.SubmitAsync(usersAgain, enableAction, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, enabled.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        using var back = await (await StaffAccounts.SignInAsync(factory, volunteer)).GetAsync("/staff/queue");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task TwoFactorReset_ForAMemberWhoLostTheirPhone_EndsTheirSessions_AndTheySetUpTheAppAgainAtSignIn()
    {
        var member = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        string memberId;
        List<string> codes;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await userManager.FindByEmailAsync(member.Email) ?? throw new InvalidOperationException("no account");
            memberId = user.Id;
            codes = (await userManager.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        }

        Assert.Equal(10, codes.Count);
        var memberClient = await StaffAccounts.SignInAsync(factory, member);
        var adminAccount = await StaffAccounts.CreateAsync(factory, StaffRoles.Admin);
        var admin = await StaffAccounts.SignInAsync(factory, adminAccount);
        var users = await admin.GetPageAsync("/staff/users");
        var rows = users.QuerySelectorAll("[data-testid=user-row]").ToList();
        var reset = rows.Single(r => r.GetAttribute("data-email") == member.Email).QuerySelector("form[action$='/two-factor/reset']")?.GetAttribute("action") ?? "";
        Assert.Equal($"/staff/users/{memberId}/two-factor/reset", reset);

        // Not offered for the admin's own account, and refused if sent by hand.
        var ownRow = rows.Single(r => r.GetAttribute("data-email") == adminAccount.Email);
        Assert.Null(ownRow.QuerySelector("form[action$='/two-factor/reset']"));
        Assert.Null(ownRow.QuerySelector("form[action$='/disable']"));
        var ownReset = (ownRow.QuerySelector("form[action$='/roles']")?.GetAttribute("action") ?? "").Replace("/roles", "/two-factor/reset", StringComparison.Ordinal);
        using (var own = await admin.PostAsync(ownReset, new FormUrlEncodedContent([new("__af", users.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "")])))
        {
            Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        }

        using (var done = await admin.SubmitAsync(users, reset, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var ended = await memberClient.GetAsync("/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
            Assert.Contains("/account/sign-in", ended.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await userManager.FindByIdAsync(memberId) ?? throw new InvalidOperationException("no account");
            Assert.False(user.TwoFactorEnabled);
            Assert.Equal(0, await userManager.CountRecoveryCodesAsync(user));
            Assert.NotEqual(member.AuthenticatorKey, await userManager.GetAuthenticatorKeyAsync(user));
        }

        Assert.Single(await factory.QueryAsync(db => db.AuditEntries.Where(e => e.Action == AuditActions.TwoFactorReset && e.Subject == memberId).ToListAsync()));

        // The password alone leads only to setting up the app again, with a key nobody has seen.
        var client = factory.CreatePortalClient();
        var signIn = await client.GetPageAsync("/account/sign-in");
        using (var password = await client.SubmitAsync(signIn, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = member.Email, ["Password"] = StaffAccounts.Password }))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        }

        using (var queue = await client.GetAsync("/staff/queue"))
        {
            Assert.Equal("/account/two-factor", queue.Headers.Location?.OriginalString);
        }

        var enrol = await client.GetPageAsync("/account/two-factor");
        Assert.NotEqual(member.AuthenticatorKey.ToLowerInvariant(), enrol.QuerySelector("[data-testid=shared-key]")?.TextContent.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RoleChange_TakesEffectAtOnce()
    {
        var member = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var memberClient = await StaffAccounts.SignInAsync(factory, member);
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var users = await admin.GetPageAsync("/staff/users");
        var action = users.QuerySelectorAll("[data-testid=user-row]").Single(r => r.GetAttribute("data-email") == member.Email).QuerySelector("form[action$='/roles']")?.GetAttribute("action") ?? "";

        using var changed = await admin.PostAsync(action, new FormUrlEncodedContent(
        [
            new("__af", users.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? ""),
            new("roles", StaffRoles.Supervisor),
        ]));
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));

        using var audit = await memberClient.GetAsync("/staff/audit");
        Assert.Equal(HttpStatusCode.Redirect, audit.StatusCode);
        Assert.Contains("/account/sign-in", audit.Headers.Location?.ToString(), StringComparison.Ordinal);
        var again = await StaffAccounts.SignInAsync(factory, member, stepOffset: 1);
        using var nowAllowed = await again.GetAsync("/staff/audit");
        Assert.Equal(HttpStatusCode.OK, nowAllowed.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bogus")]
    [InlineData(StaffRoles.Volunteer + ",Bogus")]
    public async Task RoleChange_ToNoRoleOrOneThePortalLacks_IsRefused_WithTheReason_AndNotAudited(string sent)
    {
        var roles = sent.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var member = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var memberId = await factory.QueryAsync(db => db.Users.Where(u => u.Email == member.Email).Select(u => u.Id).SingleAsync());
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var users = await admin.GetPageAsync("/staff/users");

        using var refused = await admin.PostAsync($"/staff/users/{memberId}/roles", new FormUrlEncodedContent(
            roles.Select(r => new KeyValuePair<string, string>("roles", r))
                .Prepend(new("__af", users.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? ""))));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("choose at least one of the roles offered", (await HtmlForms.ParseAsync(refused)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AsNoTracking().SingleAsync(u => u.Id == memberId);
        Assert.Equal([StaffRoles.Supervisor], await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().GetRolesAsync(stored));
        Assert.False(await factory.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.Subject == memberId && e.Action == AuditActions.RolesChanged)));
    }

    [Fact]
    public async Task ChangesIdentityRefuses_AreShownAsAnError_NotMade_AndNotAudited()
    {
        var member = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var partner = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Counselling, "uusimaa");

        // An address stored before today's rules: Identity's user validator now refuses every
        // update of this account, and says so in its result.
        var memberId = await RoutingSteps.WithDbAsync(factory, async db =>
        {
            await db.Users.Where(u => u.Email == member.Email)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Email, "not an address").SetProperty(x => x.NormalizedEmail, "NOT AN ADDRESS"));
            return await db.Users.Where(u => u.UserName == member.Email).Select(u => u.Id).SingleAsync();
        });
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);

        var changes = new (string Action, Dictionary<string, string?> Fields)[]
        {
            ($"/staff/users/{memberId}/disable", []),
            ($"/staff/users/{memberId}/roles", new() { ["roles"] = StaffRoles.Supervisor }),
            ($"/staff/users/{memberId}/partner", new() { ["partnerId"] = partner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        };
        foreach (var (action, fields) in changes)
        {
            var users = await admin.GetPageAsync("/staff/users");
            using var refused = await admin.SubmitAsync(users, action, fields);

            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var page = await HtmlForms.ParseAsync(refused);
            Assert.Contains("was not changed", page.QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
            Assert.NotNull(page.QuerySelector($"[data-testid=user-row] form[action='{action}']"));
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var stored = await db.Users.AsNoTracking().SingleAsync(u => u.Id == memberId);
        Assert.Null(stored.LockoutEnd);
        Assert.Null(stored.PartnerId);
        Assert.Equal([StaffRoles.Volunteer], await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().GetRolesAsync(stored));
        string[] adminActions = [AuditActions.UserDisabled, AuditActions.RolesChanged, AuditActions.StaffPartnerSet];
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Subject == memberId && adminActions.Contains(e.Action)));
    }

    [Fact]
    public async Task NonAdmins_CannotManageAccounts()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        using var response = await supervisor.GetAsync("/staff/users");

        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }
}
