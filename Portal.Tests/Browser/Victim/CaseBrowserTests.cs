using System.Net;
using System.Text;
using Microsoft.Playwright;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Victim;

/// <summary>
/// The victim's case in Chromium (issue 15): closing and reopening it, withdrawing consent and
/// seeing a partner's access end, the receipt across a change of language and the back button,
/// print only where it works, crisis numbers to tap, evidence readable on a phone.
/// </summary>
[Collection(VictimBrowserCollection.Name)]
public sealed class CaseBrowserTests(VictimBrowserFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CaseIsClosed_ByKeyboard_AndOpensAgainWithTheReceipt(bool javaScript)
    {
        var page = await fixture.NewPageAsync(phone: true, javaScript: javaScript);
        await fixture.OpenDemoCaseAsync(page);

        await VictimBrowserFixture.TabToAsync(page, "[data-testid=close]", limit: 120);
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/status/closed");
        Assert.Equal(1, await page.Locator("[data-testid=case-closed]").CountAsync());
        await page.GotoAsync("/status");
        await fixture.WaitForUrlAsync(page, "**/status/open**");

        await fixture.OpenDemoCaseAsync(page);
        Assert.Equal(VictimBrowserFixture.DemoReference, (await page.InnerTextAsync("[data-testid=reference]")).Trim());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WithdrawingConsent_OnThePhone_EndsThePolicesAccess()
    {
        var portal = fixture.Portal;
        var region = "etela-karjala";
        var victim = await fixture.NewPageAsync(phone: true, javaScript: false);
        var (reference, key) = await fixture.FileReportAsync(victim, region: region, policeConsent: true);
        var caseId = await RoutingSteps.WithDbAsync(portal, db => Task.FromResult(db.Cases.Single(c => c.Reference == reference).Id));
        var police = await RoutingSteps.AddPartnerAsync(portal, PartnerType.Police, region);
        var officer = await StaffAccounts.CreateAsync(portal, StaffRoles.Police);
        await RoutingSteps.WithDbAsync(portal, async db =>
        {
            db.Users.Single(u => u.Email == officer.Email).PartnerId = police.Id;
            return await db.SaveChangesAsync();
        });
        var referralId = await RoutingSteps.WithDbAsync(portal, async db =>
        {
            var entity = db.Cases.Single(c => c.Id == caseId);
            var referral = ReferralRules.Create(entity, PartnerType.Police, portal.Clock.GetUtcNow().UtcDateTime);
            db.Referrals.Add(referral);
            await db.SaveChangesAsync();
            return referral.Id;
        });
        Assert.Equal(RoutingOutcome.Routed, await RoutingSteps.RouteAsync(portal, referralId));

        var officerPage = await fixture.NewPageAsync();
        await fixture.SignInAsync(officerPage, officer);
        var detail = await officerPage.GotoAsync($"/partner/referrals/{referralId}");
        Assert.Equal((int)HttpStatusCode.OK, detail?.Status);

        await victim.GotoAsync("/status");
        Assert.Contains("thoughts of harming yourself", await victim.InnerTextAsync("[data-testid=consent-police]"), StringComparison.Ordinal);
        await VictimBrowserFixture.TabToAsync(victim, "[data-testid=consent-police-change]", limit: 150);
        await victim.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(victim, "**/status?done=police-withdrawn#consent");
        Assert.Contains("no longer see", await victim.InnerTextAsync("[data-testid=case-notice]"), StringComparison.Ordinal);
        Assert.Equal(1, await victim.Locator("[data-testid=consent-police-change]").CountAsync());

        var gone = await officerPage.GotoAsync($"/partner/referrals/{referralId}");
        Assert.Equal((int)HttpStatusCode.NotFound, gone?.Status);
        await officerPage.GotoAsync("/partner/referrals");
        Assert.DoesNotContain(reference, await officerPage.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.NotEmpty(key);
        await victim.Context.CloseAsync();
        await officerPage.Context.CloseAsync();
    }

    [Fact]
    public async Task Receipt_KeepsItsKey_AcrossALanguageChange_AndTheBackButton()
    {
        var page = await fixture.NewPageAsync();
        var (reference, key) = await fixture.FileReportAsync(page);
        await fixture.WaitForUrlAsync(page, "**/report/receipt");

        await page.GetByRole(AriaRole.Button, new() { Name = "Suomi", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "fi");
        Assert.Equal(key, (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim());
        Assert.Equal(reference, (await page.InnerTextAsync("[data-testid=reference]")).Trim());

        await page.GotoAsync("/status");
        var back = await page.GoBackAsync();
        Assert.Equal((int)HttpStatusCode.OK, back?.Status);
        Assert.Equal(key, (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim());
        Assert.Contains("/status/open", await page.InnerTextAsync("[data-testid=receipt-use]"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PrintButton_ShowsOnlyWhereItWorks(bool javaScript)
    {
        var page = await fixture.NewPageAsync(javaScript: javaScript);
        await fixture.FileReportAsync(page);

        Assert.Equal(javaScript, await page.Locator("[data-testid=receipt-print]").IsVisibleAsync());
        Assert.True(await page.Locator("[data-testid=receipt-download]").IsVisibleAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Receipt_Printed_ShowsTheKeyAndWhereToUseIt_WithoutTheButtons()
    {
        var page = await fixture.NewPageAsync();
        var (reference, key) = await fixture.FileReportAsync(page);

        await page.EmulateMediaAsync(new() { Media = Media.Print });

        Assert.Equal("print", await page.EvaluateAsync<string>("() => matchMedia('print').matches ? 'print' : 'screen'"));
        Assert.True(await page.Locator("[data-testid=receipt-key]").IsVisibleAsync());
        Assert.Equal(key, (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim());
        Assert.True(await page.Locator("[data-testid=reference]").IsVisibleAsync());
        Assert.Equal(reference, (await page.InnerTextAsync("[data-testid=reference]")).Trim());
        var use = page.Locator("[data-testid=receipt-use]");
        Assert.True(await use.IsVisibleAsync());
        Assert.Contains("/status/open", await use.InnerTextAsync(), StringComparison.Ordinal);
        Assert.False(await page.Locator("[data-testid=receipt-download]").IsVisibleAsync());
        Assert.False(await page.Locator("[data-quick-exit]").IsVisibleAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task CrisisNumbers_CanBeTappedToCall_WithWhenTheyAnswer()
    {
        var page = await fixture.NewPageAsync("fi-FI", phone: true);
        await fixture.FileReportAsync(page, selfHarm: true);

        var panel = page.Locator("[data-testid=crisis-panel]");
        Assert.True(await panel.Locator("a[href='tel:112']").IsVisibleAsync());
        Assert.True(await panel.Locator("a[href='tel:+358925250111']").IsVisibleAsync());
        Assert.True(await panel.Locator("a[href='tel:116006']").IsVisibleAsync());
        Assert.Contains("ympäri vuorokauden", await panel.InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        var box = await panel.Locator("a[href='tel:112']").BoundingBoxAsync();
        Assert.True(box is { Height: >= 24, Width: >= 24 }, "the 112 link is too small to tap");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Evidence_OnAPhone_ReadsWithoutSideScrolling_FingerprintOneStepAway()
    {
        var page = await fixture.NewPageAsync(phone: true);
        await fixture.FileReportAsync(page);
        await page.GotoAsync("/status/evidence");
        var name = "screenshot-of-the-extortion-email-that-arrived-on-the-twentieth-of-november.txt";
        await page.SetInputFilesAsync("#file", new FilePayload { Name = name, MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes("Pay 0.2 BTC or your notes are published.") });
        await page.ClickAsync("form.upload-form button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=evidence-file]");

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the evidence page scrolls sideways on a phone");
        var fileName = await page.Locator("[data-testid=evidence-file] .file-name").BoundingBoxAsync();
        Assert.True(fileName is { Width: > 250 }, $"the file name is squeezed to {fileName?.Width}px");
        Assert.False(await page.Locator("[data-testid=evidence-sha256]").IsVisibleAsync());
        await page.Locator("[data-testid=evidence-file] summary").ClickAsync();
        Assert.True(await page.Locator("[data-testid=evidence-sha256]").IsVisibleAsync());
        await VictimBrowserFixture.AssertNoViolationsAsync(page);
        await page.Context.CloseAsync();
    }
}
