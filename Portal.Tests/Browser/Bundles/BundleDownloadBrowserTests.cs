using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Cli;

namespace Portal.Tests.Browser.Bundles;

/// <summary>A supervisor downloads a case's evidence bundle in Chromium: asked to sign in again, by keyboard, and the file verifies.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BundleDownloadBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Supervisor_ConfirmsWithPasswordAndCode_AndDownloadsABundleThatVerifies()
    {
        var victim = await fixture.NewPageAsync("en-GB");
        var reference = await BrowserFixture.FileReportAsync(victim, "An email demanded bitcoin for my therapy notes.");
        await victim.Context.CloseAsync();
        Guid caseId;
        await using (var scope = fixture.Portal.Services.CreateAsyncScope())
        {
            caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
        }

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Supervisor);
        var page = await fixture.NewPageAsync("en-GB");
        // The previous step's code, so that the current one is still unused for the confirmation.
        await fixture.SignInAsync(page, account, codeStep: -1);

        await page.GotoAsync($"/staff/cases/{caseId}");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.ClickAsync("[data-testid=bundle-download]");
        await fixture.WaitForUrlAsync(page, "**/account/confirm?returnUrl=*");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FillAsync("#Password", StaffAccounts.Password);
        await page.FillAsync("#Code", account.CodeAt(fixture.Portal.Clock.GetUtcNow()));
        var download = await page.RunAndWaitForDownloadAsync(() => page.Keyboard.PressAsync("Enter"));

        Assert.Equal($"evidence-bundle-{reference}.zip", download.SuggestedFilename);
        var zip = Path.Combine(TestDatabases.NewTempDirectory(), download.SuggestedFilename);
        await download.SaveAsAsync(zip);
        using var output = new StringWriter();
        var exit = await PortalCommands.RunAsync(["verify-bundle", zip], null, output, TextWriter.Null);
        Assert.True(exit == 0, output.ToString());
        await page.Context.CloseAsync();
    }
}
