using System.Net.Http.Headers;
using System.Text;
using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Evidence;

namespace Portal.Tests.Support;

/// <summary>Posts files the way the evidence page's form does: the antiforgery field first, then the file.</summary>
public static class EvidenceUploads
{
    public static string SampleEmail(string body = "Pay 0.1 BTC within 24 hours or your therapy notes will be published.") => $"""
        Return-Path: <bounce@extortion.example>
        Received: from mail.extortion.example (mail.extortion.example [203.0.113.9])
        	by mx.victim.example with ESMTP id 4711; Thu, 22 Oct 2020 09:14:03 +0300
        From: "Ransom Team" <ransom@extortion.example>
        To: victim@victim.example
        Subject: Your therapy records
        Date: Thu, 22 Oct 2020 09:13:58 +0300
        Message-ID: <abc123@extortion.example>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        {body}
        Send the bitcoin to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.
        """.ReplaceLineEndings("\r\n");

    public static async Task<IDocument> PageAsync(HttpClient client) => await client.GetPageAsync("/status/evidence");

    /// <summary>
    /// What the evidence-analysis job does after an upload, for portals that run no scheduler:
    /// reads every file still pending. Returns how many were read.
    /// </summary>
    public static async Task<int> AnalysePendingAsync(PortalFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<AnalyseEvidenceHandler>();
        var read = 0;
        foreach (var id in await handler.PendingAsync(1000, CancellationToken.None))
        {
            await handler.HandleAsync(id, CancellationToken.None);
            read++;
        }

        return read;
    }

    /// <summary>A victim who has just filed a report: their client holds the case session, and the upload token.</summary>
    public static async Task<(HttpClient Client, string Token)> NewCaseAsync(PortalFactory factory, Dictionary<string, string?>? answers = null)
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var submitted = await client.SubmitAsync(form, "/report", answers ?? ReportAnswers.Valid());
        Assert.Equal(System.Net.HttpStatusCode.OK, submitted.StatusCode);
        return (client, Token(await PageAsync(client)));
    }

    public static string Token(IDocument page) =>
        page.QuerySelector("form.upload-form input[name='__af']")?.GetAttribute("value")
        ?? throw new InvalidOperationException("The evidence page has no upload token.");

    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, string? token, string? fileName, string? contentType, byte[] content) =>
        UploadAsync(client, token, fileName, contentType, new ByteArrayContent(content));

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string? token, string? fileName, string? contentType, HttpContent file)
    {
        using var form = new MultipartFormDataContent("----portal-test-boundary");
        if (token is not null)
        {
            form.Add(new StringContent(token, Encoding.UTF8), "__af");
        }

        if (contentType is not null)
        {
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (string.IsNullOrEmpty(fileName))
        {
            // What a browser sends when no file was chosen: a file part with an empty name.
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"\"" };
            form.Add(file);
        }
        else if (fileName.Any(c => c > 127 || c == '"'))
        {
            // RFC 5987 extended form, as browsers and tools send names beyond ASCII.
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"upload\"", FileNameStar = fileName };
            form.Add(file);
        }
        else
        {
            form.Add(file, "file", fileName);
        }
        return await client.PostAsync("/status/evidence", form);
    }
}
