using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// The case session is the victim's (issue 15, defects 1 and 2): every form on the case pages
/// works with it, closing the page and quick exit end it on the server so that a copy of the
/// cookie stops working, and quick exit works as a plain link and clears the site's data.
/// </summary>
public abstract class CaseSessionTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    [Fact]
    public async Task Close_FromTheCasePage_EndsTheSessionEverywhere()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var status = await victim.Client.GetPageAsync("/status");

        using var closed = await victim.Client.SubmitAsync(status, "/status/close", new Dictionary<string, string?>());

        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.Equal("/status/closed", closed.Headers.Location?.OriginalString);
        Assert.False(await VictimSteps.SeesCaseAsync(victim.Client));
        Assert.Equal(HttpStatusCode.Redirect, await VictimSteps.CaseWithCopiedCookieAsync(factory, victim.CaseCookie));
        var ended = await factory.QueryAsync(db => db.AuditEntries.Where(e => e.CaseId == victim.Case.Id && e.Action == AuditActions.CaseSessionEnded).Select(e => e.Detail).ToListAsync());
        Assert.Equal(["closed"], ended);

        // The receipt opens it again, in a new session.
        var again = await VictimSteps.OpenAsync(factory, victim.Case.Reference, victim.Case.ReceiptKey);
        Assert.NotNull(again);
        Assert.True(await VictimSteps.SeesCaseAsync(again));
    }

    [Fact]
    public async Task Session_EndsFourHoursAfterItBegan_EvenWhenActive_AndTheReceiptOpensItAgain()
    {
        var victim = await VictimSteps.FileAsync(factory);
        for (var minutes = 0; minutes < (3 * 60) + 40; minutes += 20)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.True(await VictimSteps.SeesCaseAsync(victim.Client), $"the case page closed after {minutes + 20} active minutes");
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(25));
        using (var expired = await victim.Client.GetAsync("/status"))
        {
            Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
            Assert.Contains("/status/open", expired.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var again = await VictimSteps.OpenAsync(factory, victim.Case.Reference, victim.Case.ReceiptKey);
        Assert.NotNull(again);
        Assert.True(await VictimSteps.SeesCaseAsync(again));
    }

    [Theory]
    [InlineData("/status")]
    [InlineData("/status/evidence")]
    public async Task Language_FromACasePage_IsChangedAndComesBack(string path)
    {
        var victim = await VictimSteps.FileAsync(factory);
        var page = await victim.Client.GetPageAsync(path);

        using var chosen = await victim.Client.SubmitAsync(page, "/language", new Dictionary<string, string?> { ["language"] = "fi" });

        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal(path, chosen.Headers.Location?.OriginalString);
        var again = await victim.Client.GetPageAsync(path);
        Assert.Equal("fi", again.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task Forms_OnTheCasePage_StillWork_AfterTheSessionEndedElsewhere()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var status = await victim.Client.GetPageAsync("/status");
        var elsewhere = await VictimSteps.OpenAsync(factory, victim.Case.Reference, victim.Case.ReceiptKey);
        Assert.NotNull(elsewhere);
        using var closedElsewhere = await elsewhere.SubmitAsync(await elsewhere.GetPageAsync("/status"), "/status/close", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, closedElsewhere.StatusCode);

        // The page left open changes language and closes cleanly instead of failing with 400.
        using var language = await victim.Client.SubmitAsync(status, "/language", new Dictionary<string, string?> { ["language"] = "sv" });
        Assert.Equal(HttpStatusCode.Redirect, language.StatusCode);
        using var closed = await victim.Client.SubmitAsync(status, "/status/close", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.False(await VictimSteps.SeesCaseAsync(victim.Client));
    }

    [Fact]
    public async Task QuickExit_AsAPlainLink_EndsTheSessionOnTheServer_AndClearsTheSitesData()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var home = await victim.Client.GetPageAsync("/");
        var link = home.QuerySelector("a[data-quick-exit]")?.GetAttribute("href");
        Assert.Equal("/leave", link);

        using var leave = await victim.Client.GetAsync(link);

        Assert.Equal(HttpStatusCode.Redirect, leave.StatusCode);
        Assert.Equal("https://www.google.com/", leave.Headers.Location?.ToString());
        var clear = string.Join(",", leave.Headers.GetValues("Clear-Site-Data"));
        Assert.Contains("\"cookies\"", clear, StringComparison.Ordinal);
        Assert.Contains("\"storage\"", clear, StringComparison.Ordinal);
        Assert.Contains("\"cache\"", clear, StringComparison.Ordinal);
        var deleted = leave.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(deleted, c => c.StartsWith(VictimSteps.CaseCookieName + "=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(deleted, c => c.StartsWith("__Host-portal-af=;", StringComparison.Ordinal));
        Assert.Contains(deleted, c => c.StartsWith("__Host-portal-draft=;", StringComparison.Ordinal));

        Assert.False(await VictimSteps.SeesCaseAsync(victim.Client));
        Assert.Equal(HttpStatusCode.Redirect, await VictimSteps.CaseWithCopiedCookieAsync(factory, victim.CaseCookie));
        var ended = await factory.QueryAsync(db => db.AuditEntries.Where(e => e.CaseId == victim.Case.Id && e.Action == AuditActions.CaseSessionEnded).Select(e => e.Detail).ToListAsync());
        Assert.Equal(["quick-exit"], ended);
    }

    [Fact]
    public async Task QuickExit_RequestedByAnotherSite_EndsNothing()
    {
        var victim = await VictimSteps.FileAsync(factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/leave");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var leave = await victim.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, leave.StatusCode);
        Assert.False(leave.Headers.Contains("Clear-Site-Data"));
        Assert.True(await VictimSteps.SeesCaseAsync(victim.Client));
    }

    [Fact]
    public async Task QuickExit_WithoutASession_OnlySendsTheVisitorOn()
    {
        var client = factory.CreatePortalClient();

        using var leave = await client.GetAsync("/leave");

        Assert.Equal(HttpStatusCode.Redirect, leave.StatusCode);
        Assert.Contains("\"cookies\"", string.Join(",", leave.Headers.GetValues("Clear-Site-Data")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/status", "Portal")]
    [InlineData("/status/evidence", "Portal")]
    [InlineData("/report/receipt", "Portal")]
    [InlineData("/report", "Step 1 of 6 – Portal")]
    [InlineData("/report/what-happened", "Step 2 of 6 – Portal")]
    [InlineData("/status/open", "Portal")]
    public async Task CasePages_HaveANeutralTabTitle(string path, string title)
    {
        var victim = await VictimSteps.FileAsync(factory);

        var page = await victim.Client.GetPageAsync(path);

        Assert.Equal(title, page.Title);
    }

    // Every page a victim can reach names nothing in the tab or the history, in every language:
    // the site's name ("help after an extortion email") and the guidance titles would. The
    // report's steps say which step they are, and nothing more (docs/decisions/0028).
    [Theory]
    [InlineData("en", "Portal")]
    [InlineData("fi", "Portaali")]
    [InlineData("sv", "Portal")]
    public async Task EveryPublicPage_HasTheNeutralTabTitle_InEveryLanguage(string language, string neutral)
    {
        var victim = await VictimSteps.FileAsync(factory);
        using (var chosen = await victim.Client.SubmitAsync(victim.Receipt, "/language", new Dictionary<string, string?> { ["language"] = language }))
        {
            Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        }

        var stepOf = RepositoryFiles.Strings(language)["Report.StepOf"];
        var anonymous = factory.CreatePortalClient();
        anonymous.DefaultRequestHeaders.AcceptLanguage.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue(language));
        var articles = Directory.GetFiles(RepositoryFiles.PathOf("Portal.Web", "Guidance", "en"), "*.md").Select(f => "/guidance/" + Path.GetFileNameWithoutExtension(f)).ToList();
        Assert.NotEmpty(articles);
        string[] anonymousPages =
        [
            "/", "/guidance", "/updates", "/privacy", "/report", "/report/what-happened", "/report/demand", "/report/sharing",
            "/report/contact", "/report/check", "/report/all", "/status/open", "/status/new-key", "/status/closed", "/no-such-page", .. articles,
        ];
        string[] casePages = ["/status", "/status/evidence", "/status/diary", "/status/documents", "/status/case-file", "/report/receipt"];

        foreach (var (client, path) in anonymousPages.Select(p => (anonymous, p)).Concat(casePages.Select(p => (victim.Client, p))))
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode || (path == "/no-such-page" && response.StatusCode == HttpStatusCode.NotFound), $"{path}: {response.StatusCode}");
            var page = await HtmlForms.ParseAsync(response);
            Assert.Equal(language, page.DocumentElement.GetAttribute("lang"));
            var step = path == "/report" ? ReportSteps.All[0] : path.StartsWith("/report/", StringComparison.Ordinal) ? ReportSteps.Find(path["/report/".Length..]) : null;
            var expected = step is null ? neutral : string.Format(System.Globalization.CultureInfo.InvariantCulture, stepOf, step.Number, ReportSteps.All.Count) + " – " + neutral;
            Assert.True(expected == page.Title, $"{path} in {language}: \"{page.Title}\"");
        }
    }
}

public sealed class SqliteCaseSessionTests(SqlitePortalFactory factory)
    : CaseSessionTests<SqlitePortalFactory>(factory), IClassFixture<SqlitePortalFactory>;

public sealed class PostgresCaseSessionTests(PostgresPortalFactory factory)
    : CaseSessionTests<PostgresPortalFactory>(factory), IClassFixture<PostgresPortalFactory>;
