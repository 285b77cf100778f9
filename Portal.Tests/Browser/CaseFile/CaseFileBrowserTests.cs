using System.IO.Compression;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Core.Features.CaseFile;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.CaseFile;

/// <summary>
/// The victim's case file in Chromium: a diary entry written, a receipt uploaded to "my
/// documents" and the case file downloaded after typing the receipt key again; axe-core finds no
/// violation of any impact on any page on the way, and the same journey works with JavaScript off.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CaseFileBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Victim_WritesADiaryEntry_UploadsAReceipt_AndDownloadsACaseFileThatVerifies_WithNoAxeViolation()
    {
        var page = await fixture.NewPageAsync("en-GB");
        var reference = await BrowserFixture.FileReportAsync(page, "An email said my therapy notes would be published unless I paid.");
        var key = (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim();

        await page.GotoAsync("/status");
        await AssertNoViolationsAsync(page);
        await page.ClickAsync("[data-testid=diary-link]");
        await fixture.WaitForUrlAsync(page, "**/status/diary");
        Assert.Equal("My diary", (await page.InnerTextAsync("h1")).Trim());
        await AssertNoViolationsAsync(page);

        // A mistake first: the error summary takes the focus and names the field.
        await page.FillAsync("#Amount", "lots");
        await page.ClickAsync("form[data-testid=diary-form] button[type=submit]");
        await page.WaitForSelectorAsync(".error-summary a[href='#Kind']");
        await AssertNoViolationsAsync(page);

        const string entry = "Therapy visit about the blackmail; Åsa came with me.";
        await page.SelectOptionAsync("#Kind", "TherapyVisit");
        await page.FillAsync("#Text", entry);
        await page.FillAsync("#Amount", "85,00");
        await page.ClickAsync("form[data-testid=diary-form] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**/status/diary?saved=added*");
        Assert.Contains(entry, await page.InnerTextAsync("[data-testid=diary-entry]"), StringComparison.Ordinal);
        Assert.Contains("85.00 €", await page.InnerTextAsync("[data-testid=diary-entry]"), StringComparison.Ordinal);
        await AssertNoViolationsAsync(page);

        await page.GotoAsync("/status");
        await page.ClickAsync("[data-testid=documents-link]");
        await fixture.WaitForUrlAsync(page, "**/status/documents");
        await AssertNoViolationsAsync(page);
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "receipt-therapy.pdf", MimeType = "application/pdf", Buffer = CaseFileSteps.ReceiptPdf });
        await page.ClickAsync("form[data-testid=documents-upload] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**/status/documents?added=*");
        Assert.Contains("receipt-therapy.pdf", await page.InnerTextAsync("[data-testid=document]"), StringComparison.Ordinal);
        await AssertNoViolationsAsync(page);

        await page.GotoAsync("/status");
        await page.ClickAsync("[data-testid=case-file-link]");
        await fixture.WaitForUrlAsync(page, "**/status/case-file");
        await AssertNoViolationsAsync(page);

        // A wrong key gets the page again with the field's message, and no file.
        await page.FillAsync("#receiptKey", "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA");
        await page.ClickAsync("form[data-testid=case-file-form] button[type=submit]");
        await page.WaitForSelectorAsync(".error-summary a[href='#receiptKey']");
        await AssertNoViolationsAsync(page);

        await page.FillAsync("#receiptKey", key);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("form[data-testid=case-file-form] button[type=submit]"));

        Assert.Equal($"case-file-{reference}.zip", download.SuggestedFilename);
        var text = await VerifiedPdfTextAsync(download, reference);
        Assert.Contains($"Case file {reference}", text, StringComparison.Ordinal);
        Assert.Contains(entry, text, StringComparison.Ordinal);
        Assert.Contains("receipt-therapy.pdf", text, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Victim_InSwedish_WithJavaScriptOff_KeepsADiaryAndADocument_AndDownloadsTheCaseFile()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.BaseUrl, Locale = "sv-SE", JavaScriptEnabled = false });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        var reference = await BrowserFixture.FileReportAsync(page, "Ett mejl krävde pengar för mina terapianteckningar.");
        var key = (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim();
        Assert.Equal("sv", await page.GetAttributeAsync("html", "lang"));

        await page.GotoAsync("/status/diary");
        Assert.Equal("Min dagbok", (await page.InnerTextAsync("h1")).Trim());
        const string entry = "Sjukdag: kunde inte arbeta efter mejlet. Päivä meni huonosti.";
        await page.SelectOptionAsync("#Kind", "SickDay");
        await page.FillAsync("#Text", entry);
        await page.ClickAsync("form[data-testid=diary-form] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**/status/diary?saved=added*");
        Assert.Contains(entry, await page.InnerTextAsync("[data-testid=diary-entry]"), StringComparison.Ordinal);

        await page.GotoAsync("/status/documents");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "läkarintyg.pdf", MimeType = "application/pdf", Buffer = CaseFileSteps.ReceiptPdf });
        await page.ClickAsync("form[data-testid=documents-upload] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**/status/documents?added=*");
        Assert.Contains("läkarintyg.pdf", await page.InnerTextAsync("[data-testid=document]"), StringComparison.Ordinal);

        await page.GotoAsync("/status/case-file");
        Assert.Equal("Ladda ner min ärendemapp", (await page.InnerTextAsync("h1")).Trim());
        await page.FillAsync("#receiptKey", key);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("form[data-testid=case-file-form] button[type=submit]"));

        var text = await VerifiedPdfTextAsync(download, reference);
        Assert.Contains($"Ärendemapp {reference}", text, StringComparison.Ordinal);
        Assert.Contains("Dagbok", text, StringComparison.Ordinal);
        Assert.Contains(entry, text, StringComparison.Ordinal);
        Assert.Contains("läkarintyg.pdf", text, StringComparison.Ordinal);
        await context.CloseAsync();
    }

    /// <summary>Saves the download, checks it with unzip and `sha256sum -c`, and returns the text of its PDF as pdftotext reads it.</summary>
    private static async Task<string> VerifiedPdfTextAsync(IDownload download, string reference)
    {
        var path = Path.Combine(TestDatabases.NewTempDirectory(), download.SuggestedFilename);
        await download.SaveAsAsync(path);
        var zip = await File.ReadAllBytesAsync(path);
        using (var archive = new ZipArchive(new MemoryStream(zip)))
        {
            Assert.Equal(["documents/01-", $"case-file-{reference}.pdf", ExportCaseFileHandler.ChecksumsName], archive.Entries.Select(e => e.FullName.StartsWith("documents/01-", StringComparison.Ordinal) ? "documents/01-" : e.FullName));
        }

        var extracted = await CaseFileSteps.UnzipAsync(zip);
        var check = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", ExportCaseFileHandler.ChecksumsName);
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Equal(2, Regex.Count(check.Output, ": OK$", RegexOptions.Multiline));
        return await CaseFileSteps.PdfTextAsync(Path.Combine(extracted, $"case-file-{reference}.pdf"));
    }

    /// <summary>axe-core on the page as it stands: no violation at all, of any impact.</summary>
    private static async Task AssertNoViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var violations = result.Violations
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(5).Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(violations.Count == 0, $"axe-core found violations on {page.Url}:\n{string.Join("\n", violations)}");
    }
}
