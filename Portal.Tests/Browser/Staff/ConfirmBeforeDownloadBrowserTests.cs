using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>
/// Signing in again before a bundle download, in Chromium: after a wrong password and then the
/// right one, the download starts and the page left on screen holds neither the earlier error
/// nor the typed password.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConfirmBeforeDownloadBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AfterAWrongThenARightConfirmation_TheDownloadStarts_AndNoErrorOrPasswordIsLeftOnScreen()
    {
        var portal = fixture.Portal;
        var victim = await fixture.NewPageAsync("sv-SE");
        var reference = await BrowserFixture.FileReportAsync(victim, "Jag fick ett utpressningsmejl om mina terapianteckningar.");
        await victim.Context.CloseAsync();
        var caseId = await RoutingSteps.WithDbAsync(portal, db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

        var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
        var page = await fixture.NewPageAsync("sv-SE");
        await fixture.SignInAsync(page, supervisor, codeStep: -1);
        await page.GotoAsync($"/staff/cases/{caseId}");
        await page.FocusAsync("[data-testid=bundle-download]");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/account/confirm?returnUrl=*");

        await page.FillAsync("#Password", "Not-The-Password-2026");
        await page.FillAsync("#Code", supervisor.CodeAt(portal.Clock.GetUtcNow()));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(".error-summary");
        Assert.Equal("", await page.InputValueAsync("#Password"));

        portal.Clock.Advance(TimeSpan.FromSeconds(10));
        await page.FillAsync("#Password", StaffAccounts.Password);
        await page.FillAsync("#Code", supervisor.CodeAt(portal.Clock.GetUtcNow()));
        var download = await page.RunAndWaitForDownloadAsync(() => page.Keyboard.PressAsync("Enter"));
        Assert.Equal($"evidence-bundle-{reference}.zip", download.SuggestedFilename);
        Assert.Null(await download.FailureAsync());

        await fixture.WaitForUrlAsync(page, "**/account/confirm/done?returnUrl=*");
        Assert.Equal(0, await page.Locator(".error-summary").CountAsync());
        Assert.Equal(0, await page.Locator("input[type=password]").CountAsync());
        Assert.Equal($"/staff/cases/{caseId}/bundle", await page.GetAttributeAsync("[data-testid=confirmed-continue]", "href"));
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }
}
