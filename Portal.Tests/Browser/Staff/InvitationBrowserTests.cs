using System.Text.RegularExpressions;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>The invitation form and the accept page in Chromium, by keyboard, each state checked with axe-core.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class InvitationBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_InvitesByKeyboard_AndTheInviteeAcceptsInSwedish_ThePagesAreAccessible()
    {
        var admin = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin);
        var recipient = $"invitee-{Guid.NewGuid():N}@test.example";
        var page = await fixture.NewPageAsync("en-GB");
        await fixture.SignInAsync(page, admin);

        await page.ClickAsync("a[href='/staff/invitations']");
        await page.WaitForSelectorAsync("form[action='/staff/invitations']");
        await BrowserFixture.AssertAccessibleAsync(page);

        // Sent without a role: the errors are announced and linked to their fields.
        await page.FillAsync("#Email", recipient);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#Roles-error");
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.FocusAsync("#invite-role-Volunteer");
        await page.Keyboard.PressAsync("Space");
        await page.FocusAsync("#invite-language-sv");
        await page.Keyboard.PressAsync("Space");
        await page.FocusAsync("#Email");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff/invitations?message=sent");
        Assert.Equal(1, await page.Locator($"[data-testid=invitation-row][data-email='{recipient}']").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();

        // No mail server is configured here, so the portal wrote the email to its outbox.
        var mail = Assert.Single(new TestMailbox(Path.Combine(fixture.Portal.DataDirectory, "outbox")).To(recipient));
        var link = InvitationLink().Match(mail.TextBody).Value;
        Assert.NotEmpty(link);

        var invitee = await fixture.NewPageAsync("sv-SE");
        await invitee.GotoAsync(link);
        Assert.Equal("sv", await invitee.GetAttributeAsync("html", "lang"));
        await BrowserFixture.AssertAccessibleAsync(invitee);
        await invitee.FillAsync("#Name", "Sara Volontär");
        await invitee.FillAsync("#Password", "kort");
        await invitee.FillAsync("#ConfirmPassword", "kort");
        await invitee.Keyboard.PressAsync("Enter");
        await invitee.WaitForSelectorAsync("#Password-error");
        Assert.Contains("minst 12 tecken", await invitee.InnerTextAsync("#Password-error"), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(invitee);

        await invitee.FillAsync("#Password", StaffAccounts.Password);
        await invitee.FillAsync("#ConfirmPassword", StaffAccounts.Password);
        await invitee.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(invitee, "**/account/two-factor");
        await invitee.WaitForSelectorAsync("[data-testid=shared-key]");
        await BrowserFixture.AssertAccessibleAsync(invitee);
        await invitee.Context.CloseAsync();
    }

    [GeneratedRegex(@"/account/invitation\?token=[A-Za-z0-9_-]+")]
    private static partial Regex InvitationLink();
}
