using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

/// <summary>The victim's journey through the real MVC pipeline, on each database provider.</summary>
public abstract class ReportJourneyTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    protected TFactory Factory { get; } = factory;

    [Fact]
    public async Task Submit_ValidReport_ShowsReferenceAndReceiptKeyOnce()
    {
        var client = Factory.CreatePortalClient();
        var (reference, key, page) = await SubmitAsync(client, ReportAnswers.Valid());

        Assert.Matches("^VS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", reference);
        Assert.Matches("^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$", key);
        Assert.NotNull(page.QuerySelector("a[download][href^='data:text/plain']"));

        var again = await client.GetAsync("/status");
        var statusPage = await HtmlForms.ParseAsync(again);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(reference, statusPage.QuerySelector("[data-testid=reference]")?.TextContent);
        Assert.DoesNotContain(key, statusPage.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_StoresNarrativeAndContactOnlyEncrypted_WithPriorityFromAnswers()
    {
        var canary = "CANARY-" + Guid.NewGuid().ToString("N");
        var answers = ReportAnswers.Valid($"My notes were stolen. {canary}");
        answers["ContactPreference"] = "Email";
        answers["ContactEmail"] = $"{canary.ToLowerInvariant()}@example.net";
        answers["Paid"] = "Yes";
        var (reference, key, _) = await SubmitAsync(Factory.CreatePortalClient(), answers);

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var stored = await db.Cases.AsNoTracking().SingleAsync(c => c.Reference == reference);
        Assert.Equal(CasePriority.Raised, stored.Priority);
        Assert.Equal(32, stored.ReceiptHash.Length);

        var cipher = scope.ServiceProvider.GetRequiredService<Portal.Core.Crypto.EnvelopeCipher>();
        Assert.Contains(canary, cipher.OpenString(stored.NarrativeEnvelope), StringComparison.Ordinal);

        var plaintextHits = await db.Database
            .SqlQueryRaw<int>(Factory.ProviderName == "Postgres"
                ? "SELECT COUNT(*)::int AS \"Value\" FROM \"Cases\" c WHERE c::text ILIKE {0} OR c::text ILIKE {1}"
                : "SELECT COUNT(*) AS Value FROM Cases WHERE NarrativeEnvelope LIKE {0} OR ContactEnvelope LIKE {0} OR CAST(ReceiptHash AS TEXT) LIKE {1}",
                $"%{canary}%", $"%{key}%")
            .SingleAsync();
        Assert.Equal(0, plaintextHits);

        if (Factory is SqlitePortalFactory sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(sqlite.DatabaseFile)!, "portal.db*"))
            {
                var bytes = await ReadSharedAsync(file);
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(canary)), $"{Path.GetFileName(file)} holds the narrative in plain text.");
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(canary.ToLowerInvariant())), $"{Path.GetFileName(file)} holds the contact address in plain text.");
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(key)), $"{Path.GetFileName(file)} holds the receipt key.");
            }
        }

        Assert.DoesNotContain(Factory.Logs.Lines, line => line.Contains(canary, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Factory.Logs.Lines, line => line.Contains(PortalFactory.ClientAddress.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_WithRiskFlagged_PutsCrisisHelpFirstAndMarksCaseUrgent()
    {
        var answers = ReportAnswers.Valid();
        answers["RiskSelfHarm"] = "true";
        var (reference, _, page) = await SubmitAsync(Factory.CreatePortalClient(), answers);

        var crisis = page.QuerySelector("[data-testid=crisis-panel]");
        Assert.NotNull(crisis);
        Assert.Contains("112", crisis.TextContent, StringComparison.Ordinal);
        var steps = page.QuerySelectorAll("[data-testid=guidance-step]").Select(e => e.GetAttribute("data-slug")).ToList();
        Assert.Equal("crisis-help", steps.First());
        Assert.Contains("save-email-headers", steps);

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(CasePriority.Urgent, await db.Cases.Where(c => c.Reference == reference).Select(c => c.Priority).SingleAsync());
    }

    [Fact]
    public async Task Submit_InvalidAnswers_ShowsEachErrorAtItsFieldAndInSummary_AndStoresNothing()
    {
        var client = Factory.CreatePortalClient();
        var before = await CountCasesAsync();
        var form = await client.GetPageAsync("/report");
        var answers = ReportAnswers.Valid("");
        answers["Paid"] = null;
        answers["SenderAddress"] = "not an address";
        using var response = await client.SubmitAsync(form, "/report", answers);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        var summaryLinks = page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("#WhatHappened", summaryLinks);
        Assert.Contains("#Paid", summaryLinks);
        Assert.Contains("#SenderAddress", summaryLinks);
        Assert.Equal("true", page.QuerySelector("#WhatHappened")?.GetAttribute("aria-invalid"));
        Assert.Contains("WhatHappened-error", page.QuerySelector("#WhatHappened")?.GetAttribute("aria-describedby") ?? "", StringComparison.Ordinal);
        Assert.Equal("Tell us briefly what happened.", page.QuerySelector("#WhatHappened-error")?.TextContent.Trim());
        Assert.NotNull(page.QuerySelector("#Paid"));
        Assert.Equal("not an address", page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#SenderAddress")?.Value);
        Assert.Equal(before, await CountCasesAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Resend_SameFormSameAnswers_StoresOneCase_AndEitherKeyOpensTheCase_UntilOneIsUsed(bool victimHoldsTheFirstKey)
    {
        var client = Factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        var before = await CountCasesAsync();

        // Either the first answer was lost (the portal died, the connection dropped) and the
        // browser resent the form, or the first answer arrived, the victim pressed reload, and
        // the resend's answer was lost: nobody knows which key the victim holds.
        using var first = await client.SubmitAsync(form, "/report", ReportAnswers.Valid());
        using var second = await client.SubmitAsync(form, "/report", ReportAnswers.Valid());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstPage = await HtmlForms.ParseAsync(first);
        var secondPage = await HtmlForms.ParseAsync(second);
        var reference = firstPage.QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        var firstKey = firstPage.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";
        var newKey = secondPage.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";
        Assert.Equal(reference, secondPage.QuerySelector("[data-testid=reference]")?.TextContent);
        Assert.NotNull(secondPage.QuerySelector("[data-testid=receipt-reissued]"));
        Assert.NotEqual(firstKey, newKey);
        Assert.Equal(before + 1, await CountCasesAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/status")).StatusCode);
        Assert.Contains(await AuditActionsAsync(), a => a == AuditActions.ReceiptReissued);

        // The key used first is the one kept; from then on the other one opens nothing.
        var (held, other) = victimHoldsTheFirstKey ? (firstKey, newKey) : (newKey, firstKey);
        Assert.True(await OpensAsync(reference, held));
        Assert.False(await OpensAsync(reference, other));
        Assert.True(await OpensAsync(reference, held));
        var stored = await Factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => new { c.EarlierReceiptHashes, c.ReceiptFirstUsedAt }).SingleAsync());
        Assert.Null(stored.EarlierReceiptHashes);
        Assert.NotNull(stored.ReceiptFirstUsedAt);
    }

    [Fact]
    public async Task TheSameForm_WithOtherAnswers_IsAReportOfItsOwn_NeverAKeyToTheFirst()
    {
        var client = Factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var first = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("first telling"));
        var firstPage = await HtmlForms.ParseAsync(first);
        var reference = firstPage.QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        var key = firstPage.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";
        var before = await CountCasesAsync();

        // The page kept open, edited and sent again: its words are not dropped as a resend.
        var changedAnswers = ReportAnswers.Valid("another telling");
        changedAnswers["RiskSelfHarm"] = "true";
        using var changed = await client.SubmitAsync(form, "/report", changedAnswers);
        var changedPage = await HtmlForms.ParseAsync(changed);
        var changedReference = changedPage.QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        var changedKey = changedPage.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(reference, changedReference);
        Assert.Null(changedPage.QuerySelector("[data-testid=receipt-reissued]"));
        Assert.NotNull(changedPage.QuerySelector("[data-testid=crisis-panel]"));
        Assert.Equal(before + 1, await CountCasesAsync());
        Assert.True(await Factory.QueryAsync(db => db.Cases.Where(c => c.Reference == changedReference).Select(c => c.RiskSelfHarm).SingleAsync()));
        Assert.False(await OpensAsync(reference, changedKey));

        // That edited page sent once more is a resend of the second report, not a third.
        using var changedAgain = await client.SubmitAsync(form, "/report", changedAnswers);
        var changedAgainPage = await HtmlForms.ParseAsync(changedAgain);
        Assert.Equal(changedReference, changedAgainPage.QuerySelector("[data-testid=reference]")?.TextContent);
        Assert.NotNull(changedAgainPage.QuerySelector("[data-testid=receipt-reissued]"));
        Assert.Equal(before + 1, await CountCasesAsync());

        // The first answers again, after their key was used: "already sent", no key.
        Assert.True(await OpensAsync(reference, key));
        using var afterUse = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("first telling"));
        var afterUsePage = await HtmlForms.ParseAsync(afterUse);
        Assert.Null(afterUsePage.QuerySelector("[data-testid=receipt-key]"));
        Assert.Contains(reference, afterUsePage.Body?.TextContent ?? "", StringComparison.Ordinal);
        Assert.True(await OpensAsync(reference, key));
        Assert.Equal(before + 1, await CountCasesAsync());
    }

    [Fact]
    public async Task Resend_AfterTheReissueWindow_GivesNoKey()
    {
        var client = Factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var first = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("told once"));
        var firstPage = await HtmlForms.ParseAsync(first);
        var reference = firstPage.QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        var key = firstPage.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";

        Factory.Clock.Advance(TimeSpan.FromHours(3));
        using var late = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("told once"));

        Assert.Null((await HtmlForms.ParseAsync(late)).QuerySelector("[data-testid=receipt-key]"));
        Assert.True(await OpensAsync(reference, key));
    }

    /// <summary>
    /// A shared computer: the victim files on the one-page form, sees the key, goes to the case
    /// page and closes it. The next person at the browser goes Back to the answered form and sends
    /// it again: that resend was given a new key and the victim's case. A victim who ended their
    /// case session had the answer with the key (the session came with it), so no resend needs one.
    /// </summary>
    [Fact]
    public async Task Resend_AfterTheVictimClosedTheirCasePage_GivesNoKey_ToTheNextPersonAtTheBrowser()
    {
        var client = Factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var first = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("Filed on a library computer."));
        var firstPage = await HtmlForms.ParseAsync(first);
        var reference = firstPage.QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        var key = firstPage.QuerySelector("[data-testid=receipt-key]")?.TextContent ?? "";
        using (var closed = await client.SubmitAsync(await client.GetPageAsync("/status"), "/status/close", new Dictionary<string, string?>()))
        {
            Assert.Equal("/status/closed", closed.Headers.Location?.OriginalString);
        }

        using var again = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("Filed on a library computer."));

        var againPage = await HtmlForms.ParseAsync(again);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Null(againPage.QuerySelector("[data-testid=receipt-key]"));
        Assert.Contains(reference, againPage.Body?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/status")).StatusCode);
        Assert.False(await Factory.QueryAsync(db =>
            (from e in db.AuditEntries join c in db.Cases on e.CaseId equals c.Id where c.Reference == reference && e.Action == AuditActions.ReceiptReissued select e).AnyAsync()));
        Assert.True(await OpensAsync(reference, key));
    }

    private async Task<bool> OpensAsync(string reference, string key)
    {
        var other = Factory.CreatePortalClient();
        var open = await other.GetPageAsync("/status/open");
        using var response = await other.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = reference, ["ReceiptKey"] = key });
        return response.StatusCode == HttpStatusCode.Redirect;
    }

    private async Task<List<string>> AuditActionsAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.Select(e => e.Action).ToListAsync();
    }

    [Fact]
    public async Task Submit_WithoutAntiforgeryToken_Returns400AndStoresNothing()
    {
        var client = Factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        var before = await CountCasesAsync();
        var answers = ReportAnswers.Valid();
        answers["__af"] = null;

        using var response = await client.SubmitAsync(form, "/report", answers);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await CountCasesAsync());
    }

    [Fact]
    public async Task Submit_OversizedRequest_Returns413()
    {
        var client = Factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        var answers = ReportAnswers.Valid(new string('a', 200 * 1024));

        using var response = await client.SubmitAsync(form, "/report", answers);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.NotEmpty(page.QuerySelector("h1")?.TextContent.Trim() ?? "");
    }

    [Fact]
    public async Task Return_WithReceipt_OpensStatusPage_AcceptingLowerCaseAndSpaces()
    {
        var (reference, key, _) = await SubmitAsync(Factory.CreatePortalClient(), ReportAnswers.Valid());
        var visitor = Factory.CreatePortalClient();
        var open = await visitor.GetPageAsync("/status/open");

        using var response = await visitor.SubmitAsync(open, "/status/open", new Dictionary<string, string?>
        {
            ["Reference"] = reference.ToLowerInvariant().Replace('0', 'o'),
            ["ReceiptKey"] = " " + key.Replace("-", " ", StringComparison.Ordinal).ToLowerInvariant(),
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/status", response.Headers.Location?.OriginalString);
        var status = await visitor.GetPageAsync("/status");
        Assert.Equal(reference, status.QuerySelector("[data-testid=reference]")?.TextContent);
        Assert.Equal("Received", status.QuerySelector("[data-testid=status]")?.TextContent.Trim());
        Assert.NotNull(status.QuerySelector("[data-testid=messages]"));
    }

    [Fact]
    public async Task Return_WithWrongKeyOrUnknownReference_GetsTheSameGenericError()
    {
        var (reference, key, _) = await SubmitAsync(Factory.CreatePortalClient(), ReportAnswers.Valid());
        var wrongKey = (key[0] == 'A' ? "B" : "A") + key[1..];

        var wrongKeyError = await FailedLookupErrorAsync(reference, wrongKey);
        var unknownReferenceError = await FailedLookupErrorAsync("VS-ZZZZ-ZZZZ", key);
        var malformedError = await FailedLookupErrorAsync("hello", "world");

        Assert.Equal("We could not open a case with these details. Check the reference and the receipt key and try again.", wrongKeyError);
        Assert.Equal(wrongKeyError, unknownReferenceError);
        Assert.Equal(wrongKeyError, malformedError);

        var stranger = Factory.CreatePortalClient();
        using var status = await stranger.GetAsync("/status");
        Assert.Equal(HttpStatusCode.Redirect, status.StatusCode);
        Assert.StartsWith("https://localhost/status/open", status.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_SendStrictSecurityHeaders_AndNoStore()
    {
        var client = Factory.CreatePortalClient();
        foreach (var path in new[] { "/", "/report", "/guidance", "/status/open", "/updates" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("form-action 'self'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.True(response.Headers.CacheControl?.NoStore, $"{path} may be cached");
            Assert.False(response.Headers.Contains("Server"));

            var page = await HtmlForms.ParseAsync(response);
            Assert.Empty(page.QuerySelectorAll("script:not([src]), style, [style]"));
            Assert.DoesNotContain(page.QuerySelectorAll("*"), e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Cookies_AreHostOnlySecureStrict()
    {
        var client = Factory.CreatePortalClient();
        using var response = await client.GetAsync("/report");

        var antiforgery = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-portal-af=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", antiforgery, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("de-DE,de;q=0.9", "en", "Make a report")]
    [InlineData("fi-FI,fi;q=0.9,en;q=0.5", "fi", null)]
    [InlineData("sv-FI", "sv", null)]
    public async Task Language_FromBrowser_FallsBackToEnglishWhenUnknown(string acceptLanguage, string expected, string? englishHeading)
    {
        var client = Factory.CreatePortalClient();
        client.DefaultRequestHeaders.Add("Accept-Language", acceptLanguage);

        var page = await client.GetPageAsync("/report");

        Assert.Equal(expected, page.DocumentElement.GetAttribute("lang"));
        var heading = page.QuerySelector("h1")?.TextContent.Trim();
        if (englishHeading is not null)
        {
            Assert.Equal(englishHeading, heading);
        }
        else
        {
            Assert.NotEqual("Make a report", heading);
        }
    }

    [Fact]
    public async Task Language_ChosenWithSwitcher_IsRemembered()
    {
        var client = Factory.CreatePortalClient();
        var home = await client.GetPageAsync("/guidance");

        using var response = await client.SubmitAsync(home, "/language", new Dictionary<string, string?> { ["language"] = "sv" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/guidance", response.Headers.Location?.OriginalString);
        var page = await client.GetPageAsync("/guidance");
        Assert.Equal("sv", page.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task Guidance_IsBrowsableWithoutAReport()
    {
        var client = Factory.CreatePortalClient();
        var index = await client.GetPageAsync("/guidance");
        var links = index.QuerySelectorAll("a[href^='/guidance/']").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("/guidance/dont-pay", links);
        Assert.Contains("/guidance/save-email-headers", links);

        var article = await client.GetPageAsync("/guidance/save-email-headers");
        Assert.Contains("Thunderbird", article.Body!.TextContent, StringComparison.Ordinal);

        using var missing = await client.GetAsync("/guidance/no-such-article");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var mistyped = await client.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, mistyped.StatusCode);
    }

    [Fact]
    public async Task Health_ReadyAndLive_Answer()
    {
        var client = Factory.CreatePortalClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    protected async Task<int> CountCasesAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.CountAsync();
    }

    protected static async Task<(string Reference, string Key, IDocument Page)> SubmitAsync(HttpClient client, Dictionary<string, string?> answers)
    {
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        var reference = page.QuerySelector("[data-testid=reference]")?.TextContent;
        var key = page.QuerySelector("[data-testid=receipt-key]")?.TextContent;
        Assert.False(string.IsNullOrEmpty(reference), "no reference on the page");
        Assert.False(string.IsNullOrEmpty(key), "no receipt key on the page");
        return (reference!, key!, page);
    }

    private async Task<string?> FailedLookupErrorAsync(string reference, string key)
    {
        var client = Factory.CreatePortalClient();
        var open = await client.GetPageAsync("/status/open");
        using var response = await client.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = reference, ["ReceiptKey"] = key });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Null(page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#ReceiptKey")?.GetAttribute("value"));
        return page.QuerySelector(".error-summary li")?.TextContent.Trim();
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

public sealed class SqliteReportJourneyTests(SqlitePortalFactory factory)
    : ReportJourneyTests<SqlitePortalFactory>(factory), IClassFixture<SqlitePortalFactory>;

public sealed class PostgresReportJourneyTests(PostgresPortalFactory factory)
    : ReportJourneyTests<PostgresPortalFactory>(factory), IClassFixture<PostgresPortalFactory>;
