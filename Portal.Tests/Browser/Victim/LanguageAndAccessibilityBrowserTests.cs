using Microsoft.Playwright;

namespace Portal.Tests.Browser.Victim;

/// <summary>
/// Every public page, in English, Finnish and Swedish, demo banner on: the language is switched by
/// keyboard and the same page comes back in it, and axe-core finds no violation of any impact
/// (issue 15, defect 12), also on pages showing errors, the receipt and the case pages.
/// </summary>
[Collection(VictimBrowserCollection.Name)]
public sealed class LanguageAndAccessibilityBrowserTests(VictimBrowserFixture fixture)
{
    private static readonly string[] AnonymousPages =
    [
        "/",
        "/report",
        "/report/what-happened",
        "/report/demand",
        "/report/sharing",
        "/report/contact",
        "/report/check",
        "/report/all",
        "/guidance",
        "/guidance/crisis-help",
        "/updates",
        "/privacy",
        "/status/open",
        "/status/new-key",
        "/status/closed",
        "/no-such-page",
    ];

    private static readonly string[] CasePages =
    [
        "/status",
        "/status/evidence",
        "/status/diary",
        "/status/documents",
        "/status/case-file",
    ];

    /// <summary>Every other guidance article, by the English files' names (the other languages have the same ones).</summary>
    private static readonly string[] GuidanceArticles =
    [
        .. Directory.GetFiles(Portal.Tests.Support.RepositoryFiles.PathOf("Portal.Web", "Guidance", "en"), "*.md")
            .Select(f => "/guidance/" + Path.GetFileNameWithoutExtension(f))
            .Where(path => path != "/guidance/crisis-help")
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryPublicPage_InEveryLanguage_SwitchesByKeyboard_AndHasNoAxeViolation(bool phone)
    {
        var page = await fixture.NewPageAsync(phone: phone);
        foreach (var path in AnonymousPages)
        {
            await CheckInEveryLanguageAsync(page, path);
        }

        // The articles share one view: each is checked in every language on the desktop, and on
        // the phone in one language in turn (the phone's concern is the width, not the words).
        (string, string)[] languages = [("en", "English"), ("fi", "Suomi"), ("sv", "Svenska")];
        for (var i = 0; i < GuidanceArticles.Length; i++)
        {
            await CheckInEveryLanguageAsync(page, GuidanceArticles[i], phone ? [languages[i % languages.Length]] : languages);
        }

        // The case pages, with the case open.
        await fixture.OpenDemoCaseAsync(page);
        foreach (var path in CasePages)
        {
            await CheckInEveryLanguageAsync(page, path);
        }

        // Pages that answer a post: a step with its errors, a failed lookup, a new key asked for, the receipt with crisis help.
        await page.GotoAsync("/report");
        await page.ClickAsync("[data-testid=continue]");
        await page.WaitForSelectorAsync(".error-summary");
        await VictimBrowserFixture.AssertNoViolationsAsync(page);

        await page.GotoAsync("/status/open");
        await page.FillAsync("#Reference", "VS-AAAA-AAAA");
        await page.FillAsync("#ReceiptKey", "nonsense");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(".error-summary");
        await VictimBrowserFixture.AssertNoViolationsAsync(page);

        await page.GotoAsync("/status/new-key");
        await page.FillAsync("#Reference", "VS-AAAA-AAAA");
        await page.FillAsync("#Email", "someone@example.org");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=new-key-requested]");
        await VictimBrowserFixture.AssertNoViolationsAsync(page);

        await fixture.FileReportAsync(page, selfHarm: true);
        await VictimBrowserFixture.AssertNoViolationsAsync(page);
        await CheckInEveryLanguageAsync(page, "/report/receipt");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task OnADiaryWithAnError_ChangingLanguage_ShowsTheErrorAndTheWordsInThatLanguage()
    {
        var page = await fixture.NewPageAsync();
        await fixture.FileReportAsync(page);
        await page.GotoAsync("/status/diary");
        await page.FillAsync("#OccurredOn", "2999-01-01");
        await page.FillAsync("#Text", "Soitin pankkiin kiristyksestä.");
        await page.Locator("[data-testid=diary-form] button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync(".error-summary");
        var english = await page.Locator("#OccurredOn-error").TextContentAsync();

        // The browser follows the switcher's 307 by posting the form again, in Swedish now.
        await page.GetByRole(AriaRole.Button, new() { Name = "Svenska", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "sv");

        Assert.Equal("Soitin pankkiin kiristyksestä.", await page.InputValueAsync("#Text"));
        var swedish = await page.Locator("#OccurredOn-error").TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(swedish));
        Assert.NotEqual(english, swedish);
        await VictimBrowserFixture.AssertNoViolationsAsync(page);
        await page.Context.CloseAsync();
    }

    /// <summary>On the page in English, then Finnish, then Swedish (chosen with the keyboard), or only in <paramref name="only"/>, checked with axe each time.</summary>
    private async Task CheckInEveryLanguageAsync(IPage page, string path, (string Language, string Button)[]? only = null)
    {
        await page.GotoAsync(path);
        foreach (var (language, button) in only ?? [("en", "English"), ("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")])
        {
            if (await page.GetAttributeAsync("html", "lang") != language)
            {
                await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).FocusAsync();
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            }

            Assert.Equal(path, new Uri(page.Url).AbsolutePath);
            Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
            await VictimBrowserFixture.AssertNoViolationsAsync(page);
            Assert.True(
                await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
                $"{path} in {language} scrolls sideways at {page.ViewportSize?.Width}px");
        }
    }
}
