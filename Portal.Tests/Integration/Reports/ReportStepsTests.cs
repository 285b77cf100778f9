using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// The report form in short steps (issue 15, defects 5 and 6): every step a plain form post, the
/// answers kept sealed on the server between steps so a victim can stop and come back, the risk
/// questions explained and answerable with "I'd rather not say", errors listed in the order of
/// the questions, and the report filed by the same handler (a resend still gets a key).
/// </summary>
public abstract class ReportStepsTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    [Fact]
    public async Task Steps_WithoutJavaScript_KeepEveryAnswerSealed_AndSendTheReport()
    {
        var canary = "CANARY-steps-" + Guid.NewGuid().ToString("N");
        var client = factory.CreatePortalClient();
        var answers = ReportAnswers.Valid($"Blackmail about my therapy notes. {canary}");
        answers["ConsentCounselling"] = "true";

        var check = await ReportStepsWalk.WalkAsync(client, answers);

        Assert.Equal("check", check.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));
        Assert.Contains(canary, check.QuerySelector("[data-testid=check-what-happened]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Yes", check.QuerySelector("[data-testid=check-consent-police]")?.TextContent.Trim());
        var drafts = await factory.QueryAsync(db => db.ReportDrafts.AsNoTracking().ToListAsync());
        Assert.NotEmpty(drafts);
        Assert.All(drafts, d => Assert.Equal(-1, d.AnswersEnvelope.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary))));

        using var sent = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var receipt = await HtmlForms.ParseAsync(sent);
        var reference = receipt.QuerySelector("[data-testid=reference]")?.TextContent.Trim();
        var stored = await factory.QueryAsync(db => db.Cases.AsNoTracking().SingleAsync(c => c.Reference == reference));
        Assert.True(stored.ConsentPolice);
        Assert.True(stored.ConsentCounselling);
        Assert.Equal("extort@example.org", stored.SenderAddress);
        Assert.Equal(0.5m, stored.AmountDemanded);
        Assert.Equal(new DateOnly(2026, 11, 20), stored.EmailReceivedOn);

        // Kept while the answer may not have arrived (a resend gets a key), deleted once the receipt is shown again.
        Assert.Equal(1, await factory.QueryAsync(db => db.ReportDrafts.CountAsync(d => d.SubmittedCaseId == stored.Id)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/report/receipt")).StatusCode);
        Assert.Equal(0, await factory.QueryAsync(db => db.ReportDrafts.CountAsync(d => d.SubmittedCaseId == stored.Id)));
    }

    [Fact]
    public async Task ALongDescriptionInAnyScript_IsKept_AndEnglishDatesNameTheirMonth()
    {
        // 10,000 characters is the box's limit; in Chinese each is 9 bytes once the form encodes it.
        var longest = new string('漢', 10_000);
        var client = factory.CreatePortalClient();

        var check = await ReportStepsWalk.WalkAsync(client, ReportAnswers.Valid(longest));

        Assert.Equal("check", check.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));
        Assert.Equal(longest, check.QuerySelector("[data-testid=check-what-happened]")?.TextContent);
        Assert.Equal("20 Nov 2026", check.QuerySelector("[data-testid=check-email-received-on]")?.TextContent);

        // The same on the one-page form, where every answer comes in one post.
        var other = factory.CreatePortalClient();
        var onePage = await other.GetPageAsync("/report/all");
        using var sent = await other.SubmitAsync(onePage, "/report", ReportAnswers.Valid(longest));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var reference = (await HtmlForms.ParseAsync(sent)).QuerySelector("[data-testid=reference]")?.TextContent.Trim();
        Assert.False(string.IsNullOrEmpty(reference));
    }

    [Fact]
    public async Task Victim_StopsAndComesBack_ToWhereTheyLeftOff_WithTheirAnswers()
    {
        var client = factory.CreatePortalClient();
        var answers = ReportAnswers.Valid("I had to stop halfway.");
        var page = await client.GetPageAsync("/report");
        page = await ReportStepsWalk.ContinueAsync(client, page, "safety", answers);
        page = await ReportStepsWalk.ContinueAsync(client, page, "what-happened", answers);
        Assert.Equal("demand", page.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));

        factory.Clock.Advance(TimeSpan.FromHours(5));
        var back = await client.GetPageAsync("/report");

        Assert.NotNull(back.QuerySelector("[data-testid=resumed]"));
        Assert.Equal("demand", back.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));
        var earlier = await client.GetPageAsync("/report/what-happened");
        Assert.Equal("I had to stop halfway.", earlier.QuerySelector("#WhatHappened")?.TextContent);
        Assert.Equal("extort@example.org", earlier.QuerySelector("#SenderAddress")?.GetAttribute("value"));
        Assert.NotNull(earlier.QuerySelector("a[href='/report/safety']"));
    }

    [Fact]
    public async Task Draft_Expires_AndQuickExitDeletesIt()
    {
        var client = factory.CreatePortalClient();
        var answers = ReportAnswers.Valid("Gone after a day.");
        await ReportStepsWalk.ContinueAsync(client, await client.GetPageAsync("/report"), "safety", answers);

        factory.Clock.Advance(TimeSpan.FromHours(25));
        var later = await client.GetPageAsync("/report");
        Assert.Null(later.QuerySelector("[data-testid=resumed]"));
        Assert.Equal("safety", later.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));

        var left = factory.CreatePortalClient();
        await ReportStepsWalk.ContinueAsync(left, await left.GetPageAsync("/report"), "safety", answers);
        var before = await factory.QueryAsync(db => db.ReportDrafts.CountAsync());
        using (var leave = await left.GetAsync("/leave"))
        {
            Assert.Equal(HttpStatusCode.Redirect, leave.StatusCode);
        }

        Assert.Equal(before - 1, await factory.QueryAsync(db => db.ReportDrafts.CountAsync()));
        Assert.Null((await left.GetPageAsync("/report")).QuerySelector("[data-testid=resumed]"));
    }

    [Fact]
    public async Task RiskQuestions_SayWhyTheyAreAsked_AndAcceptIdRatherNotSay()
    {
        var client = factory.CreatePortalClient();
        var first = await client.GetPageAsync("/report");

        Assert.Contains("Why we ask", first.QuerySelector("#safety-why")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("RatherNotSay", first.QuerySelector("#RiskSelfHarm-unsaid")?.GetAttribute("value"));
        Assert.Equal("I'd rather not say", first.QuerySelector("label[for=RiskSelfHarm-unsaid]")?.TextContent.Trim());

        var answers = ReportAnswers.Valid();
        answers["RiskSelfHarm"] = "RatherNotSay";
        var victim = await VictimSteps.FileAsync(factory, answers);
        var stored = await factory.QueryAsync(db => db.Cases.AsNoTracking().SingleAsync(c => c.Id == victim.Case.Id));
        Assert.True(stored.RiskSelfHarmWithheld);
        Assert.False(stored.RiskSelfHarm);
        Assert.Equal(CasePriority.High, stored.Priority);
        Assert.False(await factory.QueryAsync(db => db.Referrals.AnyAsync(r => r.CaseId == victim.Case.Id)));
    }

    [Fact]
    public async Task Errors_AreListedInTheOrderOfTheQuestions_OnAStepAndOnOnePage()
    {
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/report");
        var answers = ReportAnswers.Valid();
        page = await ReportStepsWalk.ContinueAsync(client, page, "safety", answers);
        page = await ReportStepsWalk.ContinueAsync(client, page, "what-happened", answers);

        using var step = await client.SubmitAsync(page, "/report", new Dictionary<string, string?>
        {
            ["step"] = "demand",
            ["AmountDemanded"] = "a lot",
            ["Currency"] = "EUR",
            ["PaymentAddress"] = "bc1q<script>",
            ["BreachOrganisation"] = "nobody",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, step.StatusCode);
        var refused = await HtmlForms.ParseAsync(step);
        Assert.Equal(["#AmountDemanded", "#PaymentAddress", "#Paid", "#DataPublished", "#BreachOrganisation"], Links(refused));

        // The title tells a screen reader where it is and that there are errors, and nothing of the topic.
        var steps = Portal.Core.Features.Reports.ReportSteps.All.Count;
        Assert.Equal($"Error: Step 3 of {steps} – Portal", refused.Title);
        Assert.Equal($"Step 3 of {steps} – Portal", (await client.GetPageAsync("/report/demand")).Title);
        Assert.Equal("Portal", (await client.GetPageAsync("/")).Title);

        var onePage = factory.CreatePortalClient();
        var form = await onePage.GetPageAsync("/report");
        var all = ReportAnswers.Valid("");
        all["RiskSelfHarm"] = null;
        all["Paid"] = null;
        all["ContactPreference"] = "Email";
        using var response = await onePage.SubmitAsync(form, "/report", all);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(["#RiskSelfHarm", "#WhatHappened", "#Paid", "#ContactEmail"], Links(await HtmlForms.ParseAsync(response)));
    }

    [Fact]
    public async Task ValueNoFieldOffers_OnAStepOrOnOnePage_IsRefused_AndNothingIsKept()
    {
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/report");
        var answers = ReportAnswers.Valid();
        page = await ReportStepsWalk.ContinueAsync(client, page, "safety", answers);
        var draft = await factory.QueryAsync(db => db.ReportDrafts.AsNoTracking().OrderByDescending(d => d.Id).FirstAsync());

        // A tampered step post ("abc" for a yes/no box) used to be kept as "no".
        using var step = await client.SubmitAsync(page, "/report", new Dictionary<string, string?>
        {
            ["step"] = "safety",
            ["RiskSelfHarm"] = answers["RiskSelfHarm"],
            ["RiskImmediateDanger"] = answers["RiskImmediateDanger"],
            ["IsUnder18"] = "abc",
        });
        Assert.Equal(HttpStatusCode.BadRequest, step.StatusCode);
        var after = await factory.QueryAsync(db => db.ReportDrafts.AsNoTracking().SingleAsync(d => d.Id == draft.Id));
        Assert.Equal(draft.AnswersEnvelope, after.AnswersEnvelope);
        Assert.Equal(draft.UpdatedAt, after.UpdatedAt);

        // The same on the one-page form: no case is filed.
        var onePage = factory.CreatePortalClient();
        var form = await onePage.GetPageAsync("/report");
        var cases = await factory.QueryAsync(db => db.Cases.CountAsync());
        var all = ReportAnswers.Valid();
        all["ConsentPolice"] = "abc";
        using var response = await onePage.SubmitAsync(form, "/report", all);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not read what was sent", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(cases, await factory.QueryAsync(db => db.Cases.CountAsync()));

        // A NUL character in a field (only a hand-made post has one): the same page, nothing filed.
        var withNul = ReportAnswers.Valid("before\0after");
        using var nul = await onePage.SubmitAsync(await onePage.GetPageAsync("/report"), "/report", withNul);
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Contains("could not read what was sent", await nul.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(cases, await factory.QueryAsync(db => db.Cases.CountAsync()));
    }

    [Fact]
    public async Task Resend_FromTheCheckStep_AfterALostAnswer_GetsANewKey()
    {
        var client = factory.CreatePortalClient();
        var check = await ReportStepsWalk.WalkAsync(client, ReportAnswers.Valid("Sent twice."));

        using var first = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
        using var again = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());

        var firstPage = await HtmlForms.ParseAsync(first);
        var againPage = await HtmlForms.ParseAsync(again);
        Assert.Equal(firstPage.QuerySelector("[data-testid=reference]")?.TextContent, againPage.QuerySelector("[data-testid=reference]")?.TextContent);
        Assert.NotNull(againPage.QuerySelector("[data-testid=receipt-reissued]"));
        Assert.NotEqual(firstPage.QuerySelector("[data-testid=receipt-key]")?.TextContent, againPage.QuerySelector("[data-testid=receipt-key]")?.TextContent);
    }

    /// <summary>
    /// A shared computer: the victim sends the report, goes to their case page and closes it. The
    /// answers the report was sent from must go with the session: with them, the next person at
    /// the browser sent the check step again and was given a new receipt key and the victim's case
    /// (its case file, narrative included, downloads with that key).
    /// </summary>
    [Fact]
    public async Task ClosingTheCasePage_AfterSending_DeletesTheSentAnswers_SoNobodyAtTheBrowserCanGetANewKey()
    {
        var client = factory.CreatePortalClient();
        var check = await ReportStepsWalk.WalkAsync(client, ReportAnswers.Valid("Filed on a library computer."));
        using var sent = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
        var reference = (await HtmlForms.ParseAsync(sent)).QuerySelector("[data-testid=reference]")?.TextContent.Trim();
        var caseId = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

        using (var closed = await client.SubmitAsync(await client.GetPageAsync("/status"), "/status/close", new Dictionary<string, string?>()))
        {
            Assert.Equal("/status/closed", closed.Headers.Location?.OriginalString);
        }

        Assert.Equal(0, await factory.QueryAsync(db => db.ReportDrafts.CountAsync(d => d.SubmittedCaseId == caseId)));
        using var again = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
        var againPage = await HtmlForms.ParseAsync(again);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Null(againPage.QuerySelector("[data-testid=receipt-key]"));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/status")).StatusCode);
    }

    /// <summary>
    /// Once the report is sent, the browser keeps its answers only while it stays open (a resend
    /// after a lost answer happens at once): the draft cookie had a day's Max-Age, so closing the
    /// browser on a shared computer left the next person able to send the check step again and
    /// be given a new key to the case. An unsent draft keeps its lifetime (come back later).
    /// </summary>
    [Fact]
    public async Task SendingTheReport_TurnsTheDraftCookieIntoOneThatEndsWithTheBrowser()
    {
        var client = factory.CreatePortalClient();
        var check = await ReportStepsWalk.WalkAsync(client, ReportAnswers.Valid("Sent, then the browser closed."));

        using var sent = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());

        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var draftCookie = Assert.Single(sent.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-portal-draft=", StringComparison.Ordinal));
        Assert.DoesNotContain("max-age", draftCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires", draftCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", draftCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", draftCookie, StringComparison.OrdinalIgnoreCase);

        // In the same browser session a resend after a lost answer still gets a key.
        using var again = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
        Assert.NotNull((await HtmlForms.ParseAsync(again)).QuerySelector("[data-testid=receipt-reissued]"));
    }

    [Fact]
    public async Task AStepKeptOpenInAnotherTab_AfterTheReportWasSent_StartsANewReport_ItsSafetyAnswersKept()
    {
        var client = factory.CreatePortalClient();
        var check = await ReportStepsWalk.WalkAsync(client, ReportAnswers.Valid("First telling."));
        var keptOpen = await client.GetPageAsync("/report/safety");
        using var first = await client.SubmitAsync(check, "/report", new Dictionary<string, string?>());
        var firstReference = (await HtmlForms.ParseAsync(first)).QuerySelector("[data-testid=reference]")?.TextContent;
        Assert.NotNull(firstReference);

        // The other tab's first step, answered differently and taken to the end.
        var answers = ReportAnswers.Valid("Second telling, worse.");
        answers["RiskSelfHarm"] = "true";
        answers["RiskImmediateDanger"] = "true";
        var page = keptOpen;
        foreach (var step in ReportStepsWalk.Steps)
        {
            page = await ReportStepsWalk.ContinueAsync(client, page, step, answers);
        }

        using var second = await client.SubmitAsync(page, "/report", new Dictionary<string, string?>());
        var secondPage = await HtmlForms.ParseAsync(second);
        var secondReference = secondPage.QuerySelector("[data-testid=reference]")?.TextContent;
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotNull(secondPage.QuerySelector("[data-testid=receipt-key]"));
        Assert.NotEqual(firstReference, secondReference);
        Assert.NotNull(secondPage.QuerySelector("[data-testid=crisis-panel]"));
        var stored = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == secondReference).Select(c => new { c.RiskSelfHarm, c.RiskImmediateDanger }).SingleAsync());
        Assert.True(stored.RiskSelfHarm && stored.RiskImmediateDanger);
    }

    [Fact]
    public async Task StartAgain_DeletesTheAnswers()
    {
        var client = factory.CreatePortalClient();
        var page = await ReportStepsWalk.ContinueAsync(client, await client.GetPageAsync("/report"), "safety", ReportAnswers.Valid());
        var before = await factory.QueryAsync(db => db.ReportDrafts.CountAsync());

        using var discarded = await client.SubmitAsync(page, "/report/discard", new Dictionary<string, string?>());

        Assert.Equal("/report", discarded.Headers.Location?.OriginalString);
        Assert.Equal(before - 1, await factory.QueryAsync(db => db.ReportDrafts.CountAsync()));
    }

    private static List<string?> Links(IDocument page) =>
        page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href")).ToList();
}

public sealed class SqliteReportStepsTests(SqlitePortalFactory factory)
    : ReportStepsTests<SqlitePortalFactory>(factory), IClassFixture<SqlitePortalFactory>;

public sealed class PostgresReportStepsTests(PostgresPortalFactory factory)
    : ReportStepsTests<PostgresPortalFactory>(factory), IClassFixture<PostgresPortalFactory>;
