using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// A victim's form refused without JavaScript: nothing moves the page to the error, so the answer
/// must open where the error is. The form's action carries a fragment naming the error summary of
/// the page that answers; a redirect after success names where its own notice or result is, or it
/// would inherit the form's fragment.
/// </summary>
public sealed class RefusedFormLandingTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task ReportStep_AndOnePageReport_Refused_OpenAtTheErrorSummary()
    {
        var client = factory.CreatePortalClient();
        var step = await client.GetPageAsync("/report");
        await AssertOpensAtErrorAsync(client, step, "/report", new Dictionary<string, string?> { ["step"] = "safety" }, HttpStatusCode.UnprocessableEntity);

        var onePage = await client.GetPageAsync("/report/all");
        var answers = ReportAnswers.Valid();
        answers["WhatHappened"] = "";
        await AssertOpensAtErrorAsync(client, onePage, "/report", answers, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task OpenCase_AndNewKey_Refused_OpenAtTheErrorSummary()
    {
        var client = factory.CreatePortalClient();
        var open = await client.GetPageAsync("/status/open");
        await AssertOpensAtErrorAsync(client, open, "/status/open", new Dictionary<string, string?> { ["Reference"] = "VS-AAAA-AAAA", ["ReceiptKey"] = "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA" }, HttpStatusCode.BadRequest);

        var newKey = await client.GetPageAsync("/status/new-key");
        await AssertOpensAtErrorAsync(client, newKey, "/status/new-key", new Dictionary<string, string?> { ["Reference"] = "", ["Email"] = "not an address" }, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task EvidencePage_RefusedUploadPasteAndConfirm_OpenAtTheirError_AndAConfirmationOpensAtItsNotice()
    {
        var answers = ReportAnswers.Valid();
        answers["SenderAddress"] = "";
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);

        var page = await EvidenceUploads.PageAsync(client);
        Assert.True(ActionFragment(page, "/status/evidence") is not null, "the upload form carries no fragment");
        using (var empty = await EvidenceUploads.UploadAsync(client, token, null, null, []))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
            AssertErrorAt(await HtmlForms.ParseAsync(empty), ActionFragment(page, "/status/evidence"));
        }

        await AssertOpensAtErrorAsync(client, page, "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = "" }, HttpStatusCode.UnprocessableEntity);

        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "demand.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail())))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        await EvidenceUploads.AnalysePendingAsync(factory);
        var suggestion = await EvidenceUploads.PageAsync(client);
        await AssertOpensAtErrorAsync(client, suggestion, "/status/evidence/confirm", new Dictionary<string, string?> { ["AmountDemanded"] = "lots" }, HttpStatusCode.UnprocessableEntity);

        using var confirmed = await client.SubmitAsync(suggestion, "/status/evidence/confirm", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        var location = confirmed.Headers.Location?.OriginalString ?? "";
        Assert.Contains('#', location);
        var notice = (await client.GetPageAsync(location.Split('#')[0])).GetElementById(location.Split('#')[1]);
        Assert.True(notice is not null && notice.ClassList.Contains("notice-success"), $"the confirmation lands at #{location.Split('#')[1]}, which is not its notice");
    }

    [Fact]
    public async Task CaseFilePages_RefusedDiaryEntryDocumentAndDownload_OpenAtTheirError()
    {
        var (client, _) = await CaseFileSteps.FileAsync(factory);

        var diary = await client.GetPageAsync("/status/diary");
        await AssertOpensAtErrorAsync(client, diary, "/status/diary", new Dictionary<string, string?> { ["Text"] = "" }, HttpStatusCode.UnprocessableEntity);

        using (var added = await CaseFileSteps.AddEntryAsync(client, "Called the helpline."))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var entryLink = (await client.GetPageAsync("/status/diary")).QuerySelector("[data-testid=diary-entry] a")?.GetAttribute("href") ?? throw new InvalidOperationException("The diary has no entry to change.");
        var entry = await client.GetPageAsync(entryLink);
        await AssertOpensAtErrorAsync(client, entry, entryLink, new Dictionary<string, string?> { ["Text"] = "" }, HttpStatusCode.UnprocessableEntity);

        var documents = await client.GetPageAsync("/status/documents");
        Assert.True(ActionFragment(documents, "/status/documents") is not null, "the documents upload form carries no fragment");
        using (var refused = await CaseFileSteps.UploadDocumentAsync(client, "tool.exe", "application/x-msdownload", [0x4d, 0x5a, 0x90, 0x00]))
        {
            Assert.True((int)refused.StatusCode is >= 400 and < 500, $"a program uploaded as a document answered {(int)refused.StatusCode}");
            AssertErrorAt(await HtmlForms.ParseAsync(refused), ActionFragment(documents, "/status/documents"));
        }

        var caseFile = await client.GetPageAsync("/status/case-file");
        await AssertOpensAtErrorAsync(client, caseFile, "/status/case-file", new Dictionary<string, string?> { ["receiptKey"] = "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA" }, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ChangedConsent_LandsAtTheConsentSection_WithItsNoticeThere()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var status = await victim.Client.GetPageAsync("/status");

        var police = status.QuerySelector<IHtmlFormElement>("[data-testid=consent-police] form") ?? throw new InvalidOperationException("The case page has no police consent form.");
        using var withdrawn = await victim.Client.PostAsync("/status/consent", new FormUrlEncodedContent(HtmlForms.DefaultValues(police)));

        Assert.Equal(HttpStatusCode.Redirect, withdrawn.StatusCode);
        var location = withdrawn.Headers.Location?.OriginalString ?? "";
        Assert.EndsWith("#consent", location, StringComparison.Ordinal);
        var page = await victim.Client.GetPageAsync(location.Split('#')[0]);
        Assert.True(page.QuerySelector("#consent [data-testid=case-notice]") is not null, "the notice that consent changed is not where the answer lands (#consent)");
    }

    private static async Task AssertOpensAtErrorAsync(HttpClient client, IDocument page, string action, IReadOnlyDictionary<string, string?> changes, HttpStatusCode refusal)
    {
        var fragment = ActionFragment(page, action);
        Assert.True(fragment is not null, $"the form posting to {action} carries no fragment: refused, it opens at the top of the page");
        using var response = await client.SubmitAsync(page, action, changes);
        Assert.Equal(refusal, response.StatusCode);
        AssertErrorAt(await HtmlForms.ParseAsync(response), fragment);
    }

    private static string? ActionFragment(IDocument page, string action) =>
        page.Form(action).GetAttribute("action")?.Split('#') is [_, { Length: > 0 } fragment] ? fragment : null;

    private static void AssertErrorAt(IDocument answer, string? fragment)
    {
        var target = fragment is null ? null : answer.GetElementById(fragment);
        Assert.True(target is not null, $"the answer has no element #{fragment} to open at");
        Assert.True(target.ClassList.Contains("error-summary") || target.QuerySelector(".error-summary") is not null, $"#{fragment} does not hold the error");
    }
}
