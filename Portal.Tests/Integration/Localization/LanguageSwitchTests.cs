using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Localization;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Localization;

/// <summary>The language switcher, pressed on pages a browser reached by a form post.</summary>
public sealed class LanguageSwitchTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task AfterAMessageWithAnError_SwitchingLanguage_ShowsTheErrorAndTheWordsInThatLanguage()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var casePage = await victim.Client.GetPageAsync("/status");
        var tooLong = "Minulla on kysymys. " + new string('x', Portal.Core.Features.Messaging.SendMessage.MaxLength);
        using var refused = await victim.Client.SubmitAsync(casePage, "/status/messages", new Dictionary<string, string?> { ["Body"] = tooLong });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var errorPage = await HtmlForms.ParseAsync(refused);

        using var shown = await SwitchAsync(victim.Client, errorPage, "sv", "/status/messages");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, shown.StatusCode);
        var page = await HtmlForms.ParseAsync(shown);
        Assert.Equal("sv", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal(tooLong, page.QuerySelector("#Body")?.TextContent);
        var error = page.QuerySelector("#Body-error")?.TextContent ?? "";
        Assert.NotEqual("", error);
        Assert.NotEqual(errorPage.QuerySelector("#Body-error")?.TextContent, error);
        Assert.Equal(0, await factory.QueryAsync(db => db.CaseMessages.CountAsync(m => m.CaseId == victim.Case.Id)));
    }

    [Fact]
    public async Task OnTheOnePageForm_AfterAnError_SwitchingLanguage_KeepsWhatWasTyped_AndNothingIsLeftOnceSent()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report/all");
        var answers = ReportAnswers.Valid("Sähköpostissa uhattiin julkaista terapiamuistiinpanoni.");
        answers["SenderAddress"] = "not an address";
        var cases = await factory.QueryAsync(db => db.Cases.CountAsync());
        using var failed = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.StatusCode);
        var errorPage = await HtmlForms.ParseAsync(failed);

        using var switched = await SwitchAsync(client, errorPage, "fi", "/report");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, switched.StatusCode);
        var shown = await HtmlForms.ParseAsync(switched);
        Assert.Equal("fi", shown.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Sähköpostissa uhattiin julkaista terapiamuistiinpanoni.", shown.QuerySelector("#WhatHappened")?.TextContent.Trim());
        Assert.Equal("not an address", shown.QuerySelector("#SenderAddress")?.GetAttribute("value"));
        Assert.NotNull(shown.QuerySelector("#SenderAddress-error"));
        Assert.Equal(errorPage.QuerySelector("input[name=SubmissionId]")?.GetAttribute("value"), shown.QuerySelector("input[name=SubmissionId]")?.GetAttribute("value"));
        Assert.Equal(cases, await factory.QueryAsync(db => db.Cases.CountAsync()));

        // The same page opened again later (the draft kept it) still holds what was typed.
        var later = await client.GetPageAsync("/report/all");
        Assert.Equal("not an address", later.QuerySelector("#SenderAddress")?.GetAttribute("value"));

        // Corrected and sent: filed, and the kept answers are not offered to whoever opens the form next.
        answers["SenderAddress"] = "extort@example.org";
        using var sent = await client.SubmitAsync(shown, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.NotNull((await HtmlForms.ParseAsync(sent)).QuerySelector("[data-testid=receipt-key]"));
        var next = await client.GetPageAsync("/report/all");
        Assert.Equal("", next.QuerySelector("#WhatHappened")?.TextContent.Trim());
        Assert.NotEqual(errorPage.QuerySelector("input[name=SubmissionId]")?.GetAttribute("value"), next.QuerySelector("input[name=SubmissionId]")?.GetAttribute("value"));
        Assert.Equal("", (await client.GetPageAsync("/report/what-happened")).QuerySelector("#WhatHappened")?.TextContent.Trim());
    }

    [Fact]
    public async Task OnAReportStep_AfterAnError_SwitchingLanguage_ShowsTheErrorsInThatLanguage_AndStaysOnTheStep()
    {
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/report/what-happened");
        using var failed = await client.SubmitAsync(page, "/report", new Dictionary<string, string?> { ["step"] = "what-happened", ["EmailReceivedOn"] = "2026-02-30" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.StatusCode);

        using var switched = await SwitchAsync(client, await HtmlForms.ParseAsync(failed), "sv", "/report");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, switched.StatusCode);
        var shown = await HtmlForms.ParseAsync(switched);
        Assert.Equal("sv", shown.DocumentElement.GetAttribute("lang"));
        Assert.Equal("what-happened", shown.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));
        Assert.NotNull(shown.QuerySelector(".error-summary"));
        Assert.Equal("2026-02-30", shown.QuerySelector("#EmailReceivedOn")?.GetAttribute("value"));
    }

    [Fact]
    public async Task InTheDiary_AfterAnError_SwitchingLanguage_KeepsTheErrorAndTheText()
    {
        var (client, filed) = await CaseFileSteps.FileAsync(factory);
        var diary = await client.GetPageAsync("/status/diary");
        using var failed = await client.SubmitAsync(diary, "/status/diary", new Dictionary<string, string?> { ["OccurredOn"] = "2026-02-30", ["Kind"] = "Call", ["Text"] = "Soitin pankkiin kiristyksestä." });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.StatusCode);

        using var switched = await SwitchAsync(client, await HtmlForms.ParseAsync(failed), "fi", "/status/diary");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, switched.StatusCode);
        var shown = await HtmlForms.ParseAsync(switched);
        Assert.Equal("fi", shown.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Soitin pankkiin kiristyksestä.", shown.QuerySelector("#Text")?.TextContent);
        Assert.NotNull(shown.QuerySelector("#OccurredOn-error"));
        Assert.False(await factory.QueryAsync(db => db.DiaryEntries.AnyAsync(d => d.CaseId == filed.Id)));
    }

    [Fact]
    public async Task AFormSentAgainForALanguage_ThatIsValid_IsShown_NeverActedOn()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var casePage = await victim.Client.GetPageAsync("/status");
        var values = HtmlForms.DefaultValues(casePage.Form("/status/messages"));
        values["Body"] = "A message nobody pressed Send for.";
        values[LanguageReplay.Field] = "/status/messages";

        using var replayed = await victim.Client.PostAsync("/status/messages", new FormUrlEncodedContent(values));

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal("A message nobody pressed Send for.", (await HtmlForms.ParseAsync(replayed)).QuerySelector("#Body")?.TextContent);
        Assert.Equal(0, await factory.QueryAsync(db => db.CaseMessages.CountAsync(m => m.CaseId == victim.Case.Id)));
    }

    [Fact]
    public async Task TheSwitcher_SendsAFormAgain_OnlyToAnActionThatAllowsIt()
    {
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/report");
        foreach (var target in new[] { "/status/open", "/report/receipt/saved", "//evil.example/x", "https://evil.example/status/messages", "/status/messages?x=1" })
        {
            var values = HtmlForms.DefaultValues(page.Form("/language"));
            values["language"] = "fi";
            values[LanguageReplay.Field] = target;
            using var switched = await client.PostAsync("/language", new FormUrlEncodedContent(values));
            Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
            Assert.DoesNotContain("evil", switched.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Presses a language on a page as a browser does: posts the switcher's form, and follows the
    /// 307 that sends the form again by posting the same body to where it points.
    /// </summary>
    private static async Task<HttpResponseMessage> SwitchAsync(HttpClient client, AngleSharp.Dom.IDocument page, string language, string expectedTarget)
    {
        var values = HtmlForms.DefaultValues(page.Form("/language"));
        values["language"] = language;
        using var switched = await client.PostAsync("/language", new FormUrlEncodedContent(values));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, switched.StatusCode);
        Assert.Equal(expectedTarget, switched.Headers.Location?.OriginalString);
        return await client.PostAsync(expectedTarget, new FormUrlEncodedContent(values));
    }

    [Fact]
    public async Task OnANotFoundPage_SwitchingLanguage_StaysOnThatAddress()
    {
        var client = factory.CreatePortalClient();
        using var missing = await client.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var page = await HtmlForms.ParseAsync(missing);

        using var switched = await client.SubmitAsync(page, "/language", new Dictionary<string, string?> { ["language"] = "fi" });

        Assert.Equal("/no-such-page", switched.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/status/messages", "/status")]
    [InlineData("/status/evidence/paste", "/status/evidence")]
    [InlineData("/status/evidence/confirm", "/status/evidence")]
    [InlineData("/staff/cases/0b5ad5a8-50a6-4c6e-a1a2-6f5e3f1c9d10/messages", "/staff/cases/0b5ad5a8-50a6-4c6e-a1a2-6f5e3f1c9d10")]
    [InlineData("/staff/cases/not-a-guid/messages", "/staff")]
    [InlineData("/report", "/report")]
    [InlineData("/report/demand", "/report/demand")]
    [InlineData("/guidance?topic=money", "/guidance?topic=money")]
    [InlineData("/status/open", "/status/open")]
    [InlineData("/no/such/page", "/")]
    [InlineData("/", "/")]
    public void Nearest_IsTheAddressItself_OrTheNearestPageAboveAFormsAddress(string address, string expected)
    {
        var pages = factory.Services.GetRequiredService<ShownPages>();

        Assert.Equal(expected, pages.Nearest(address));
    }
}
