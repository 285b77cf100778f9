using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Campaigns;
using Portal.Tests.Support;
using Portal.Web.Cli;

namespace Portal.Tests.Browser.Bundles;

/// <summary>
/// A police officer in Chromium: opens a referral held by their unit, confirms password and code
/// by keyboard, downloads the case bundle (it verifies), then opens the campaign the case belongs
/// to and downloads its bundle, approved by a supervisor; every page checked with axe-core.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PoliceBundleBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task PoliceOfficer_ConfirmsSignIn_DownloadsACaseBundle_AndOpensItsCampaign()
    {
        var portal = fixture.Portal;
        var wallet = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3";
        var cases = new List<(Guid Id, string Reference)>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var victim = await fixture.NewPageAsync("fi-FI");
            var reference = await BrowserFixture.FileReportAsync(victim, "Sähköpostissa vaadittiin bitcoineja terapiamuistiinpanoistani.", more: async page =>
            {
                await page.FillAsync("#PaymentAddress", wallet);
                await page.CheckAsync("#ConsentPolice");
            });
            await victim.Context.CloseAsync();
            cases.Add((await RoutingSteps.WithDbAsync(portal, db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync()), reference));
        }

        var unit = await RoutingSteps.AddPartnerAsync(portal, PartnerType.Police, "uusimaa");
        var referralId = await RoutingSteps.WithDbAsync(portal, async db =>
        {
            var referral = new Referral { CaseId = cases[0].Id, PartnerType = PartnerType.Police, Status = ReferralStatus.Assigned, PartnerId = unit.Id, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });
        Guid campaignId;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            campaignId = await db.CampaignCases.Where(m => m.CaseId == cases[0].Id).Select(m => m.CampaignId).SingleAsync();
        }

        var officer = await StaffAccounts.CreateAsync(portal, StaffRoles.Police);
        await RoutingSteps.WithDbAsync(portal, db => db.Users.Where(u => u.Email == officer.Email).ExecuteUpdateAsync(u => u.SetProperty(x => x.PartnerId, unit.Id)));

        var page = await fixture.NewPageAsync("fi-FI");
        await fixture.SignInAsync(page, officer, codeStep: -1);

        await page.GotoAsync($"/partner/referrals/{referralId}");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FocusAsync("[data-testid=bundle-download]");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/account/confirm?returnUrl=*");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FillAsync("#Password", StaffAccounts.Password);
        await page.FillAsync("#Code", officer.CodeAt(portal.Clock.GetUtcNow()));
        var download = await page.RunAndWaitForDownloadAsync(() => page.Keyboard.PressAsync("Enter"));
        Assert.Equal($"evidence-bundle-{cases[0].Reference}.zip", download.SuggestedFilename);
        var zip = Path.Combine(TestDatabases.NewTempDirectory(), download.SuggestedFilename);
        await download.SaveAsAsync(zip);
        using (var output = new StringWriter())
        {
            Assert.True(await PortalCommands.RunAsync(["verify-bundle", zip], null, output, TextWriter.Null) == 0, output.ToString());
        }

        // The campaign: waiting for a supervisor, then approved by one and downloaded by the officer.
        await page.GotoAsync($"/staff/campaigns/{campaignId}");
        await BrowserFixture.AssertAccessibleAsync(page);
        Assert.Equal(0, await page.Locator("[data-testid=campaign-bundle-download]").CountAsync());
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var supervisor = await StaffAccounts.CreateAsync(portal, StaffRoles.Supervisor);
            var supervisorId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == supervisor.Email).Select(u => u.Id).SingleAsync();
            var bundles = scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Bundles.CampaignBundleHandler>();
            Assert.Equal(Portal.Core.Features.Bundles.CampaignApprovalOutcome.Approved, (await bundles.ApproveAsync(campaignId, (await bundles.StateAsync(campaignId, CancellationToken.None))?.Cases, supervisorId, CancellationToken.None)).Outcome);
        }

        await page.ReloadAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FocusAsync("[data-testid=campaign-bundle-download]");
        var campaignDownload = await page.RunAndWaitForDownloadAsync(() => page.Keyboard.PressAsync("Enter"));
        var campaignZip = Path.Combine(TestDatabases.NewTempDirectory(), campaignDownload.SuggestedFilename);
        await campaignDownload.SaveAsAsync(campaignZip);
        using (var output = new StringWriter())
        {
            Assert.True(await PortalCommands.RunAsync(["verify-bundle", campaignZip], null, output, TextWriter.Null) == 0, output.ToString());
        }

        await page.Context.CloseAsync();
    }
}
