using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;
using AngleSharp.Dom;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// The portal never loses a receipt (issue 15, defects 3 and 10): a change of language shows the
/// same receipt again, the download and printout say where to use it, a victim who gave an email
/// address gets a new key by email without anyone learning whether a case exists, and only wrong
/// receipts count against a client.
/// </summary>
public abstract class ReceiptTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    [Fact]
    public async Task Language_OnTheReceiptPage_ShowsTheSameReceiptInTheNewLanguage()
    {
        var victim = await VictimSteps.FileAsync(factory);
        Assert.Equal("/report/receipt", victim.Receipt.QuerySelector("form[action='/language'] input[name=returnUrl]")?.GetAttribute("value"));

        using var chosen = await victim.Client.SubmitAsync(victim.Receipt, "/language", new Dictionary<string, string?> { ["language"] = "fi" });
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal("/report/receipt", chosen.Headers.Location?.OriginalString);

        var again = await victim.Client.GetPageAsync("/report/receipt");
        Assert.Equal("fi", again.DocumentElement.GetAttribute("lang"));
        Assert.Equal(victim.Case.Reference, again.QuerySelector("[data-testid=reference]")?.TextContent.Trim());
        Assert.Equal(victim.Case.ReceiptKey, again.QuerySelector("[data-testid=receipt-key]")?.TextContent.Trim());
    }

    [Fact]
    public async Task Receipt_DownloadAndPage_SayWhereAndHowToUseTheKey()
    {
        var victim = await VictimSteps.FileAsync(factory);

        var href = victim.Receipt.QuerySelector("[data-testid=receipt-download]")?.GetAttribute("href") ?? "";
        Assert.StartsWith("data:text/plain;charset=utf-8,", href, StringComparison.Ordinal);
        var text = Uri.UnescapeDataString(href["data:text/plain;charset=utf-8,".Length..]);
        Assert.Contains(victim.Case.Reference, text, StringComparison.Ordinal);
        Assert.Contains(victim.Case.ReceiptKey, text, StringComparison.Ordinal);
        var address = factory.Services.GetRequiredService<Portal.Core.Email.EmailComposer>().Link("/status/open");
        Assert.StartsWith("http", address, StringComparison.Ordinal);
        Assert.Contains(address, text, StringComparison.Ordinal);
        Assert.Contains(address, victim.Receipt.QuerySelector("[data-testid=receipt-use]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipt_NamesTheConfiguredAddress_NotTheHostTheRequestCarried()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        var values = HtmlForms.DefaultValues(form.Form("/report"));
        foreach (var (key, value) in ReportAnswers.Valid())
        {
            if (value is null)
            {
                values.Remove(key);
            }
            else
            {
                values[key] = value;
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/report") { Content = new FormUrlEncodedContent(values) };
        request.Headers.Host = "evil.example";
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var use = (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=receipt-use]")?.TextContent;
        Assert.Contains(factory.Services.GetRequiredService<Portal.Core.Email.EmailComposer>().Link("/status/open"), use, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", use, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShownReceipt_IsSealed_AndGoesOnceSavedUsedOrExpired()
    {
        var saved = await VictimSteps.FileAsync(factory);
        var row = await factory.QueryAsync(db => db.ShownReceipts.AsNoTracking().SingleAsync(r => r.CaseId == saved.Case.Id));
        Assert.Equal(-1, row.KeyEnvelope.AsSpan().IndexOf(Encoding.UTF8.GetBytes(saved.Case.ReceiptKey)));

        using (var done = await saved.Client.SubmitAsync(await saved.Client.GetPageAsync("/report/receipt"), "/report/receipt/saved", new Dictionary<string, string?>()))
        {
            Assert.Equal("/status", done.Headers.Location?.OriginalString);
        }

        using (var gone = await saved.Client.GetAsync("/report/receipt"))
        {
            Assert.Equal("/status", gone.Headers.Location?.OriginalString);
        }

        var used = await VictimSteps.FileAsync(factory);
        Assert.NotNull(await VictimSteps.OpenAsync(factory, used.Case.Reference, used.Case.ReceiptKey));
        Assert.False(await factory.QueryAsync(db => db.ShownReceipts.AnyAsync(r => r.CaseId == used.Case.Id)));

        // An hour on, with the victim still on their case pages (so the session lives), it is gone.
        var late = await VictimSteps.FileAsync(factory);
        for (var i = 0; i < 3; i++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.True(await VictimSteps.SeesCaseAsync(late.Client));
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        using var expired = await late.Client.GetAsync("/report/receipt");
        Assert.Equal("/status", expired.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task KeyField_ShowsWhatIsTyped()
    {
        var page = await factory.CreatePortalClient().GetPageAsync("/status/open");

        Assert.Equal("text", page.QuerySelector("#ReceiptKey")?.GetAttribute("type"));
        Assert.Equal("/status/new-key", page.QuerySelector("[data-testid=new-key-link]")?.GetAttribute("href"));
    }

    [Fact]
    public async Task NewKeyByEmail_ReachesTheVictimsAddress_AndTheOldKeyStopsWorking()
    {
        var address = $"victim-{Guid.NewGuid():N}@example.org";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["ContactPreference"] = "Email", ["ContactEmail"] = address });

        await RequestNewKeyAsync(victim.Case.Reference.ToLowerInvariant(), address.ToUpperInvariant());
        Assert.Equal(1, await SendKeysAsync());

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(address));
        var newKey = System.Text.RegularExpressions.Regex.Match(mail.TextBody ?? "", "([0-9A-Z]{4}-){5}[0-9A-Z]{4}").Value;
        Assert.NotEmpty(newKey);
        Assert.NotEqual(victim.Case.ReceiptKey, newKey);
        Assert.Contains(victim.Case.Reference, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("/status/open", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("therapy", mail.TextBody, StringComparison.OrdinalIgnoreCase);

        Assert.Null(await VictimSteps.OpenAsync(factory, victim.Case.Reference, victim.Case.ReceiptKey));
        Assert.NotNull(await VictimSteps.OpenAsync(factory, victim.Case.Reference, newKey));
        Assert.False(await VictimSteps.SeesCaseAsync(victim.Client));
        var actions = await factory.QueryAsync(db => db.AuditEntries.Where(e => e.CaseId == victim.Case.Id).Select(e => e.Action).ToListAsync());
        Assert.Contains(AuditActions.ReceiptReissuedByEmail, actions);
        Assert.Contains(AuditActions.ReceiptKeyEmailed, actions);

        // Asked again at once: one email per case in a while, however often it is asked for.
        await RequestNewKeyAsync(victim.Case.Reference, address);
        Assert.Equal(0, await SendKeysAsync());
        Assert.NotNull(await VictimSteps.OpenAsync(factory, victim.Case.Reference, newKey));
    }

    [Theory]
    [InlineData("fi", "Uusi kuittiavaimesi")]
    [InlineData("sv", "Din nya kvittonyckel")]
    public async Task NewKeyByEmail_ComesInTheVictimsLanguage_AndItsKeyOpensTheCase(string language, string subject)
    {
        var address = $"victim-{language}-{Guid.NewGuid():N}@example.org";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["ContactPreference"] = "Email", ["ContactEmail"] = address, ["PreferredLanguage"] = language });

        await RequestNewKeyAsync(victim.Case.Reference, address);
        Assert.Equal(1, await SendKeysAsync());

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(address));
        Assert.Equal(subject, mail.Subject);
        var newKey = System.Text.RegularExpressions.Regex.Match(mail.TextBody ?? "", "([0-9A-Z]{4}-){5}[0-9A-Z]{4}").Value;
        Assert.NotEmpty(newKey);
        Assert.Contains(victim.Case.Reference, mail.TextBody, StringComparison.Ordinal);
        Assert.NotNull(await VictimSteps.OpenAsync(factory, victim.Case.Reference, newKey));
    }

    [Fact]
    public async Task NewKeyByEmail_AnswersTheSame_ForAWrongAddressAndAnUnknownReference()
    {
        var address = $"victim-{Guid.NewGuid():N}@example.org";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["ContactPreference"] = "Email", ["ContactEmail"] = address });
        var portalOnly = await VictimSteps.FileAsync(factory);

        var right = await RequestNewKeyAsync(victim.Case.Reference, address);
        var wrongAddress = await RequestNewKeyAsync(victim.Case.Reference, $"someone-{Guid.NewGuid():N}@example.org");
        var unknown = await RequestNewKeyAsync("VS-ZZZZ-ZZZZ", address);
        var noAddress = await RequestNewKeyAsync(portalOnly.Case.Reference, address);
        Assert.Equal(right, wrongAddress);
        Assert.Equal(right, unknown);
        Assert.Equal(right, noAddress);

        Assert.Equal(1, await SendKeysAsync());
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(address));
        Assert.NotNull(await VictimSteps.OpenAsync(factory, portalOnly.Case.Reference, portalOnly.Case.ReceiptKey));
        Assert.False(await factory.QueryAsync(db => db.ReceiptKeyRequests.AnyAsync()));
    }

    [Fact]
    public async Task NewKeyByEmail_MalformedRequest_IsAskedAgainWithTheProblemNamed()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/status/new-key");

        using var response = await client.SubmitAsync(form, "/status/new-key", new Dictionary<string, string?> { ["Reference"] = "", ["Email"] = "not an address" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Equal(["#Reference", "#Email"], page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href")));
    }

    /// <summary>Posts the new-key form; returns the answer's main text (the same for every well-formed request).</summary>
    private async Task<string> RequestNewKeyAsync(string reference, string email)
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/status/new-key");
        using var response = await client.SubmitAsync(form, "/status/new-key", new Dictionary<string, string?> { ["Reference"] = reference, ["Email"] = email });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.NotNull(page.QuerySelector("[data-testid=new-key-requested]"));
        return "new-key-requested:" + page.QuerySelector("main")?.TextContent.Trim();
    }

    private async Task<int> SendKeysAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SendNewReceiptKeysHandler>().HandleAsync(CancellationToken.None);
    }
}

public sealed class SqliteReceiptTests(SmtpSqlitePortalFactory factory)
    : ReceiptTests<SmtpSqlitePortalFactory>(factory), IClassFixture<SmtpSqlitePortalFactory>;

public sealed class PostgresReceiptTests(SmtpPostgresPortalFactory factory)
    : ReceiptTests<SmtpPostgresPortalFactory>(factory), IClassFixture<SmtpPostgresPortalFactory>;

public sealed class TightNewKeyLimitFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:NewKeyPermits", "2"),
        new("RateLimits:NewKeyWindow", "00:20:00"),
    ];
}

