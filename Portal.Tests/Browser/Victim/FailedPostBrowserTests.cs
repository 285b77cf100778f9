namespace Portal.Tests.Browser.Victim;

/// <summary>
/// A form refused without JavaScript: nothing moves focus to the error summary, so the page the
/// browser shows must open where the summary is, and the next Tab must reach it.
/// </summary>
[Collection(VictimBrowserCollection.Name)]
public sealed class FailedPostBrowserTests(VictimBrowserFixture fixture)
{
    [Fact]
    public async Task EmptyReply_OnAPhoneWithoutJavaScript_OpensAtTheErrorSummary_AndTabReachesIt()
    {
        var page = await fixture.NewPageAsync(locale: "fi-FI", phone: true, javaScript: false);
        await fixture.OpenDemoCaseAsync(page);

        await page.ClickAsync("[data-testid=reply-form] button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=messages] .error-summary");

        // The reply form is far below the case's summary: answered from the top of the page, the
        // victim would see the page they left, unchanged, and never learn the message was not sent.
        var summary = page.Locator("[data-testid=messages] .error-summary");
        var box = await summary.BoundingBoxAsync() ?? throw new InvalidOperationException("The error summary is not shown.");
        var viewport = page.ViewportSize ?? throw new InvalidOperationException("The page has no viewport.");
        Assert.True(box.Y >= 0 && box.Y + box.Height <= viewport.Height, $"the error summary is at {box.Y}–{box.Y + box.Height}, outside the screen's 0–{viewport.Height}");

        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.Locator("[data-testid=messages] .error-summary a[href='#Body']").EvaluateAsync<bool>("e => e === document.activeElement"), "the first Tab did not reach the error's link");
        await page.Context.CloseAsync();
    }
}
