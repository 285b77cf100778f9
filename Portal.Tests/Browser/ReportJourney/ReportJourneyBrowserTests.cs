using System.Security.Cryptography;
using System.Text;
using Microsoft.Playwright;

namespace Portal.Tests.Browser.ReportJourney;

/// <summary>
/// The whole victim journey in Chromium: home, guidance, a form with mistakes, a report, the
/// receipt, and coming back with it in a new browser, checked with axe-core on every page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportJourneyBrowserTests(BrowserFixture fixture)
{
    public static TheoryData<string, string, string, string> Languages => new()
    {
        // language, switcher button, a word the report page heading holds, the status shown
        { "en", "English", "report", "Received" },
        { "fi", "Suomi", "ilmoitus", "Vastaanotettu" },
    };

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Victim_ReportsGetsGuidanceAndReturnsWithReceipt(string language, string switcher, string headingWord, string receivedStatus)
    {
        var page = await fixture.NewPageAsync("en-GB");

        await page.GotoAsync("/");
        if (language != "en")
        {
            await page.GetByRole(AriaRole.Button, new() { Name = switcher, Exact = true }).ClickAsync();
            await fixture.WaitForUrlAsync(page, "**/");
        }

        Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
        await BrowserFixture.AssertAccessibleAsync(page);

        // Keyboard first: the first Tab lands on the skip link.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await page.EvaluateAsync<string>("() => document.activeElement.className"));

        await page.GotoAsync("/guidance");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.ClickAsync("a[href='/guidance/save-email-headers']");
        Assert.Contains("Thunderbird", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.ClickAsync("nav a[href='/report']");
        Assert.Contains(headingWord, (await page.InnerTextAsync("h1")).ToLowerInvariant(), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(page);

        // Sending it empty shows the error summary, focused, linking to each field.
        await page.ClickAsync("form.report-form button[type=submit]");
        await page.WaitForSelectorAsync(".error-summary");
        Assert.Equal("error-summary", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        Assert.True(await page.Locator(".error-summary a[href='#WhatHappened']").CountAsync() == 1);
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.ClickAsync(".error-summary a[href='#WhatHappened']");
        await page.FillAsync("#WhatHappened", "I received an email demanding 0.2 BTC or my therapy notes would be published.");
        await page.FillAsync("#SenderAddress", "blackmail@example.org");
        await page.FillAsync("#AmountDemanded", "0,2");
        await page.SelectOptionAsync("#Currency", "BTC");
        await page.CheckAsync("#RiskSelfHarm-no");
        await page.CheckAsync("#RiskImmediateDanger-no");
        await page.CheckAsync("#Paid");
        await page.CheckAsync("#DataPublished-Unsure");
        await page.CheckAsync("#ConsentPolice");
        await page.CheckAsync("#ContactPreference");
        await page.ClickAsync("form.report-form button[type=submit]");

        var reference = (await page.InnerTextAsync("[data-testid=reference]")).Trim();
        var key = (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim();
        Assert.Matches("^VS-[0-9A-Z]{4}-[0-9A-Z]{4}$", reference);
        Assert.Equal(29, key.Length);
        Assert.True(await page.Locator("[data-testid=guidance-step][data-slug=dont-pay]").CountAsync() == 1);
        await BrowserFixture.AssertAccessibleAsync(page);

        // Later, in another browser: reference and key open the case.
        var later = await fixture.NewPageAsync(language == "fi" ? "fi-FI" : "en-GB");
        await later.GotoAsync("/status/open");
        Assert.Equal(language, await later.GetAttributeAsync("html", "lang"));
        await BrowserFixture.AssertAccessibleAsync(later);
        await later.FillAsync("#Reference", reference.ToLowerInvariant());
        await later.FillAsync("#ReceiptKey", key);
        var opened = await later.RunAndWaitForResponseAsync(
            () => later.ClickAsync("main form button[type=submit]"),
            r => r.Url.EndsWith("/status/open", StringComparison.Ordinal) && r.Request.Method == "POST");
        if (opened.Status != 302)
        {
            Assert.Fail($"opening the case answered {opened.Status}: {await opened.TextAsync()}");
        }

        await fixture.WaitForUrlAsync(later, "**/status");
        Assert.Equal(reference, (await later.InnerTextAsync("[data-testid=reference]")).Trim());
        Assert.Equal(receivedStatus, (await later.InnerTextAsync("[data-testid=status]")).Trim());
        await BrowserFixture.AssertAccessibleAsync(later);

        await page.Context.CloseAsync();
        await later.Context.CloseAsync();
    }

    [Fact]
    public async Task Victim_UploadsTheEmail_SeesItsHash_AndConfirmsTheDetailsReadFromIt()
    {
        var page = await fixture.NewPageAsync("en-GB");
        await BrowserFixture.FileReportAsync(page, "I got an extortion email and saved it.");
        await page.ClickAsync("[data-testid=evidence-link]");
        await fixture.WaitForUrlAsync(page, "**/status/evidence");
        await BrowserFixture.AssertAccessibleAsync(page);

        var email = Encoding.UTF8.GetBytes(Support.EvidenceUploads.SampleEmail("Pay 0.25 BTC within 48 hours or everything is published."));
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "ransom.eml", MimeType = "message/rfc822", Buffer = email });
        await page.ClickAsync("form.upload-form button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=evidence-file]");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(email)), (await page.InnerTextAsync("[data-testid=evidence-sha256]")).Trim());

        // The email is read after the answer, by the job engine: the page says so and offers a link to look again.
        await Support.Eventually.WaitAsync(async () =>
        {
            if (await page.Locator("[data-testid=suggestion]").CountAsync() > 0)
            {
                return true;
            }

            await page.ClickAsync("[data-testid=analysis-pending] a");
            await fixture.WaitForUrlAsync(page, "**/status/evidence");
            return false;
        }, "the details read from the email to be offered");
        Assert.Equal("ransom@extortion.example", await page.InputValueAsync("#SenderAddress"));
        Assert.Equal("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", await page.InputValueAsync("#PaymentAddress"));
        Assert.Equal("0.25", await page.InputValueAsync("#AmountDemanded"));
        Assert.Equal("BTC", await page.InputValueAsync("#Currency"));
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.ClickAsync("[data-testid=suggestion] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**/status/evidence?confirmed=1");
        Assert.Equal(0, await page.Locator("[data-testid=suggestion]").CountAsync());
        var receipt = await page.Context.APIRequest.GetAsync("/status/evidence/receipt");
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(email)), await receipt.TextAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
