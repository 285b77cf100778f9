using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

public sealed class TightReportLimitFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:ReportPermits", "2"),
        new("RateLimits:ReportWindow", "00:10:00"),
    ];
}

public sealed class TightUploadLimitFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:UploadPermits", "1"),
        new("RateLimits:UploadWindow", "00:10:00"),
    ];
}

/// <summary>A scanner filed 950 cases from one address: reports are limited per client, and a refusal keeps the victim's answers.</summary>
public sealed class ReportRateLimitTests(TightReportLimitFactory factory) : IClassFixture<TightReportLimitFactory>
{
    [Fact]
    public async Task Reports_BeyondTheLimit_AreRefusedWithRetryAfter_TheFormKeepsTheAnswers_AndNothingIsStored()
    {
        var before = await factory.QueryAsync(db => db.Cases.CountAsync());
        for (var i = 0; i < 2; i++)
        {
            var victim = factory.CreatePortalClient();
            using var filed = await victim.SubmitAsync(await victim.GetPageAsync("/report"), "/report", ReportAnswers.Valid());
            Assert.Equal(HttpStatusCode.OK, filed.StatusCode);
        }

        var client = factory.CreatePortalClient();
        using var refused = await client.SubmitAsync(await client.GetPageAsync("/report"), "/report", ReportAnswers.Valid("the third one, typed with care"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        var page = await HtmlForms.ParseAsync(refused);
        Assert.Contains("minutes", page.QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("the third one, typed with care", page.QuerySelector("#WhatHappened")?.TextContent);
        Assert.Null(page.QuerySelector("[data-testid=receipt-key]"));
        Assert.Equal(before + 2, await factory.QueryAsync(db => db.Cases.CountAsync()));
    }

}

/// <summary>Uploads are limited per client besides each case's quota, and a refused paste stays on screen.</summary>
public sealed class UploadRateLimitTests(TightUploadLimitFactory factory) : IClassFixture<TightUploadLimitFactory>
{
    [Fact]
    public async Task Uploads_BeyondTheLimit_AreRefusedWithRetryAfter_AndThePastedTextStays()
    {
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory);
        using (var first = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("first"))))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        var files = await factory.QueryAsync(db => db.EvidenceFiles.CountAsync());
        var evidence = await EvidenceUploads.PageAsync(client);
        using var second = await EvidenceUploads.UploadAsync(client, EvidenceUploads.Token(evidence), "again.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("second")));
        using var pasted = await client.SubmitAsync(evidence, "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = "Subject: kept on screen" });

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
        Assert.Contains("minutes", (await HtmlForms.ParseAsync(second)).QuerySelector("[data-testid=evidence-message]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, pasted.StatusCode);
        Assert.Equal("Subject: kept on screen", (await HtmlForms.ParseAsync(pasted)).QuerySelector("#source")?.TextContent);
        Assert.Equal(files, await factory.QueryAsync(db => db.EvidenceFiles.CountAsync()));
    }
}
