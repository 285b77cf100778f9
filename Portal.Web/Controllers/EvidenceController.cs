using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;
using Portal.Web.Accounts;
using Portal.Web.Evidence;
using Portal.Web.Forms;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

public sealed record EvidencePageViewModel(
    string Reference,
    IReadOnlyList<EvidenceSummary> Files,
    EvidenceOptions Limits,
    string? MessageKey,
    bool IsError,
    Guid? Highlight,
    ReportDetailsSuggestion? Suggestion,
    ConfirmReportDetails? Confirm,
    bool AnalysisPending = false,
    int WaitMinutes = 0,
    string? PastedSource = null,
    IReadOnlyList<EvidenceRefusalView>? Refusals = null);

/// <summary>The victim's evidence: upload (streamed, never buffered), paste an email's source, list and receipt.</summary>
[Authorize(Policy = CaseSession.Policy)]
[Route("status/evidence")]
public sealed class EvidenceController(
    AddEvidenceHandler addEvidence,
    ListEvidenceHandler listEvidence,
    SuggestReportDetailsHandler suggestDetails,
    ConfirmReportDetailsHandler confirmDetails,
    IValidator<ConfirmReportDetails> confirmValidator,
    GetCaseStatusHandler getStatus,
    IAntiforgery antiforgery,
    IOptions<AntiforgeryOptions> antiforgeryOptions,
    IOptions<EvidenceOptions> options,
    ClientLimits limits,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    /// <summary>Room for the multipart framing and the antiforgery field around one file.</summary>
    private const long RequestOverheadBytes = 64 * 1024;

    public const long MaxPasteRequestBytes = 12 * 1024 * 1024;

    [HttpGet("")]
    public async Task<IActionResult> Index(string? added, string? existing, string? confirmed, CancellationToken cancellationToken)
    {
        var highlight = Guid.TryParse(added ?? existing, out var id) ? id : (Guid?)null;
        var message = added is not null ? "Evidence.Added" : existing is not null ? "Evidence.AlreadyStored" : confirmed is not null ? "Evidence.Confirmed" : null;
        return await PageAsync(StatusCodes.Status200OK, message, isError: false, highlight, cancellationToken);
    }

    /// <summary>The victim confirms (or corrects) details read from their email; they go into the report.</summary>
    [HttpPost("confirm")]
    public async Task<IActionResult> Confirm([FromForm] ConfirmReportDetails details, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        if (caseId is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        var validation = await confirmValidator.ValidateAsync(details, cancellationToken);
        validation.AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            return await PageAsync(StatusCodes.Status422UnprocessableEntity, null, true, null, cancellationToken, details);
        }

        await confirmDetails.HandleAsync(caseId.Value, details, cancellationToken);
        return Redirect(PortalRoutes.StatusEvidence + "?confirmed=1");
    }

    [HttpPost("")]
    [IgnoreAntiforgeryToken] // Checked below from the form's first field, so the file is never buffered to read the token.
    [DisableFormValueModelBinding]
    public async Task<IActionResult> Upload(CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        if (caseId is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        if (limits.TryUpload(HttpContext) is { } wait)
        {
            return await PageAsync(StatusCodes.Status429TooManyRequests, "Evidence.Rejected.TooManyUploads", true, null, cancellationToken, waitMinutes: (int)Math.Ceiling(wait.TotalMinutes));
        }

        var maxRequest = options.Value.MaxFileBytes + RequestOverheadBytes;
        if (Request.ContentLength > maxRequest)
        {
            return await PageAsync(StatusCodes.Status413PayloadTooLarge, "Evidence.Rejected.TooLarge", true, null, cancellationToken);
        }

        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = maxRequest;
        }

        if (!MediaTypeHeaderValue.TryParse(Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return await PageAsync(StatusCodes.Status400BadRequest, "Evidence.Rejected.BadRequest", true, null, cancellationToken);
        }

        try
        {
            // A large buffer: the default 4 KiB makes the boundary scan, not the disk, the limit on big files.
            var reader = new MultipartReader(boundary, Request.Body, 256 * 1024) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
            if (!await ValidateAntiforgeryAsync(await UploadSections.NextAsync(reader, cancellationToken)))
            {
                return BadRequest();
            }

            var section = await UploadSections.NextAsync(reader, cancellationToken);
            if (section is null
                || !ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.IsFileDisposition())
            {
                return await PageAsync(StatusCodes.Status422UnprocessableEntity, "Evidence.Rejected.Empty", true, null, cancellationToken);
            }

            var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
            var result = await addEvidence.HandleAsync(new AddEvidence(caseId.Value, fileName, section.ContentType, EvidenceSource.Upload), section.Body, cancellationToken);
            return await PageForResultAsync(result, cancellationToken);
        }
        catch (InvalidDataException)
        {
            // Malformed multipart: too many or too long part headers, a broken boundary, a body
            // that ends before its closing boundary.
            return await PageAsync(StatusCodes.Status400BadRequest, "Evidence.Rejected.BadRequest", true, null, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return await PageAsync(StatusCodes.Status413PayloadTooLarge, "Evidence.Rejected.TooLarge", true, null, cancellationToken);
        }
    }

    [HttpPost("paste")]
    [RequestSizeLimit(MaxPasteRequestBytes)]
    [RequestFormLimits(ValueLengthLimit = (int)MaxPasteRequestBytes)]
    public async Task<IActionResult> Paste([FromForm] string? source, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        if (caseId is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        if (limits.TryUpload(HttpContext) is { } wait)
        {
            return await PageAsync(StatusCodes.Status429TooManyRequests, "Evidence.Rejected.TooManyUploads", true, null, cancellationToken, waitMinutes: (int)Math.Ceiling(wait.TotalMinutes), pasted: source);
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            return await PageAsync(StatusCodes.Status422UnprocessableEntity, "Evidence.Rejected.PasteEmpty", true, null, cancellationToken);
        }

        if (source.Length > options.Value.MaxPastedCharacters)
        {
            return await PageAsync(StatusCodes.Status413PayloadTooLarge, "Evidence.Rejected.PasteTooLong", true, null, cancellationToken);
        }

        await using var content = new MemoryStream(Encoding.UTF8.GetBytes(source.TrimStart()), writable: false);
        var result = await addEvidence.HandleAsync(new AddEvidence(caseId.Value, "pasted-message.eml", "message/rfc822", EvidenceSource.Pasted), content, cancellationToken);
        return await PageForResultAsync(result, cancellationToken);
    }

    /// <summary>A plain-text list of what the portal holds, with hashes, for the victim to keep.</summary>
    [HttpGet("receipt")]
    public async Task<IActionResult> Receipt(CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var status = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || status is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        var files = await listEvidence.HandleAsync(caseId.Value, cancellationToken);
        var text = EvidenceReceipt.Render(status.Reference, files, localizer);
        return File(Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8", $"evidence-receipt-{status.Reference}.txt");
    }

    private async Task<bool> ValidateAntiforgeryAsync(MultipartSection? first)
    {
        var headerName = antiforgeryOptions.Value.HeaderName;
        var fieldName = antiforgeryOptions.Value.FormFieldName;
        if (first is null || headerName is null
            || !ContentDispositionHeaderValue.TryParse(first.ContentDisposition, out var disposition)
            || !disposition.IsFormDisposition()
            || HeaderUtilities.RemoveQuotes(disposition.Name).Value != fieldName)
        {
            return false;
        }

        var buffer = new char[4096];
        using var reader = new StreamReader(first.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1024, leaveOpen: true);
        var length = await reader.ReadBlockAsync(buffer);
        if (length == buffer.Length)
        {
            return false;
        }

        // The antiforgery system takes the token from the form when the request has a form
        // content type (which would buffer the whole file), else from a header. So for the
        // check the token travels in the header and the content type is hidden; the multipart
        // reader already holds the boundary.
        var contentType = Request.ContentType;
        Request.Headers[headerName] = new string(buffer, 0, length);
        Request.ContentType = null;
        try
        {
            return await antiforgery.IsRequestValidAsync(HttpContext);
        }
        finally
        {
            Request.ContentType = contentType;
            Request.Headers.Remove(headerName);
        }
    }

    private async Task<IActionResult> PageForResultAsync(AddEvidenceResult result, CancellationToken cancellationToken) => result switch
    {
        AddEvidenceResult.Stored stored => Redirect($"{PortalRoutes.StatusEvidence}?added={stored.File.Id}#file-{stored.File.Id}"),
        AddEvidenceResult.AlreadyStored already => Redirect($"{PortalRoutes.StatusEvidence}?existing={already.File.Id}#file-{already.File.Id}"),
        AddEvidenceResult.Rejected rejected => await PageAsync(StatusFor(rejected.Reason), "Evidence.Rejected." + rejected.Reason, true, null, cancellationToken),
        _ => throw new InvalidOperationException($"Unexpected result {result.GetType().Name}."),
    };

    private static int StatusFor(EvidenceRejection reason) => reason switch
    {
        EvidenceRejection.UnsupportedType or EvidenceRejection.TypeMismatch => StatusCodes.Status415UnsupportedMediaType,
        EvidenceRejection.TooLarge or EvidenceRejection.CaseQuotaExceeded => StatusCodes.Status413PayloadTooLarge,
        EvidenceRejection.Empty or EvidenceRejection.NotAnEmail or EvidenceRejection.TooManyFiles => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    private async Task<IActionResult> PageAsync(int statusCode, string? messageKey, bool isError, Guid? highlight, CancellationToken cancellationToken, ConfirmReportDetails? confirm = null, int waitMinutes = 0, string? pasted = null)
    {
        var caseId = CaseSession.CaseId(User);
        var status = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || status is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        var files = await listEvidence.HandleAsync(caseId.Value, cancellationToken);
        Response.StatusCode = statusCode;
        var suggestion = await suggestDetails.HandleAsync(caseId.Value, cancellationToken);
        var analysisPending = await listEvidence.AnalysisPendingAsync(caseId.Value, cancellationToken);
        var refusals = await listEvidence.RefusalsAsync(caseId.Value, cancellationToken);
        return View("Index", new EvidencePageViewModel(status.Reference, files, options.Value, messageKey, isError, highlight, suggestion, confirm, analysisPending, waitMinutes, pasted, refusals));
    }
}
