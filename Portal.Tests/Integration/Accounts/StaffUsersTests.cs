using System.Net;
using Portal.Core.Data;
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

    [Fact]
    public async Task NonAdmins_CannotManageAccounts()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        using var response = await supervisor.GetAsync("/staff/users");

        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }
}
