using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>Outside Development every staff sign-in needs a one-time authenticator code.</summary>
public sealed class TwoFactorSignInTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task Code_WorksOnce_AndNotAgainInTheSameStep()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var code = account.CodeAt(factory.Clock.GetUtcNow());

        using var first = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code);
        using var replay = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/staff", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        var message = (await HtmlForms.ParseAsync(replay)).QuerySelector(".error-summary li")?.TextContent;
        Assert.Contains("already used", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_FromTwoStepsAway_IsRefused_OneStepAway_Accepted()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);

        using var stale = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, account.CodeAt(factory.Clock.GetUtcNow(), -2));
        using var late = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, account.CodeAt(factory.Clock.GetUtcNow(), -1));

        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, late.StatusCode);
    }

    [Theory]
    [InlineData(StaffRoles.Supervisor, "/staff/audit")]
    [InlineData(StaffRoles.Admin, "/admin/jobs")]
    [InlineData(StaffRoles.Admin, "/admin/jobs/retries")]
    public async Task PasswordAlone_DoesNotOpenStaffPages(string role, string path)
    {
        var account = await StaffAccounts.CreateAsync(factory, role);
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/account/sign-in");
        using (var password = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = account.Email, ["Password"] = StaffAccounts.Password }))
        {
            Assert.StartsWith("/account/sign-in/code", password.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        using var staff = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, staff.StatusCode);
        Assert.Contains("/account/sign-in", staff.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewAccount_WithoutTwoFactor_IsSentToEnrol_ThenGetsRecoveryCodesThatWorkOnce()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor, twoFactor: false);
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/account/sign-in");
        using (var password = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = account.Email, ["Password"] = StaffAccounts.Password }))
        {
            Assert.Equal("/staff", password.Headers.Location?.OriginalString);
        }

        using (var staff = await client.GetAsync("/staff"))
        {
            Assert.Equal("/account/two-factor", staff.Headers.Location?.OriginalString);
        }

        var enrol = await client.GetPageAsync("/account/two-factor");
        Assert.StartsWith("data:image/png;base64,", enrol.QuerySelector("img")?.GetAttribute("src"), StringComparison.Ordinal);
        Assert.Equal(account.AuthenticatorKey.ToLowerInvariant(), enrol.QuerySelector("[data-testid=shared-key]")?.TextContent.Replace(" ", "", StringComparison.Ordinal));
        using var wrong = await client.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);

        using var enabled = await client.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var codes = (await HtmlForms.ParseAsync(enabled)).QuerySelectorAll("[data-testid=recovery-codes] code").Select(c => c.TextContent).ToList();
        Assert.Equal(10, codes.Count);
        using (var staffNow = await client.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, staffNow.StatusCode);
        }

        // The enrolment form sent again (Back and send): no "wrong code", the page says it is on.
        using (var again = await client.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) }))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
            Assert.Equal("/account/two-factor", again.Headers.Location?.OriginalString);
            var on = await client.GetPageAsync("/account/two-factor");
            Assert.Null(on.QuerySelector(".error-summary"));
            Assert.Null(on.QuerySelector("[data-testid=shared-key]"));
        }

        using var recovered = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: codes[0]);
        using var reused = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: codes[0]);
        Assert.Equal(HttpStatusCode.Redirect, recovered.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Contains("recovery code is not correct or was already used", (await HtmlForms.ParseAsync(reused)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);

        // Typed off paper: lower case, a space where the dash was, or no separator at all.
        using (var typed = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: codes[1].ToLowerInvariant().Replace('-', ' ')))
        {
            Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        }

        using (var joined = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: codes[2].Replace("-", "", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(account.Email);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Contains(db.AuditEntries, e => e.Action == AuditActions.TwoFactorEnabled && e.ActorId == (user == null ? null : user.Id));
    }

    [Fact]
    public async Task LostRecoveryCodes_AreReplacedAgainstACodeFromTheApp_AndTheOldOnesStopWorking()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        List<string> old;
        string userId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(account.Email) ?? throw new InvalidOperationException("no account");
            userId = user.Id;
            old = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        }

        var client = await StaffAccounts.SignInAsync(factory, account);
        var page = await client.GetPageAsync("/account/two-factor");
        Assert.Contains("10", page.QuerySelector("[data-testid=recovery-codes-left]")?.TextContent, StringComparison.Ordinal);

        using (var wrong = await client.SubmitAsync(page, "/account/two-factor/recovery-codes", new Dictionary<string, string?> { ["code"] = "000000" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            var refused = await HtmlForms.ParseAsync(wrong);
            Assert.Equal("#recovery-code", refused.QuerySelector(".error-summary a")?.GetAttribute("href"));
            Assert.Equal("true", refused.QuerySelector("#recovery-code")?.GetAttribute("aria-invalid"));
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        using var replaced = await client.SubmitAsync(page, "/account/two-factor/recovery-codes", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var codes = (await HtmlForms.ParseAsync(replaced)).QuerySelectorAll("[data-testid=recovery-codes] code").Select(c => c.TextContent).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Empty(codes.Intersect(old));

        using (var oldCode = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: old[1]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, oldCode.StatusCode);
        }

        using (var newCode = await StaffAccounts.SubmitSignInAsync(factory.CreatePortalClient(), account, code: null, recovery: codes[0]))
        {
            Assert.Equal(HttpStatusCode.Redirect, newCode.StatusCode);
        }

        Assert.Contains("9", (await client.GetPageAsync("/account/two-factor")).QuerySelector("[data-testid=recovery-codes-left]")?.TextContent, StringComparison.Ordinal);
        Assert.Single(await factory.QueryAsync(db => db.AuditEntries.Where(e => e.ActorId == userId && e.Action == AuditActions.RecoveryCodesReplaced).ToListAsync()));
    }
}

/// <summary>Session limits, on a portal of their own because the tests move its clock by hours.</summary>
public sealed class StaffSessionLifetimeTests : IAsyncLifetime
{
    private readonly SqlitePortalFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task Session_EndsAfterThirtyIdleMinutes()
    {
        var client = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        factory.Clock.Advance(TimeSpan.FromMinutes(20));
        using (var active = await client.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(31));
        using var idle = await client.GetAsync("/staff");

        Assert.Equal(HttpStatusCode.Redirect, idle.StatusCode);
        Assert.Contains("/account/sign-in", idle.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_EndsTwelveHoursAfterSignIn_EvenWhenActive()
    {
        var client = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        for (var minutes = 0; minutes < (11 * 60) + 40; minutes += 20)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(20));
            using var active = await client.GetAsync("/staff");
            Assert.True(active.StatusCode == HttpStatusCode.OK, $"signed out after {minutes + 20} active minutes");
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(25));
        using var expired = await client.GetAsync("/staff");

        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.Contains("/account/sign-in", expired.Headers.Location?.ToString(), StringComparison.Ordinal);
    }
}
