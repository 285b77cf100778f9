using System.Net;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

public sealed class TightRateLimitFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:ReceiptLookupPermits", "3"),
        new("RateLimits:ReceiptLookupWindow", "00:10:00"),
    ];
}

public sealed class ReceiptLookupRateLimitTests(TightRateLimitFactory factory) : IClassFixture<TightRateLimitFactory>
{
    [Fact]
    public async Task Lookup_BeyondTheLimit_Gets429WithRetryAfter_AndStopsCheckingReceipts()
    {
        var client = factory.CreatePortalClient();
        var open = await client.GetPageAsync("/status/open");
        var guess = new Dictionary<string, string?> { ["Reference"] = "VS-AAAA-AAAA", ["ReceiptKey"] = "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA" };

        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var allowed = await client.SubmitAsync(open, "/status/open", guess);
            Assert.Equal(HttpStatusCode.BadRequest, allowed.StatusCode);
        }

        using var limited = await client.SubmitAsync(open, "/status/open", guess);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        var page = await HtmlForms.ParseAsync(limited);
        Assert.NotEmpty(page.QuerySelector("h1")?.TextContent.Trim() ?? "");

        // Other pages stay open to the same client.
        using var form = await client.GetAsync("/report");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
    }
}

/// <summary>
/// Guesses sent at the same moment: each is checked against the limit only after the one before it
/// was counted, so a burst gets no more tries than the same guesses sent one after another.
/// </summary>
public sealed class SimultaneousReceiptGuessesTests(TightRateLimitFactory factory) : IClassFixture<TightRateLimitFactory>
{
    [Fact]
    public async Task Guesses_SentAtTheSameMoment_GetNoMoreTriesThanTheLimit()
    {
        var client = factory.CreatePortalClient();
        var open = await client.GetPageAsync("/status/open");

        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var guess = new Dictionary<string, string?> { ["Reference"] = "VS-AAAA-AAAA", ["ReceiptKey"] = $"AAAA-AAAA-AAAA-AAAA-AAAA-AA{i:D2}" };
            using var answer = await client.SubmitAsync(open, "/status/open", guess);
            return answer.StatusCode;
        }));

        Assert.Equal(3, answers.Count(a => a == HttpStatusCode.BadRequest));
        Assert.Equal(21, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }
}