public sealed class NewKeyRateLimitTests(TightNewKeyLimitFactory factory) : IClassFixture<TightNewKeyLimitFactory>
{
    [Fact]
    public async Task NewKeyRequests_BeyondTheLimit_Get429_SayingHowLong()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/status/new-key");
        var request = new Dictionary<string, string?> { ["Reference"] = "VS-AAAA-AAAA", ["Email"] = "a@example.org" };
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await client.SubmitAsync(form, "/status/new-key", request);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await client.SubmitAsync(form, "/status/new-key", request);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var page = await HtmlForms.ParseAsync(limited);
        Assert.Contains("20 minutes", page.QuerySelector("[data-testid=retry-after]")?.TextContent, StringComparison.Ordinal);

        // Help meanwhile is a tap away: every number a tel: link, with when it answers.
        var main = page.QuerySelector("main")!;
        Assert.NotNull(main.QuerySelector("[data-testid=crisis-numbers] a[href='tel:112']"));
        Assert.Empty(PhoneNumbers.OutsideTelLinks(main));
        Assert.Empty(PhoneNumbers.LinkProblems(main, "en"));
    }
}

public sealed class TightLookupLimitFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:ReceiptLookupPermits", "3"),
        new("RateLimits:ReceiptLookupWindow", "00:15:00"),
    ];
}

public sealed class ReceiptLookupLimitTests(TightLookupLimitFactory factory) : IClassFixture<TightLookupLimitFactory>
{
    [Fact]
    public async Task Lookups_ThatOpenTheCase_DoNotCount_WrongOnesDo_AndTheRefusalSaysHowLongAndWhatElse()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var client = factory.CreatePortalClient();
        var open = await client.GetPageAsync("/status/open");
        for (var i = 0; i < 6; i++)
        {
            using var opened = await client.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = victim.Case.Reference, ["ReceiptKey"] = victim.Case.ReceiptKey });
            Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        }

        var wrong = new Dictionary<string, string?> { ["Reference"] = victim.Case.Reference, ["ReceiptKey"] = "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA" };
        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.SubmitAsync(open, "/status/open", wrong);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using var limited = await client.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = victim.Case.Reference, ["ReceiptKey"] = victim.Case.ReceiptKey });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        var page = await HtmlForms.ParseAsync(limited);
        Assert.Contains("15 minutes", page.QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("[data-testid=lookup-wait] a[href='/status/new-key']"));
        Assert.Equal(victim.Case.Reference, page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#Reference")?.Value);
    }
}
