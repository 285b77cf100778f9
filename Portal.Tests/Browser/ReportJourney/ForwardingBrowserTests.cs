using Portal.Tests.Integration.Evidence;
using Portal.Tests.Integration.Jobs;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Browser.ReportJourney;

/// <summary>The forwarding address as the victim meets it: on the receipt, replaced on the case page, and what they forward in their evidence.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ForwardingBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Victim_KeepsTheAddress_GetsANewOne_AndSeesWhatTheyForwardedInTheirEvidence()
    {
        var page = await fixture.NewPageAsync("en-GB");
        await BrowserFixture.FileReportAsync(page, "I got an extortion email and will forward it.");
        var first = (await page.InnerTextAsync("[data-testid=forwarding-address]")).Trim();
        Assert.Matches(@"^intake\+[0-9a-z]{24}@", first);
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.GotoAsync("/status");
        Assert.Equal(0, await page.Locator("[data-testid=forwarding-address]").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(page);

        // By keyboard: focus the button and press Enter.
        await page.FocusAsync("[data-testid=forwarding-replace] button");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=forwarding-address]");
        var second = (await page.InnerTextAsync("[data-testid=forwarding-address]")).Trim();
        Assert.NotEqual(first, second);
        await BrowserFixture.AssertAccessibleAsync(page);

        // The page itself, as any public page: neutral in the tab, quick exit at hand, no axe violation.
        await page.GotoAsync("/status/forwarding-address");
        Assert.Equal("Portal", await page.TitleAsync());
        Assert.True(await page.Locator("[data-quick-exit]").IsVisibleAsync());
        Assert.Equal(1, await page.Locator("[data-testid=forwarding-replace] button").CountAsync());
        await BrowserFixture.AssertNoViolationsAsync(page);

        await fixture.Intake.AppendAsync(ForwardedMail.AsAttachment(second, ForwardedMail.Crlf(EvidenceUploads.SampleEmail())));
        Assert.NotNull(fixture.Portal.RunRecurring(PortalJobKeys.ForwardingIntake));
        await Eventually.WaitAsync(async () => await fixture.Intake.CountAsync() == 0, "the forwarded email to be taken from the mailbox");

        await page.GotoAsync("/status/evidence");
        Assert.Equal("Your therapy records.eml", (await page.InnerTextAsync("[data-testid=evidence-file] .file-name")).Trim());
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }
}
