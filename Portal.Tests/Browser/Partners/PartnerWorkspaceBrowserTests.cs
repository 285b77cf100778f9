using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Partners;

/// <summary>
/// The partner workspace in Chromium: a victim reports (with a region), the case is referred to
/// a counselling partner and the police, a counsellor acknowledges in Finnish, an officer records
/// a report number that the victim then sees, and the admin's partner form shows its errors;
/// every page checked with axe-core.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PartnerWorkspaceBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Counsellor_Acknowledges_Police_RecordAReportNumber_TheVictimSeesIt()
    {
        var victim = await fixture.NewPageAsync("en-GB");
        var reference = await BrowserFixture.FileReportAsync(victim, "An email demanded money for my therapy notes.", more: async page =>
        {
            await page.SelectOptionAsync("#Region", "varsinais-suomi");
            await page.CheckAsync("#ConsentPolice");
            await page.CheckAsync("#ConsentCounselling");
        });
        var receiptKey = (await victim.InnerTextAsync("[data-testid=receipt-key]")).Trim();
        await victim.Context.CloseAsync();

        var counselling = await RoutingSteps.AddPartnerAsync(fixture.Portal, PartnerType.Counselling, "varsinais-suomi");
        var police = await RoutingSteps.AddPartnerAsync(fixture.Portal, PartnerType.Police, "varsinais-suomi");
        var referrals = await ReferAsync(reference);
        var counsellor = await StaffWithPartnerAsync(counselling.Id, StaffRoles.Counsellor);
        var officer = await StaffWithPartnerAsync(police.Id, StaffRoles.Police);

        var page = await SignInAsync(counsellor, "fi-FI");
        await page.ClickAsync("a[href='/partner/referrals']");
        Assert.Equal("fi", await page.GetAttributeAsync("html", "lang"));
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.ClickAsync($"[data-testid=referral-row][data-reference='{reference}'] a");
        await page.WaitForSelectorAsync("[data-testid=acknowledge]");
        Assert.Contains("Varsinais-Suomi", await page.InnerTextAsync("[data-testid=region]"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=narrative]").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Locator("[data-testid=acknowledge]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, $"**/partner/referrals/{referrals[PartnerType.Counselling]}?done=Acknowledge");
        Assert.Equal("Kuitattu", (await page.InnerTextAsync("[data-testid=referral-status]")).Trim());
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();

        page = await SignInAsync(officer, "en-GB");
        await page.GotoAsync($"/partner/referrals/{referrals[PartnerType.Police]}");
        await page.ClickAsync("[data-testid=acknowledge]");
        await fixture.WaitForUrlAsync(page, "**?done=Acknowledge");
        await page.FillAsync("#report-number-input", "bad <number>");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(".error-summary");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.FillAsync("#report-number-input", "5500/R/4321/26");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**?done=RecordPoliceReportNumber");
        Assert.Equal("5500/R/4321/26", (await page.InnerTextAsync("[data-testid=report-number]")).Trim());
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();

        var returning = await fixture.NewPageAsync("en-GB");
        await returning.GotoAsync("/status/open");
        await returning.FillAsync("#Reference", reference);
        await returning.FillAsync("#ReceiptKey", receiptKey);
        await returning.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(returning, "**/status");
        Assert.Equal("5500/R/4321/26", (await returning.InnerTextAsync("[data-testid=police-report-number]")).Trim());
        await BrowserFixture.AssertAccessibleAsync(returning);
        await returning.Context.CloseAsync();

        var admin = await SignInAsync(await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin), "sv-SE");
        await admin.ClickAsync("a[href='/admin/partners']");
        Assert.Equal(1, await admin.Locator($"[data-testid=partner-row][data-name='{counselling.Name}']").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(admin);
        await admin.ClickAsync("a[href='/admin/partners/new']");
        await admin.FillAsync("#DailyCapacity", "many");
        await admin.ClickAsync("form[action='/admin/partners/new'] button[type=submit]");
        await admin.WaitForSelectorAsync(".error-summary");
        Assert.Equal(1, await admin.Locator(".error-summary a[href='#DailyCapacity']").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(admin);
        await admin.Context.CloseAsync();
    }

    /// <summary>What the triage decision and the routing job do, done directly: this test is about the pages.</summary>
    private async Task<Dictionary<PartnerType, long>> ReferAsync(string reference)
    {
        var ids = new Dictionary<PartnerType, long>();
        await using (var scope = fixture.Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var entity = db.Cases.Single(c => c.Reference == reference);
            foreach (var type in new[] { PartnerType.Counselling, PartnerType.Police })
            {
                var referral = ReferralRules.Create(entity, type, fixture.Portal.Clock.GetUtcNow().UtcDateTime);
                db.Referrals.Add(referral);
                await db.SaveChangesAsync();
                ids[type] = referral.Id;
            }
        }

        foreach (var id in ids.Values)
        {
            Assert.Equal(RoutingOutcome.Routed, await RoutingSteps.RouteAsync(fixture.Portal, id));
        }

        return ids;
    }

    private async Task<StaffAccount> StaffWithPartnerAsync(long partnerId, string role)
    {
        var account = await StaffAccounts.CreateAsync(fixture.Portal, role);
        await RoutingSteps.WithDbAsync(fixture.Portal, async db =>
        {
            var user = db.Users.Single(u => u.Email == account.Email);
            user.PartnerId = partnerId;
            return await db.SaveChangesAsync();
        });
        return account;
    }

    private async Task<IPage> SignInAsync(StaffAccount account, string locale)
    {
        var page = await fixture.NewPageAsync(locale);
        await fixture.SignInAsync(page, account);
        return page;
    }
}
