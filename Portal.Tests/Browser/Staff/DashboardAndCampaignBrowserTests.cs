using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Reports;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>The supervisor dashboard and a campaign page in Chromium, reached from the staff area by keyboard, each checked with axe-core.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardAndCampaignBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Supervisor_ReadsTheDashboard_AndACampaign_ByKeyboard_AndThePagesAreAccessible()
    {
        var wallet = "bc1q" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var references = await SeedCampaignAsync(wallet, count: 3);
        var campaignId = await RecomputeAsync(references[0]);

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Supervisor);
        var page = await fixture.NewPageAsync("sv-SE");
        await fixture.SignInAsync(page, account);

        await page.FocusAsync("a[href='/staff/dashboard']");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff/dashboard");
        Assert.Equal("sv", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("img", await page.GetAttributeAsync("#cases-per-day svg", "role"));
        Assert.Equal(30, await page.Locator("#cases-per-day rect.chart-bar").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);

        // The numbers behind the chart open from the keyboard, without script of ours.
        Assert.False(await page.Locator("#cases-per-day table").IsVisibleAsync());
        await page.FocusAsync("#cases-per-day summary");
        await page.Keyboard.PressAsync("Enter");
        Assert.True(await page.Locator("#cases-per-day table").IsVisibleAsync());
        Assert.Equal(30, await page.Locator("#cases-per-day [data-testid=chart-row]").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.GotoAsync("/staff");
        await page.FocusAsync("a[href='/staff/campaigns']");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff/campaigns");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FocusAsync($"a[href='/staff/campaigns/{campaignId}']");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, $"**/staff/campaigns/{campaignId}");
        Assert.Equal("3", (await page.InnerTextAsync("[data-testid=campaign-victims]")).Trim());
        Assert.Equal(wallet, (await page.InnerTextAsync("[data-testid=shared-indicator][data-rule=PaymentAddress] code")).Trim());
        Assert.Equal("img", await page.GetAttributeAsync("#campaign-timeline svg", "role"));
        await page.ClickAsync("#campaign-timeline summary");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }

    private async Task<List<string>> SeedCampaignAsync(string wallet, int count)
    {
        await using var scope = fixture.Portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PortalDbContext>();
        var cipher = services.GetRequiredService<EnvelopeCipher>();
        var hasher = services.GetRequiredService<ReceiptHasher>();
        var now = fixture.Portal.Clock.GetUtcNow().UtcDateTime;
        var references = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var reference = "VS-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2)) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2));
            references.Add(reference);
            db.Cases.Add(new Case
            {
                Id = Guid.CreateVersion7(),
                Reference = reference,
                ReceiptHash = hasher.Hash(reference, "unused"),
                SubmissionId = Guid.NewGuid(),
                CreatedAt = now.AddDays(-2 * i),
                UpdatedAt = now.AddDays(-2 * i),
                Language = "sv",
                NarrativeEnvelope = cipher.SealString("Browser test report"),
                PaymentAddress = wallet,
                AmountDemanded = 0.25m,
                Currency = "BTC",
                ConsentPolice = true,
            });
        }

        await db.SaveChangesAsync();
        return references;
    }

    private async Task<Guid> RecomputeAsync(string memberReference)
    {
        await using var scope = fixture.Portal.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await (from m in db.CampaignCases join c in db.Cases on m.CaseId equals c.Id where c.Reference == memberReference select m.CampaignId).SingleAsync();
    }
}
