using Microsoft.Playwright;

namespace Portal.Tests.Browser.Victim;

/// <summary>
/// The report form in steps, as a victim in crisis uses it (issue 15, defects 5 and 6): on a phone,
/// by keyboard, without JavaScript; nothing is lost going back, changing language or stopping; an
/// error's link lands with its question in view; the date field shows where the focus is.
/// </summary>
[Collection(VictimBrowserCollection.Name)]
public sealed class ReportStepsBrowserTests(VictimBrowserFixture fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Steps_OnAPhone_ByKeyboard_LoseNothing_AndSendTheReport(bool javaScript)
    {
        var page = await fixture.NewPageAsync("fi-FI", phone: true, javaScript: javaScript);
        var story = "Sain sähköpostin, jossa vaaditaan bitcoineja terapiamuistiinpanojeni vuoksi.";
        await page.GotoAsync("/report");
        Assert.Equal("Vaihe 1/6 – Portaali", await page.TitleAsync());
        Assert.Equal("Vaihe 1/6", (await page.InnerTextAsync(".step-count")).Trim());
        Assert.Contains("Miksi kysymme", await page.InnerTextAsync("#safety-why"), StringComparison.Ordinal);

        // Safety: "no", then "I'd rather not say", with the arrow keys as radio groups take them.
        await VictimBrowserFixture.TabToAsync(page, "#RiskSelfHarm");
        await page.Keyboard.PressAsync("ArrowDown");
        await VictimBrowserFixture.TabToAsync(page, "#RiskImmediateDanger");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await ContinueAsync(page, "what-happened");

        await VictimBrowserFixture.TabToAsync(page, "#WhatHappened");
        await page.Keyboard.TypeAsync(story);
        await ContinueAsync(page, "demand");

        // Back to the previous step by its link: the story is still there.
        await VictimBrowserFixture.TabToAsync(page, "a.back-link");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/report/what-happened");
        Assert.Equal(story, await page.InputValueAsync("#WhatHappened"));

        // A change of language keeps the answers too.
        await page.GetByRole(AriaRole.Button, new() { Name = "Svenska", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "sv");
        await fixture.WaitForUrlAsync(page, "**/report/what-happened");
        Assert.Equal(story, await page.InputValueAsync("#WhatHappened"));
        await ContinueAsync(page, "demand");

        await VictimBrowserFixture.TabToAsync(page, "#Paid");
        await page.Keyboard.PressAsync("Space");
        await VictimBrowserFixture.TabToAsync(page, "#DataPublished");
        await page.Keyboard.PressAsync("Space");
        await ContinueAsync(page, "sharing");

        await VictimBrowserFixture.TabToAsync(page, "#ConsentPolice");
        await page.Keyboard.PressAsync("Space");
        await ContinueAsync(page, "contact");

        await VictimBrowserFixture.TabToAsync(page, "#ContactPreference");
        await page.Keyboard.PressAsync("Space");
        await ContinueAsync(page, "check");

        // Stopping here and coming back later in a new tab of the same browser: where they left off.
        var later = await page.Context.NewPageAsync();
        await later.GotoAsync("/report");
        Assert.Equal("check", await later.GetAttributeAsync("[data-testid=report-step]", "data-step"));
        Assert.Equal(1, await later.Locator("[data-testid=resumed]").CountAsync());
        Assert.Equal(story, (await later.InnerTextAsync("[data-testid=check-what-happened]")).Trim());
        Assert.Equal("Jag vill inte säga", (await later.InnerTextAsync(".answers dd >> nth=1")).Trim());
        await later.CloseAsync();

        await VictimBrowserFixture.TabToAsync(page, "[data-testid=send]", limit: 80);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=receipt-key]");
        Assert.Matches("^VS-", (await page.InnerTextAsync("[data-testid=reference]")).Trim());
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ErrorLinks_LandWithTheQuestionInView_OnAPhone(bool javaScript)
    {
        var page = await fixture.NewPageAsync(phone: true, javaScript: javaScript);
        await page.GotoAsync("/report");
        await VictimBrowserFixture.TabToAsync(page, "[data-testid=continue]", limit: 80);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(".error-summary");
        Assert.Equal(
            ["#RiskSelfHarm", "#RiskImmediateDanger"],
            await page.Locator(".error-summary a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"));

        var first = true;
        foreach (var (link, legend) in new[] { ("#RiskSelfHarm", "#RiskSelfHarm-group legend"), ("#RiskImmediateDanger", "#RiskImmediateDanger-group legend") })
        {
            // The first link forwards from the top; the next one back up from the field the first led to.
            await page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await VictimBrowserFixture.TabToAsync(page, $".error-summary a[href='{link}']", backwards: !first);
            first = false;
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator(legend)).ToBeInViewportAsync(new() { Ratio = 1 });
            await Assertions.Expect(page.Locator(link)).ToBeInViewportAsync(new() { Ratio = 1 });
            var question = await page.Locator(legend).BoundingBoxAsync();
            var field = await page.Locator(link).BoundingBoxAsync();
            var exit = await page.Locator("[data-quick-exit]").BoundingBoxAsync();
            Assert.NotNull(question);
            Assert.NotNull(field);
            Assert.NotNull(exit);
            Assert.True(question.Y >= exit.Y + exit.Height && question.Y + question.Height <= 844, $"the question of {link} is not in view below quick exit: at {question.Y}");
            Assert.True(field.Y + field.Height <= 844, $"the field {link} is not in view: at {field.Y}");
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DateField_ShowsAFocusRing_AndItsHintDoesNotDescribeAFormat()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/report/what-happened");

        await VictimBrowserFixture.TabToAsync(page, "#EmailReceivedOn");

        var outline = await page.Locator("#EmailReceivedOn").EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth");
        Assert.StartsWith("solid", outline, StringComparison.Ordinal);
        Assert.DoesNotContain("2020-10-24", await page.InnerTextAsync("#EmailReceivedOn-hint"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    /// <summary>Presses the step's "Save and continue" by keyboard and waits for the next step.</summary>
    private async Task ContinueAsync(IPage page, string next)
    {
        await VictimBrowserFixture.TabToAsync(page, "[data-testid=continue]", limit: 80);
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/report/" + next);
    }
}
