using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Victim;

/// <summary>
/// The demo portal (the fixture's demo banner is on) as staff meet it while they train: the staff
/// pages are held to no axe violation at all, and reflow on a phone without scrolling sideways.
/// </summary>
[Collection(VictimBrowserCollection.Name)]
public sealed class DemoStaffPagesBrowserTests(VictimBrowserFixture fixture)
{
    [Fact]
    public async Task StaffPage_WithTheDemoBanner_OnAPhone_HasNoViolation_AndNoSidewaysScroll()
    {
        var page = await fixture.NewPageAsync(locale: "fi-FI", phone: true);
        await fixture.SignInAsync(page, await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Volunteer));

        Assert.True(await page.Locator(".demo-banner").IsVisibleAsync());
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"the page is {widths[0]} px wide on a {widths[1]} px screen");
        await VictimBrowserFixture.AssertNoViolationsAsync(page);
        await page.Context.CloseAsync();
    }
}
