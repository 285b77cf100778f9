using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>
/// Five wrong passwords lock an account against every client except the member's own known
/// devices (a browser where they completed password and code before), where password and code
/// still open it. Guessing stays bounded: strangers get five tries per lockout, and a known
/// device that guesses wrong five times is forgotten (docs/decisions/0021).
/// </summary>
public sealed class LockoutTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    private const string WrongPassword = "Wrong-Password-2026";

    [Fact]
    public async Task FiveWrongPasswordsFromAStranger_DoNotLockTheMemberOutOfTheirKnownDevice()
    {
        var (account, device) = await MemberWithAKnownDeviceAsync(StaffRoles.Volunteer);

        await GuessAsync(factory.CreatePortalClient(), account, 5);
        Assert.True(await IsLockedOutAsync(account), "five wrong passwords did not lock the account");

        Later(TimeSpan.FromMinutes(1));
        using (var signedIn = await StaffAccounts.SubmitSignInAsync(device, account, account.CodeAt(factory.Clock.GetUtcNow())))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Assert.Equal("/staff", signedIn.Headers.Location?.OriginalString);
        }

        Later(TimeSpan.FromSeconds(5));
        using var queue = await device.GetAsync("/staff/queue");
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
    }

    [Fact]
    public async Task OnceLocked_StrangersAreRefusedEvenTheRightPassword()
    {
        var (account, _) = await MemberWithAKnownDeviceAsync(StaffRoles.Supervisor);
        await GuessAsync(factory.CreatePortalClient(), account, 5);

        Later(TimeSpan.FromMinutes(1));
        using (var sixth = await PasswordStepAsync(factory.CreatePortalClient(), account, StaffAccounts.Password))
        {
            Assert.Equal(HttpStatusCode.BadRequest, sixth.StatusCode);
        }

        // The member themselves, in a browser they never signed in with, waits like anyone else.
        using var newBrowser = await PasswordStepAsync(factory.CreatePortalClient(), account, StaffAccounts.Password);
        Assert.Equal(HttpStatusCode.BadRequest, newBrowser.StatusCode);
    }

    [Fact]
    public async Task AKnownDeviceThatGuessesWrongFiveTimes_IsForgotten_AndTheLockoutAppliesToItToo()
    {
        var (account, device) = await MemberWithAKnownDeviceAsync(StaffRoles.Police);

        await GuessAsync(device, account, 5);
        Assert.True(await IsLockedOutAsync(account));

        Later(TimeSpan.FromMinutes(1));
        using var refused = await PasswordStepAsync(device, account, StaffAccounts.Password);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task ADisabledAccount_IsRefusedOnItsKnownDeviceToo()
    {
        var (account, device) = await MemberWithAKnownDeviceAsync(StaffRoles.Counsellor);
        await RoutingSteps.WithDbAsync(factory, db => db.Users.Where(u => u.Email == account.Email)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, StaffUser.DisabledUntil)));

        Later(TimeSpan.FromMinutes(1));
        using var refused = await PasswordStepAsync(device, account, StaffAccounts.Password);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    /// <summary>A member who signed in with password and code on this client, then signed out.</summary>
    private async Task<(StaffAccount Account, HttpClient Device)> MemberWithAKnownDeviceAsync(string role)
    {
        var account = await StaffAccounts.CreateAsync(factory, role);
        var device = await StaffAccounts.SignInAsync(factory, account);
        Later(TimeSpan.FromSeconds(5));
        var page = await device.GetPageAsync("/staff");
        using (var signedOut = await device.SubmitAsync(page, "/account/sign-out", new Dictionary<string, string?>()))
        {
            Assert.Equal("/", signedOut.Headers.Location?.OriginalString);
        }

        // Every later code is of a later step than the one just used.
        Later(TimeSpan.FromSeconds(30));
        return (account, device);
    }

    private async Task GuessAsync(HttpClient client, StaffAccount account, int times)
    {
        for (var attempt = 0; attempt < times; attempt++)
        {
            using var response = await PasswordStepAsync(client, account, WrongPassword);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> PasswordStepAsync(HttpClient client, StaffAccount account, string password)
    {
        var page = await client.GetPageAsync("/account/sign-in");
        return await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = account.Email, ["Password"] = password });
    }

    /// <summary>Identity sets and reads the lockout end on the system clock, not the portal's.</summary>
    private Task<bool> IsLockedOutAsync(StaffAccount account) =>
        RoutingSteps.WithDbAsync(factory, async db =>
            (await db.Users.Where(u => u.Email == account.Email).Select(u => u.LockoutEnd).SingleAsync()) is { } end && end > DateTimeOffset.UtcNow);

    private void Later(TimeSpan time) => factory.Clock.Advance(time);
}
