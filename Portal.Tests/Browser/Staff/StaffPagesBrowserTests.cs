using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>Staff pages in Chromium: sign-in with password and code by keyboard, the staff home, the audit trail and the notice form, each checked with axe-core.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StaffPagesBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_SignsIn_AndTheStaffPagesAreAccessible()
    {
        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin);
        var page = await fixture.NewPageAsync("en-GB");

        await page.GotoAsync("/account/sign-in");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FillAsync("#Email", account.Email);
        await page.FillAsync("#Password", StaffAccounts.Password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/account/sign-in/code");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FillAsync("#Code", account.CodeAt(fixture.Portal.Clock.GetUtcNow()));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/staff");
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.ClickAsync("a[href='/staff/audit']");
        Assert.True(await page.Locator("[data-testid=audit-action]", new() { HasTextString = "staff.sign-in" }).CountAsync() >= 1);
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.ClickAsync("form[action='/staff/audit/verify'] button");
        Assert.Contains("intact", await page.InnerTextAsync("[data-testid=audit-verification]"), StringComparison.Ordinal);

        await page.GotoAsync("/staff/updates/new");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }
}
