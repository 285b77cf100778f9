using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Localization;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Localization;

/// <summary>The language switcher, pressed on pages a browser reached by a form post.</summary>
public sealed class LanguageSwitchTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task AfterAMessageWithAnError_SwitchingLanguage_ShowsTheCasePageInThatLanguage_NotA404()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var casePage = await victim.Client.GetPageAsync("/status");
        using var empty = await victim.Client.SubmitAsync(casePage, "/status/messages", new Dictionary<string, string?> { ["Body"] = "" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        var errorPage = await HtmlForms.ParseAsync(empty);

        // The switcher as that page rendered it: its own return address is the form's.
        using var switched = await victim.Client.SubmitAsync(errorPage, "/language", new Dictionary<string, string?> { ["language"] = "sv" });

        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/status", switched.Headers.Location?.OriginalString);
        var shown = await victim.Client.GetPageAsync("/status");
        Assert.Equal("sv", shown.DocumentElement.GetAttribute("lang"));
        Assert.NotNull(shown.QuerySelector("[data-testid=status]"));
    }

    [Fact]
    public async Task OnTheOnePageForm_AfterAnError_SwitchingLanguage_KeepsWhatWasTyped_AndNothingIsLeftOnceSent()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report/all");
        var answers = ReportAnswers.Valid("Sähköpostissa uhattiin julkaista terapiamuistiinpanoni.");
        answers["SenderAddress"] = "not an address";
        using var failed = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.StatusCode);
        var errorPage = await HtmlForms.ParseAsync(failed);

        using var switched = await client.SubmitAsync(errorPage, "/language", new Dictionary<string, string?> { ["language"] = "fi" });

        Assert.Equal("/report/all", switched.Headers.Location?.OriginalString);
        var shown = await client.GetPageAsync("/report/all");
        Assert.Equal("fi", shown.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Sähköpostissa uhattiin julkaista terapiamuistiinpanoni.", shown.QuerySelector("#WhatHappened")?.TextContent.Trim());
        Assert.Equal("not an address", shown.QuerySelector("#SenderAddress")?.GetAttribute("value"));
        Assert.Equal(errorPage.QuerySelector("input[name=SubmissionId]")?.GetAttribute("value"), shown.QuerySelector("input[name=SubmissionId]")?.GetAttribute("value"));

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
