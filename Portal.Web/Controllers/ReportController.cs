using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Reports;
using Portal.Web.Accounts;
using Portal.Web.Forms;
using Portal.Web.Localization;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

public sealed record SubmittedViewModel(string Reference, string ReceiptKey, bool RiskFlagged, IReadOnlyList<GuidanceArticle> Steps, bool Reissued = false, string? ForwardingAddress = null);

[AllowAnonymous]
[Route("report")]
public sealed class ReportController(
    IValidator<SubmitReport> validator,
    SubmitReportHandler handler,
    ClientLimits limits,
    GuidanceLibrary guidance,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    public const long MaxFormBytes = 64 * 1024;

    [HttpGet("")]
    public IActionResult New() =>
        View(new SubmitReport { SubmissionId = Guid.NewGuid(), PreferredLanguage = LocalizationSetup.CurrentLanguage });

    [HttpPost("")]
    [RequestSizeLimit(MaxFormBytes)]
    [RequestFormLimits(ValueLengthLimit = (int)MaxFormBytes)]
    public async Task<IActionResult> Submit([FromForm] SubmitReport report, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(report, cancellationToken);
        validation.AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("New", report);
        }

        if (limits.TryReport(HttpContext) is { } wait)
        {
            // The victim keeps what they typed, and is told how long to wait.
            ModelState.AddModelError("", localizer["Report.TooMany", (int)Math.Ceiling(wait.TotalMinutes)]);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return View("New", report);
        }

        var result = await handler.HandleAsync(report, cancellationToken);
        switch (result)
        {
            case SubmitReportResult.Submitted submitted:
                await HttpContext.SignInAsync(CaseSession.Scheme, CaseSession.For(submitted.CaseId));
                var riskFlagged = report.RiskSelfHarm == true || report.RiskImmediateDanger == true;
                return View("Submitted", new SubmittedViewModel(
                    submitted.Reference,
                    submitted.ReceiptKey,
                    riskFlagged,
                    guidance.ForSteps(submitted.Guidance, LocalizationSetup.CurrentLanguage),
                    submitted.Reissued,
                    submitted.ForwardingAddress));
            case SubmitReportResult.AlreadySubmitted already:
                return View("AlreadySubmitted", already.Reference);
            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }
}
