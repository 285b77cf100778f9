using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Accounts;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>
/// A new staff member's first day in Chromium, with two-factor sign-in required as in
/// production: accept the invitation, enrol an authenticator, reach the staff page, sign out;
/// a stranger's wrong passwords then lock the account, yet this browser still opens it.
/// The clock moves between pages as it does for a person reading and typing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class FirstSignInBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task NewMember_AcceptsTheInvitation_EnrolsTwoFactor_ReachesTheStaffPage_AndKeepsTheirDeviceThroughALockout()
    {
        var portal = fixture.Portal;
        var recipient = $"first-day-{Guid.NewGuid():N}@test.example";
        var link = await InviteAsync(recipient);

        var page = await fixture.NewPageAsync("en-GB");
        await page.GotoAsync(link);
        await page.FillAsync("#Name", "Noor Volunteer");
        await page.FillAsync("#Password", StaffAccounts.Password);
        await page.FillAsync("#ConfirmPassword", StaffAccounts.Password);
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/account/two-factor");
        var key = (await page.InnerTextAsync("[data-testid=shared-key]")).Replace(" ", "", StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page);

        // No staff page opens before enrolment; the key stays the same when the page is opened again.
        portal.Clock.Advance(TimeSpan.FromSeconds(20));
        await page.GotoAsync("/staff/queue");
        await fixture.WaitForUrlAsync(page, "**/account/two-factor");
        Assert.Equal(key, (await page.InnerTextAsync("[data-testid=shared-key]")).Replace(" ", "", StringComparison.Ordinal));

        var account = new StaffAccount(recipient, key);
        portal.Clock.Advance(TimeSpan.FromSeconds(45));
        await page.FillAsync("#code", account.CodeAt(portal.Clock.GetUtcNow()));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=recovery-codes]");
        Assert.Equal(10, await page.Locator("[data-testid=recovery-codes] code").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);

        portal.Clock.Advance(TimeSpan.FromSeconds(30));
        await page.FocusAsync("main a[href='/staff']");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff");
        Assert.Contains($"Signed in as {recipient}.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page);

        portal.Clock.Advance(TimeSpan.FromMinutes(5));
        await page.ClickAsync("form[action='/account/sign-out'] button");
        await fixture.WaitForUrlAsync(page, fixture.BaseUrl + "/");

        // A stranger, in a browser of their own, tries five wrong passwords.
        var stranger = await fixture.NewPageAsync("en-GB");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await stranger.GotoAsync("/account/sign-in");
            await stranger.FillAsync("#Email", recipient);
            await stranger.FillAsync("#Password", "Guessed-Password-" + attempt);
            await stranger.Keyboard.PressAsync("Enter");
            await stranger.WaitForSelectorAsync(".error-summary");
        }

        await stranger.Context.CloseAsync();
        Assert.True(await LockedOutAsync(recipient), "five wrong passwords did not lock the account");

        portal.Clock.Advance(TimeSpan.FromMinutes(2));
        await fixture.SignInAsync(page, account);
        Assert.Contains($"Signed in as {recipient}.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    private async Task<string> InviteAsync(string recipient)
    {
        var admin = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin);
        await using (var scope = fixture.Portal.Services.CreateAsyncScope())
        {
            var adminId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == admin.Email).Select(u => u.Id).SingleAsync();
            var sent = await scope.ServiceProvider.GetRequiredService<InviteStaffHandler>()
                .InviteAsync(new InviteStaff { Email = recipient, Roles = [StaffRoles.Volunteer], Language = "en" }, Actor.Staff(adminId, null), CancellationToken.None);
            Assert.Equal(InvitationOutcome.Sent, sent.Outcome);
        }

        // No mail server is configured here, so the portal wrote the email to its outbox.
        var mail = Assert.Single(new TestMailbox(Path.Combine(fixture.Portal.DataDirectory, "outbox")).To(recipient));
        return InvitationLink().Match(mail.TextBody).Value;
    }

    /// <summary>Identity sets and reads the lockout end on the system clock, not the portal's.</summary>
    private async Task<bool> LockedOutAsync(string email) =>
        await RoutingSteps.WithDbAsync(fixture.Portal, db => db.Users.Where(u => u.Email == email).Select(u => u.LockoutEnd).SingleAsync()) > DateTimeOffset.UtcNow;

    [GeneratedRegex(@"/account/invitation\?token=[A-Za-z0-9_-]+")]
    private static partial Regex InvitationLink();
}
