using System.Net;
using System.Net.Http.Headers;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

public sealed class TightSignInLimitFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:SignInPermits", "2"),
        new("RateLimits:SignInWindow", "00:10:00"),
    ];
}

/// <summary>
/// Staff stopped by the sign-in limit read a page written for staff: how long to wait and who can
/// help with their account, not the victims' page with crisis lines and guidance.
/// </summary>
public sealed class SignInRateLimitTests(TightSignInLimitFactory factory) : IClassFixture<TightSignInLimitFactory>
{
    [Theory]
    [InlineData("en", "Too many sign-in attempts")]
    [InlineData("fi", "Liian monta kirjautumisyritystä")]
    [InlineData("sv", "För många inloggningsförsök")]
    public async Task SignInAttempts_BeyondTheLimit_Get429_WithTheStaffWording(string language, string title)
    {
        var client = factory.CreatePortalClient();
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        var form = await client.GetPageAsync("/account/sign-in");
        var guess = new Dictionary<string, string?> { ["Email"] = "nobody@portal.test", ["Password"] = "Wrong-Password-2026" };

        // The limit is two tries per client; the later languages find it already spent.
        for (var i = 0; i < 2; i++)
        {
            (await client.SubmitAsync(form, "/account/sign-in", guess)).Dispose();
        }

        using var limited = await client.SubmitAsync(form, "/account/sign-in", guess);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var page = await HtmlForms.ParseAsync(limited);
        var main = page.QuerySelector("main") ?? throw new InvalidOperationException("The page has no main.");
        Assert.Equal(title, main.QuerySelector("h1")?.TextContent.Trim());
        Assert.NotNull(main.QuerySelector("[data-testid=retry-after]"));
        Assert.Null(main.QuerySelector("[data-testid=crisis-numbers]"));
        Assert.Empty(main.QuerySelectorAll("a[href^='tel:']"));
        Assert.Null(main.QuerySelector("a[href='/status/new-key']"));
        Assert.NotNull(main.QuerySelector("a[href='/account/sign-in']"));
    }
}
