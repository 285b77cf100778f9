using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portal.Tests.Support;

/// <summary>A victim's case file by HTTP, as a browser without JavaScript uses it: the diary, documents and the download.</summary>
public static class CaseFileSteps
{
    public static readonly byte[] ReceiptPdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% receipt for a therapy visit, 85.00 EUR\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

    /// <summary>A victim who has just filed a report: their client holds the case session; the case as filed.</summary>
    public static async Task<(HttpClient Client, FiledCase Case)> FileAsync(PortalFactory factory, IReadOnlyDictionary<string, string?>? changes = null, string? language = null)
    {
        var answers = ReportAnswers.Valid();
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            answers[key] = value;
        }

        var client = factory.CreatePortalClient();
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        }

        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        var reference = page.QuerySelector("[data-testid=reference]")?.TextContent.Trim() ?? "";
        var receipt = page.QuerySelector("[data-testid=receipt-key]")?.TextContent.Trim() ?? "";
        var id = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        return (client, new FiledCase(id, reference, receipt));
    }

    /// <summary>Posts the diary's add form; returns the answer (a redirect when saved).</summary>
    public static async Task<HttpResponseMessage> AddEntryAsync(HttpClient client, string text, string kind = "Call", bool shared = false, string date = "2026-11-20", string? amount = null)
    {
        var page = await client.GetPageAsync("/status/diary");
        var fields = new Dictionary<string, string?> { ["OccurredOn"] = date, ["Kind"] = kind, ["Text"] = text, ["Amount"] = amount ?? "" };
        fields["Shared"] = shared ? "true" : null;
        return await client.SubmitAsync(page, "/status/diary", fields);
    }

    /// <summary>Uploads a file to "my documents" the way its form does: the antiforgery field first, then the file.</summary>
    public static async Task<HttpResponseMessage> UploadDocumentAsync(HttpClient client, string fileName, string contentType, byte[] content)
    {
        var page = await client.GetPageAsync("/status/documents");
        var token = page.QuerySelector("form.upload-form input[name='__af']")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The documents page has no upload token.");
        using var form = new MultipartFormDataContent("----portal-test-boundary");
        form.Add(new StringContent(token, Encoding.UTF8), "__af");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(file, "file", fileName);
        return await client.PostAsync("/status/documents", form);
    }

    /// <summary>Shares or stops sharing a document through its button on the documents page.</summary>
    public static async Task<HttpResponseMessage> ShareDocumentAsync(HttpClient client, Guid documentId, bool shared)
    {
        var page = await client.GetPageAsync("/status/documents");
        return await client.SubmitAsync(page, $"/status/documents/{documentId}/share", new Dictionary<string, string?> { ["shared"] = shared ? "true" : "false" });
    }

    /// <summary>Submits the case file form with a receipt key; returns the answer (the ZIP, or the page again).</summary>
    public static async Task<HttpResponseMessage> DownloadAsync(HttpClient client, string? receiptKey)
    {
        var page = await client.GetPageAsync("/status/case-file");
        return await client.SubmitAsync(page, "/status/case-file", new Dictionary<string, string?> { ["receiptKey"] = receiptKey });
    }

    /// <summary>Unpacks a ZIP with Info-ZIP's unzip into a new directory and returns it.</summary>
    public static async Task<string> UnzipAsync(byte[] zip)
    {
        var directory = TestDatabases.NewTempDirectory();
        var path = Path.Combine(directory, "case-file.zip");
        await File.WriteAllBytesAsync(path, zip);
        var extracted = Path.Combine(directory, "x");
        var unzip = await BundleDownloads.RunAsync("/usr/bin/unzip", directory, "-q", path, "-d", extracted);
        Assert.True(unzip.ExitCode == 0, unzip.Output + unzip.Errors);
        return extracted;
    }

    /// <summary>The text of a PDF as Debian's pdftotext (poppler-utils) reads it, with runs of white space made single spaces.</summary>
    public static async Task<string> PdfTextAsync(string pdfPath)
    {
        var result = await BundleDownloads.RunAsync("/usr/bin/pdftotext", Path.GetDirectoryName(pdfPath) ?? "/", "-enc", "UTF-8", pdfPath, "-");
        Assert.True(result.ExitCode == 0, result.Errors);
        return string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r', '\t', '\f'], StringSplitOptions.RemoveEmptyEntries));
    }
}
