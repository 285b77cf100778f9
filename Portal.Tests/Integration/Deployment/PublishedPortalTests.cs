using System.Net;
using System.Text.Json;

namespace Portal.Tests.Integration.Deployment;

/// <summary>The publish output as an operator runs it: settings, working directory, plain HTTP.</summary>
[Collection(PublishedPortalCollection.Name)]
public sealed class PublishedPortalTests(PublishedPortal published)
{
    /// <summary>What the nginx site in infra/deploy adds to every request it passes on.</summary>
    private static HttpRequestMessage ViaTls(HttpMethod method, string path) =>
        new(method, path) { Headers = { { "X-Forwarded-Proto", "https" } } };

    [Fact]
    public async Task Publish_CarriesSettings_SoFrameworkLogsStayAtWarning()
    {
        var settings = Path.Combine(published.Directory, "appsettings.json");
        Assert.True(File.Exists(settings), "the publish output has no appsettings.json");
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(settings)))
        {
            Assert.Equal("Warning", json.RootElement.GetProperty("Logging").GetProperty("LogLevel").GetProperty("Microsoft").GetString());
        }

        var node = await published.SharedNodeAsync();
        using var client = new HttpClient { BaseAddress = node.Address };
        foreach (var path in new[] { "/", "/report", "/guidance", "/status/open", "/health/ready" })
        {
            using var response = await client.SendAsync(ViaTls(HttpMethod.Get, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Migrations ran at start and the pages read the database: none of it is in the log.
        var output = node.Output.ToList();
        Assert.Contains(output, l => l.StartsWith("info: Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.Contains("Executed DbCommand", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => (l.StartsWith("info: Microsoft.", StringComparison.Ordinal) || l.StartsWith("dbug: ", StringComparison.Ordinal))
            && !l.StartsWith("info: Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Published_StartedFromAnotherDirectory_ServesItsStylesheetsScriptsAndGuidance()
    {
        var node = await published.SharedNodeAsync();
        using var client = new HttpClient { BaseAddress = node.Address };

        using var css = await client.SendAsync(ViaTls(HttpMethod.Get, "/css/site.css"));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        using var script = await client.SendAsync(ViaTls(HttpMethod.Get, "/js/site.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);

        using var home = await client.SendAsync(ViaTls(HttpMethod.Get, "/"));
        Assert.Contains("/css/site.css", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Guidance articles are Markdown files beside the app, read from its content root.
        using var guidance = await client.SendAsync(ViaTls(HttpMethod.Get, "/guidance"));
        var page = await guidance.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, guidance.StatusCode);
        Assert.Contains("href=\"/guidance/", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/report")]
    [InlineData("GET", "/account/sign-in?returnUrl=%2Fstaff")]
    [InlineData("POST", "/report")]
    [InlineData("HEAD", "/")]
    public async Task PlainHttp_InProduction_RedirectsToHttps_WithTheSecurityHeaders(string method, string path)
    {
        var node = await published.SharedNodeAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = node.Address };

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri("https://127.0.0.1" + path), response.Headers.Location);
        Assert.StartsWith("default-src 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(response.Headers.Contains("Set-Cookie"), "a redirect to HTTPS sets no cookie");
    }

    [Fact]
    public async Task PlainHttp_HealthChecks_AnswerTheLoadBalancerDirectly()
    {
        var node = await published.SharedNodeAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = node.Address };

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
