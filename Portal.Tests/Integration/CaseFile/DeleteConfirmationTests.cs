using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.CaseFile;

/// <summary>
/// Deleting from the case file cannot be undone, so one click only asks: the delete button leads
/// to a page that names what would go and whose own form (with its antiforgery token) deletes it,
/// or a link that keeps it. Without JavaScript, as every page works.
/// </summary>
public sealed class DeleteConfirmationTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task DiaryEntry_DeleteAsksFirst_KeepingLeavesIt_ConfirmingDeletesAndAudits()
    {
        var (client, filed) = await CaseFileSteps.FileAsync(factory);
        (await CaseFileSteps.AddEntryAsync(client, "Called the bank about the demand.")).Dispose();
        var id = await factory.QueryAsync(db => db.DiaryEntries.Where(d => d.CaseId == filed.Id).Select(d => d.Id).SingleAsync());
        var entryUrl = $"/status/diary/{id}";
        var deleteUrl = $"{entryUrl}/delete";

        var entry = await client.GetPageAsync(entryUrl);
        Assert.False(PostsTo(entry, deleteUrl), "the entry page still deletes with one click");
        Assert.NotNull(entry.QuerySelector($"a[href='{deleteUrl}']"));

        var confirm = await client.GetPageAsync(deleteUrl);
        Assert.Contains("Called the bank about the demand.", confirm.QuerySelector("main")?.TextContent, StringComparison.Ordinal);
        AssertConfirmPage(confirm, deleteUrl, entryUrl);
        Assert.True(await factory.QueryAsync(db => db.DiaryEntries.AnyAsync(d => d.Id == id)), "asking deleted the entry");

        using (var deleted = await client.SubmitAsync(confirm, deleteUrl, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
            Assert.StartsWith("/status/diary?saved=deleted", deleted.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // A second press of Delete (or the same page in another tab) lands where the first did, and deletes nothing more.
        using (var again = await client.SubmitAsync(confirm, deleteUrl, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
            Assert.StartsWith("/status/diary?saved=deleted", again.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // A change typed in a tab opened before the delete keeps its words: they fill the new-entry form.
        using (var changed = await client.SubmitAsync(entry, entryUrl, new Dictionary<string, string?> { ["Text"] = "Written in the other tab." }))
        {
            Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
            var page = await HtmlForms.ParseAsync(changed);
            Assert.Contains("This entry was deleted", page.QuerySelector(".error-summary, [data-error-summary]")?.TextContent, StringComparison.Ordinal);
            Assert.Equal("Written in the other tab.", page.QuerySelector("form[action^='/status/diary#'] textarea[name=Text]")?.TextContent);
        }

        Assert.False(await factory.QueryAsync(db => db.DiaryEntries.AnyAsync(d => d.CaseId == filed.Id)));
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == filed.Id && a.Action == AuditActions.DiaryEntryDeleted && a.Subject == id.ToString())));
        using var gone = await client.GetAsync(deleteUrl);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Document_DeleteAsksFirst_KeepingLeavesIt_ConfirmingDeletesAndAudits()
    {
        var (client, filed) = await CaseFileSteps.FileAsync(factory);
        var name = $"kuitti-{Guid.NewGuid():N}.pdf";
        (await CaseFileSteps.UploadDocumentAsync(client, name, "application/pdf", CaseFileSteps.ReceiptPdf)).Dispose();
        var id = await factory.QueryAsync(db => db.EvidenceFiles.Where(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Document).Select(e => e.Id).SingleAsync());
        var deleteUrl = $"/status/documents/{id}/delete";

        var documents = await client.GetPageAsync("/status/documents");
        Assert.False(PostsTo(documents, deleteUrl), "the documents page still deletes with one click");
        Assert.NotNull(documents.QuerySelector($"a[href='{deleteUrl}']"));

        var confirm = await client.GetPageAsync(deleteUrl);
        Assert.Contains(name, confirm.QuerySelector("main")?.TextContent, StringComparison.Ordinal);
        AssertConfirmPage(confirm, deleteUrl, $"/status/documents#document-{id}");
        Assert.True(await factory.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.Id == id)), "asking deleted the document");

        using (var deleted = await client.SubmitAsync(confirm, deleteUrl, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        using (var again = await client.SubmitAsync(confirm, deleteUrl, new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
            Assert.Equal("/status/documents#documents-list", again.Headers.Location?.OriginalString);
        }

        Assert.False(await factory.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.Id == id)));
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == filed.Id && a.Action == AuditActions.DocumentDeleted && a.Subject == id.ToString())));
    }

    [Fact]
    public async Task AnotherCasesEntryOrDocument_HasNoConfirmPage()
    {
        var (owner, filed) = await CaseFileSteps.FileAsync(factory);
        (await CaseFileSteps.AddEntryAsync(owner, "Mine.")).Dispose();
        (await CaseFileSteps.UploadDocumentAsync(owner, "mine.pdf", "application/pdf", CaseFileSteps.ReceiptPdf)).Dispose();
        var entryId = await factory.QueryAsync(db => db.DiaryEntries.Where(d => d.CaseId == filed.Id).Select(d => d.Id).SingleAsync());
        var documentId = await factory.QueryAsync(db => db.EvidenceFiles.Where(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Document).Select(e => e.Id).SingleAsync());
        var (other, _) = await CaseFileSteps.FileAsync(factory);

        using var entry = await other.GetAsync($"/status/diary/{entryId}/delete");
        using var document = await other.GetAsync($"/status/documents/{documentId}/delete");

        Assert.Equal(HttpStatusCode.NotFound, entry.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
    }

    private static bool PostsTo(IDocument page, string action) =>
        page.QuerySelectorAll("form").Any(f => string.Equals(f.GetAttribute("method"), "post", StringComparison.OrdinalIgnoreCase) && f.GetAttribute("action")?.Split('#')[0] == action);

    private static void AssertConfirmPage(IDocument confirm, string deleteUrl, string keepUrl)
    {
        var form = confirm.Form(deleteUrl);
        Assert.Equal("post", form.GetAttribute("method"), StringComparer.OrdinalIgnoreCase);
        Assert.NotNull(form.QuerySelector("input[name='__af']"));
        Assert.NotNull(form.QuerySelector("button[type=submit]"));
        Assert.NotNull(confirm.QuerySelector($"main a[href='{keepUrl}']"));
        Assert.False(string.IsNullOrWhiteSpace(confirm.QuerySelector("h1")?.TextContent));
    }
}
