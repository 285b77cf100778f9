using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;
using Portal.Web.Accounts;
using Portal.Web.Evidence;
using Portal.Web.Forms;
using Portal.Web.Localization;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

public sealed record DiaryPageViewModel(string Reference, IReadOnlyList<DiaryEntryView> Entries, DiaryEntryForm Form, string? MessageKey = null, bool IsError = false);

public sealed record DiaryEntryPageViewModel(Guid Id, DiaryEntryForm Form);

/// <summary>The page that asks before an entry or a document is deleted, naming what would go.</summary>
public sealed record DeleteDiaryEntryPageViewModel(DiaryEntryView Entry);

public sealed record DeleteDocumentPageViewModel(DocumentView Document);

public sealed record DocumentsPageViewModel(string Reference, IReadOnlyList<DocumentView> Documents, EvidenceOptions Limits, string? MessageKey = null, bool IsError = false, Guid? Highlight = null, int WaitMinutes = 0);

public sealed record CaseFilePageViewModel(string Reference, string? ErrorKey = null);

/// <summary>
/// The victim's case file: a diary only they write, their own documents (uploaded through the
/// evidence path, never analysed), sharing of single entries and documents with the case's
/// staff and partners, and the download of everything as one verifiable ZIP after typing the
/// receipt key again. Only the case session reaches these pages.
/// </summary>
[Authorize(Policy = CaseSession.Policy)]
[Route("status")]
public sealed class CaseFileController(
    GetCaseStatusHandler getStatus,
    ListDiaryHandler listDiary,
    SaveDiaryEntryHandler saveEntry,
    DeleteDiaryEntryHandler deleteEntry,
    IValidator<DiaryEntryForm> entryValidator,
    ListDocumentsHandler listDocuments,
    AddEvidenceHandler addFile,
    ShareDocumentHandler shareDocument,
    DeleteDocumentHandler deleteDocument,
    StreamedUploads uploads,
    ExportCaseFileHandler exportCaseFile,
    IOptions<EvidenceOptions> evidenceOptions,
    IOptions<CaseFileOptions> caseFileOptions,
    ClientLimits limits,
    TimeProvider clock,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    [HttpGet("diary")]
    public async Task<IActionResult> Diary([FromQuery] string? saved, CancellationToken cancellationToken)
    {
        var message = saved switch
        {
            "added" => "Diary.Added",
            "changed" => "Diary.Changed",
            "deleted" => "Diary.Deleted",
            _ => null,
        };
        return await DiaryPageAsync(StatusCodes.Status200OK, new DiaryEntryForm { OccurredOn = Today() }, message, isError: false, cancellationToken);
    }

    [HttpPost("diary")]
    [ReplaysOnLanguageSwitch]
    public async Task<IActionResult> AddEntry([FromForm] DiaryEntryForm form, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        (await entryValidator.ValidateAsync(form, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            return await DiaryPageAsync(StatusCodes.Status422UnprocessableEntity, form, null, isError: true, cancellationToken);
        }

        if (LanguageReplay.IsReplay(Request))
        {
            return await DiaryPageAsync(StatusCodes.Status200OK, form, null, isError: false, cancellationToken);
        }

        return await saveEntry.HandleAsync(caseId, null, form, Actor.Victim, cancellationToken) switch
        {
            DiaryOutcome.Saved => Redirect("/status/diary?saved=added#diary-entries"),
            _ => await DiaryPageAsync(StatusCodes.Status422UnprocessableEntity, form, "Diary.Full", isError: true, cancellationToken),
        };
    }

    [HttpGet("diary/{entryId:guid}")]
    public async Task<IActionResult> Entry(Guid entryId, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        var entry = await listDiary.FindAsync(caseId, entryId, cancellationToken);
        return entry is null ? NotFound() : View(new DiaryEntryPageViewModel(entryId, DiaryEntryForm.From(entry)));
    }

    [HttpPost("diary/{entryId:guid}")]
    [ReplaysOnLanguageSwitch]
    public async Task<IActionResult> ChangeEntry(Guid entryId, [FromForm] DiaryEntryForm form, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        (await entryValidator.ValidateAsync(form, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Entry", new DiaryEntryPageViewModel(entryId, form));
        }

        if (LanguageReplay.IsReplay(Request))
        {
            return View("Entry", new DiaryEntryPageViewModel(entryId, form));
        }

        return await saveEntry.HandleAsync(caseId, entryId, form, Actor.Victim, cancellationToken) switch
        {
            DiaryOutcome.Saved => Redirect($"/status/diary?saved=changed#entry-{entryId}"),

            // Deleted in another tab: the words typed are not lost, they fill the form for a new entry.
            DiaryOutcome.Deleted => await DiaryPageAsync(StatusCodes.Status409Conflict, form, "Diary.ChangedEntryGone", isError: true, cancellationToken),
            _ => NotFound(),
        };
    }

    /// <summary>
    /// Asks first: a deleted entry cannot be brought back, and a delete button one slip away from
    /// the change form's own took it with one click. The page's form posts the delete itself.
    /// </summary>
    [HttpGet("diary/{entryId:guid}/delete")]
    public async Task<IActionResult> ConfirmDeleteEntry(Guid entryId, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        var entry = await listDiary.FindAsync(caseId, entryId, cancellationToken);
        return entry is null ? NotFound() : View("DeleteEntry", new DeleteDiaryEntryPageViewModel(entry));
    }

    [HttpPost("diary/{entryId:guid}/delete")]
    public async Task<IActionResult> DeleteEntry(Guid entryId, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        // A second press of Delete lands where the first did.
        return await deleteEntry.HandleAsync(caseId, entryId, Actor.Victim, cancellationToken) is DiaryOutcome.Saved or DiaryOutcome.Deleted
            ? Redirect("/status/diary?saved=deleted#diary-entries")
            : NotFound();
    }

    [HttpGet("documents")]
    public async Task<IActionResult> Documents([FromQuery] string? added, [FromQuery] string? existing, [FromQuery] string? changed, CancellationToken cancellationToken)
    {
        var highlight = Guid.TryParse(added ?? existing ?? changed, out var id) ? id : (Guid?)null;
        var message = added is not null ? "Documents.Added" : existing is not null ? "Documents.AlreadyStored" : changed is not null ? "Documents.Changed" : null;
        return await DocumentsPageAsync(StatusCodes.Status200OK, message, isError: false, highlight, cancellationToken);
    }

    /// <summary>A receipt, certificate or letter, streamed and encrypted exactly as evidence is, but kept as the victim's own document.</summary>
    [HttpPost("documents")]
    [IgnoreAntiforgeryToken] // Checked from the form's first field, so the file is never buffered to read the token.
    [DisableFormValueModelBinding]
    public async Task<IActionResult> UploadDocument(CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        if (limits.TryUpload(HttpContext) is { } wait)
        {
            return await DocumentsPageAsync(StatusCodes.Status429TooManyRequests, "Evidence.Rejected.TooManyUploads", true, null, cancellationToken, (int)Math.Ceiling(wait.TotalMinutes));
        }

        var upload = await uploads.ReadAsync(HttpContext, (fileName, declaredType, body) =>
            addFile.HandleAsync(new AddEvidence(caseId, fileName, declaredType, EvidenceSource.Upload, FilePurpose.Document), body, cancellationToken), cancellationToken);
        return upload.Framing switch
        {
            UploadFraming.Handled => upload.Result switch
            {
                AddEvidenceResult.Stored stored => Redirect($"/status/documents?added={stored.File.Id}#document-{stored.File.Id}"),
                AddEvidenceResult.AlreadyStored already => Redirect($"/status/documents?existing={already.File.Id}#document-{already.File.Id}"),
                AddEvidenceResult.Rejected rejected => await DocumentsPageAsync(StatusFor(rejected.Reason), "Evidence.Rejected." + rejected.Reason, true, null, cancellationToken),
                _ => throw new InvalidOperationException("An upload was handled without a result."),
            },
            UploadFraming.AntiforgeryFailed => BadRequest(),
            UploadFraming.TooLarge => await DocumentsPageAsync(StatusCodes.Status413PayloadTooLarge, "Evidence.Rejected.TooLarge", true, null, cancellationToken),
            UploadFraming.NoFile => await DocumentsPageAsync(StatusCodes.Status422UnprocessableEntity, "Evidence.Rejected.Empty", true, null, cancellationToken),
            _ => await DocumentsPageAsync(StatusCodes.Status400BadRequest, "Evidence.Rejected.BadRequest", true, null, cancellationToken),
        };
    }

    [HttpPost("documents/{documentId:guid}/share")]
    public async Task<IActionResult> ShareDocument(Guid documentId, [FromForm] bool shared, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        if (!ModelState.IsValid)
        {
            return BadRequest();
        }

        return await shareDocument.HandleAsync(caseId, documentId, shared, Actor.Victim, cancellationToken) == DocumentOutcome.Done
            ? Redirect($"/status/documents?changed={documentId}#document-{documentId}")
            : NotFound();
    }

    /// <summary>Asks first, as for a diary entry: the list's delete button used to delete with one click.</summary>
    [HttpGet("documents/{documentId:guid}/delete")]
    public async Task<IActionResult> ConfirmDeleteDocument(Guid documentId, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        var document = (await listDocuments.HandleAsync(caseId, cancellationToken)).FirstOrDefault(d => d.File.Id == documentId);
        return document is null ? NotFound() : View("DeleteDocument", new DeleteDocumentPageViewModel(document));
    }

    [HttpPost("documents/{documentId:guid}/delete")]
    public async Task<IActionResult> DeleteDocument(Guid documentId, CancellationToken cancellationToken)
    {
        if (CaseSession.CaseId(User) is not { } caseId)
        {
            return Challenge(CaseSession.Scheme);
        }

        // A second press of Delete lands where the first did.
        return await deleteDocument.HandleAsync(caseId, documentId, Actor.Victim, cancellationToken) is DocumentOutcome.Done or DocumentOutcome.Deleted
            ? Redirect("/status/documents#documents-list")
            : NotFound();
    }

    [HttpGet("case-file")]
    public async Task<IActionResult> CaseFile(CancellationToken cancellationToken)
    {
        var status = CaseSession.CaseId(User) is { } caseId ? await getStatus.HandleAsync(caseId, cancellationToken) : null;
        return status is null ? Challenge(CaseSession.Scheme) : View(new CaseFilePageViewModel(status.Reference));
    }

    /// <summary>
    /// The download, answered to the form itself (no link that could be shared or cached). Limited
    /// per client like opening a case with the receipt, since it is a guess at the same key: only
    /// a wrong key counts against the client.
    /// </summary>
    [HttpPost("case-file")]
    public async Task<IActionResult> DownloadCaseFile([FromForm] string? receiptKey, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var status = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || status is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        // The key is checked, and a wrong one counted, before this client's next try is looked at;
        // the download itself streams after.
        var turn = await limits.OneLookupAtATimeAsync(HttpContext, cancellationToken);
        ExportCaseFileResult result;
        using (turn)
        {
            if (limits.ReceiptLookupWait(HttpContext) is { } wait)
            {
                Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                ModelState.AddModelError("receiptKey", localizer["Status.Open.TooMany", ClientLimits.WaitMinutes(wait)]);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return View("CaseFile", new CaseFilePageViewModel(status.Reference));
            }

            var language = new CaseFileLanguage(CultureInfo.CurrentUICulture, key => localizer[key]);
            result = await exportCaseFile.HandleAsync(new ExportCaseFile(caseId.Value, receiptKey), language, Actor.Victim, cancellationToken);
            if (result is ExportCaseFileResult.KeyRefused)
            {
                limits.CountFailedLookup(HttpContext);
            }
        }

        switch (result)
        {
            case ExportCaseFileResult.Ready ready:
                return new SealedDownload(ready.FileName, "application/zip", ready.WriteToAsync);

            case ExportCaseFileResult.KeyRefused:
                ModelState.AddModelError("receiptKey", localizer["CaseFile.KeyRefused"]);
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return View("CaseFile", new CaseFilePageViewModel(status.Reference));

            case ExportCaseFileResult.Unavailable:
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return View("CaseFile", new CaseFilePageViewModel(status.Reference, "CaseFile.Unavailable"));

            case ExportCaseFileResult.Blocked:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("CaseFile", new CaseFilePageViewModel(status.Reference, "CaseFile.Blocked"));

            default:
                return Challenge(CaseSession.Scheme);
        }
    }

    /// <summary>Today where the victim is (CaseFile:TimeZone), not in UTC: late in a Finnish evening UTC is still yesterday.</summary>
    private string Today() => caseFileOptions.Value.Today(clock).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static int StatusFor(EvidenceRejection reason) => reason switch
    {
        EvidenceRejection.UnsupportedType or EvidenceRejection.TypeMismatch => StatusCodes.Status415UnsupportedMediaType,
        EvidenceRejection.TooLarge or EvidenceRejection.CaseQuotaExceeded => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private async Task<IActionResult> DiaryPageAsync(int statusCode, DiaryEntryForm form, string? messageKey, bool isError, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var status = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || status is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        Response.StatusCode = statusCode;
        var entries = await listDiary.HandleAsync(caseId.Value, cancellationToken);
        return View("Diary", new DiaryPageViewModel(status.Reference, entries, form, messageKey, isError));
    }

    private async Task<IActionResult> DocumentsPageAsync(int statusCode, string? messageKey, bool isError, Guid? highlight, CancellationToken cancellationToken, int waitMinutes = 0)
    {
        var caseId = CaseSession.CaseId(User);
        var status = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || status is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        Response.StatusCode = statusCode;
        var documents = await listDocuments.HandleAsync(caseId.Value, cancellationToken);
        return View("Documents", new DocumentsPageViewModel(status.Reference, documents, evidenceOptions.Value, messageKey, isError, highlight, waitMinutes));
    }
}
