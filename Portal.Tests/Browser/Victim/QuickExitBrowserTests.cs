using Microsoft.Playwright;

namespace Portal.Tests.Browser.Victim;

/// <summary>
/// Quick exit on every public page (issue 15, defect 2), on a phone and a desktop, with and
/// without JavaScript, by keyboard: always within reach (fixed to the screen), it ends the case
/// session on the server, leaves no portal cookie behind, and going back shows nothing of the case.
/// </summary>
[Collection(VictimBrowserCollection.Name)]
public sealed class QuickExitBrowserTests(VictimBrowserFixture fixture)
{
    private static readonly string[] Pages =
    [
        "/",
        "/report",
        "/report/what-happened",
        "/report/all",
        "/guidance",
        "/guidance/crisis-help",
        "/updates",
        "/privacy",
        "/status/open",
        "/status/new-key",
        "/status",
        "/status/evidence",
    ];

    /// <summary>
    /// The other public pages: the rest of the report's steps, the case file's pages and every
    /// guidance article. Each is visited in one of the four ways (phone or desktop, with or
    /// without JavaScript), in turn, so that all of them are covered without visiting each four times.
    /// </summary>
    private static readonly string[] MorePages =
    [
        "/report/demand",
        "/report/sharing",
        "/report/contact",
        "/report/check",
        "/status/diary",
        "/status/documents",
        "/status/case-file",
        .. Directory.GetFiles(Portal.Tests.Support.RepositoryFiles.PathOf("Portal.Web", "Guidance", "en"), "*.md")
            .Select(f => "/guidance/" + Path.GetFileNameWithoutExtension(f))
            .Where(path => path != "/guidance/crisis-help")
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task QuickExit_OnEveryPublicPage_EndsTheVisit(bool phone, bool javaScript)
    {
        var page = await fixture.NewPageAsync(phone: phone, javaScript: javaScript);
        var viewport = page.ViewportSize ?? throw new InvalidOperationException("no viewport");
        var failed = new List<string>();
        page.RequestFailed += (_, request) => failed.Add($"{request.Url} {request.Failure}");
        var way = (phone ? 2 : 0) + (javaScript ? 1 : 0);
        foreach (var path in Pages.Concat(MorePages.Where((_, i) => i % 4 == way)))
        {
            // Every page is visited with the case open, so each exit has a session to end.
            await fixture.OpenDemoCaseAsync(page);
            await page.GotoAsync(path);
            Assert.True(new Uri(page.Url).AbsolutePath == path, $"{path} went to {page.Url}");

            // No tab title names the topic, so neither does the history left behind: the site's
            // neutral name, on the report's steps after where the visitor is in the form.
            Assert.Matches(@"^(Step \d+ of \d+ – )?Portal$", await page.TitleAsync());

            // Scrolled to the very end of the page, the button is still on screen.
            await page.Locator("footer").ScrollIntoViewIfNeededAsync();
            if (path == "/report/all")
            {
                Assert.True(await page.EvaluateAsync<double>("() => window.scrollY") > 200, "the long form did not scroll");
            }

            var box = await page.Locator("[data-quick-exit]").BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Y >= 0 && box.Y + box.Height <= viewport.Height && box.X >= 0 && box.X + box.Width <= viewport.Width, $"quick exit is off screen on {path}: {box.X},{box.Y} {box.Width}x{box.Height}");

            // By keyboard from the top of the page: the skip link, the site's name, then quick exit.
            await page.ReloadAsync();
            await VictimBrowserFixture.TabToAsync(page, "[data-quick-exit]", limit: 4);
            await page.Keyboard.PressAsync("Enter");
            try
            {
                await fixture.WaitForUrlAsync(page, VictimBrowserFixture.NeutralSite + "**");
            }
            catch (Xunit.Sdk.FailException failure)
            {
                Assert.Fail($"quick exit on {path} did not arrive ({NeutralSiteServer.Answered} answers from the neutral site; failed requests: {string.Join(", ", failed)}): {failure.Message}");
            }

            var cookies = await page.Context.CookiesAsync([fixture.BaseUrl]);
            Assert.True(cookies.Count == 0, $"after quick exit on {path} the browser still holds: {string.Join(", ", cookies.Select(c => c.Name))}");

            // Back returns at most to a portal page that shows nothing of the case.
            await page.GoBackAsync();
            if (javaScript)
            {
                Assert.False(page.Url.EndsWith(path, StringComparison.Ordinal) && path != "/", $"with JavaScript the exited page {path} stays in the history");
            }

            Assert.DoesNotContain(VictimBrowserFixture.DemoReference, await page.ContentAsync(), StringComparison.Ordinal);

            // Coming back by typing the case page's address: it asks for the receipt again.
            await page.GotoAsync("/status");
            await fixture.WaitForUrlAsync(page, "**/status/open**");
            Assert.DoesNotContain(VictimBrowserFixture.DemoReference, await page.ContentAsync(), StringComparison.Ordinal);
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task QuickExit_EndsTheSessionForACopyOfTheCookieToo()
    {
        var victim = await fixture.NewPageAsync();
        await fixture.OpenDemoCaseAsync(victim);
        var cookie = Assert.Single(await victim.Context.CookiesAsync([fixture.BaseUrl]), c => c.Name == "portal-case");

        // Someone copied the cookie to another browser before the victim left.
        var copy = await fixture.NewPageAsync();
        await copy.Context.AddCookiesAsync([new Cookie { Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path }]);
        await copy.GotoAsync("/status");
        Assert.Contains(VictimBrowserFixture.DemoReference, await copy.InnerTextAsync("main"), StringComparison.Ordinal);

        await victim.Keyboard.PressAsync("Escape");
        await victim.Keyboard.PressAsync("Escape");
        await fixture.WaitForUrlAsync(victim, VictimBrowserFixture.NeutralSite + "**");

        await copy.GotoAsync("/status");
        await fixture.WaitForUrlAsync(copy, "**/status/open**");
        Assert.DoesNotContain(VictimBrowserFixture.DemoReference, await copy.InnerTextAsync("main"), StringComparison.Ordinal);
        await victim.Context.CloseAsync();
        await copy.Context.CloseAsync();
    }
}
