using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
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
    StreamedUploads uploads,
    IOptions<EvidenceOptions> options,
    ClientLimits limits,
    IStringLocalizer<SharedResource> localizer,
    VictimTime time) : Controller
{
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

        // At the notice that says so: without a fragment of its own the redirect would keep the
        // form's (#error-summary), and the page would open at its top, the notice out of sight.
        return Redirect(PortalRoutes.StatusEvidence + "?confirmed=1#evidence-message");
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

        var upload = await uploads.ReadAsync(HttpContext, (fileName, declaredType, body) =>
            addEvidence.HandleAsync(new AddEvidence(caseId.Value, fileName, declaredType, EvidenceSource.Upload), body, cancellationToken), cancellationToken);
        return upload.Framing switch
        {
            UploadFraming.Handled when upload.Result is { } result => await PageForResultAsync(result, cancellationToken),
            UploadFraming.AntiforgeryFailed => BadRequest(),
            UploadFraming.TooLarge => await PageAsync(StatusCodes.Status413PayloadTooLarge, "Evidence.Rejected.TooLarge", true, null, cancellationToken),
            UploadFraming.NoFile => await PageAsync(StatusCodes.Status422UnprocessableEntity, "Evidence.Rejected.Empty", true, null, cancellationToken),
            _ => await PageAsync(StatusCodes.Status400BadRequest, "Evidence.Rejected.BadRequest", true, null, cancellationToken),
        };
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
            return await PageAsync(StatusCodes.Status413PayloadTooLarge, "Evidence.Rejected.PasteTooLong", true, null, cancellationToken, pasted: source);
        }

        // An email's whole source is kept as an email; just its text (all many mail apps let one
        // copy) is kept as text. Whatever is refused stays in the box.
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes(source.TrimStart()), writable: false);
        var result = await addEvidence.HandleAsync(new AddEvidence(caseId.Value, "pasted-message.eml", "message/rfc822", EvidenceSource.Pasted), content, cancellationToken);
        return await PageForResultAsync(result, cancellationToken, pasted: source);
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
        var text = EvidenceReceipt.Render(status.Reference, files, localizer, time);
        return File(Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8", $"evidence-receipt-{status.Reference}.txt");
    }

    private async Task<IActionResult> PageForResultAsync(AddEvidenceResult result, CancellationToken cancellationToken, string? pasted = null) => result switch
    {
        AddEvidenceResult.Stored stored => Redirect($"{PortalRoutes.StatusEvidence}?added={stored.File.Id}#file-{stored.File.Id}"),
        AddEvidenceResult.AlreadyStored already => Redirect($"{PortalRoutes.StatusEvidence}?existing={already.File.Id}#file-{already.File.Id}"),
        AddEvidenceResult.Rejected rejected => await PageAsync(StatusFor(rejected.Reason), "Evidence.Rejected." + rejected.Reason, true, null, cancellationToken, pasted: pasted),
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
