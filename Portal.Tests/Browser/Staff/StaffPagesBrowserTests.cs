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
        await fixture.WaitForUrlAsync(page, "**/account/sign-in/code");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FillAsync("#Code", account.CodeAt(fixture.Portal.Clock.GetUtcNow()));
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff");
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.ClickAsync("a[href='/staff/audit']");
        Assert.True(await page.Locator("[data-testid=audit-action]", new() { HasTextString = "staff.sign-in" }).CountAsync() >= 1);
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.ClickAsync("form[action='/staff/audit/verify'] button");
        Assert.Contains("intact", await page.InnerTextAsync("[data-testid=audit-verification]"), StringComparison.Ordinal);

        await page.GotoAsync("/staff/updates/new");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.GotoAsync("/staff/users");
        Assert.True(await page.Locator($"[data-testid=user-row][data-email='{account.Email}']").CountAsync() == 1);
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Supervisor_WorksTheQueue_AndThePagesAreAccessible()
    {
        var victim = await fixture.NewPageAsync("en-GB");
        var reference = await BrowserFixture.FileReportAsync(victim, "An email demanded money.", selfHarm: true);
        await victim.Context.CloseAsync();

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Supervisor);
        var page = await fixture.NewPageAsync("fi-FI");
        await fixture.SignInAsync(page, account);

        await page.ClickAsync("a[href='/staff/queue']");
        Assert.Equal("fi", await page.GetAttributeAsync("html", "lang"));
        await BrowserFixture.AssertAccessibleAsync(page);
        var row = page.Locator($"[data-testid=queue-row][data-reference='{reference}']");
        await row.Locator("button").ClickAsync();
        await fixture.WaitForUrlAsync(page, "**/staff/cases/*?claimed=1");
        await page.WaitForSelectorAsync("[data-testid=narrative]");
        await page.GotoAsync("/staff/queue?mine=true");
        Assert.Equal("Sinä", (await page.Locator($"[data-testid=queue-row][data-reference='{reference}'] [data-testid=claimed-by]").InnerTextAsync()).Trim());
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.ClickAsync($"[data-testid=queue-row][data-reference='{reference}'] a");
        await page.WaitForSelectorAsync("[data-testid=narrative]");
        Assert.Equal(1, await page.Locator("[data-testid=risk]").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }
}
