using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Reports;
using Portal.Core.Features.Routing;
using Portal.Web.Accounts;
using Portal.Web.Forms;
using Portal.Web.Localization;
using Portal.Core.Features.Audit;

namespace Portal.Web.Controllers;

public sealed record SubmittedViewModel(string Reference, string ReceiptKey, bool RiskFlagged, IReadOnlyList<GuidanceArticle> Steps);

[AllowAnonymous]
[Route("report")]
public sealed class ReportController(
    IValidator<SubmitReport> validator,
    SubmitReportHandler handler,
    AuditTrail audit,
    IReferralScheduler scheduler,
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

        var result = await handler.HandleAsync(report, cancellationToken);
        switch (result)
        {
            case SubmitReportResult.Submitted submitted:
                await audit.AppendAsync(AuditEvent.Victim(AuditActions.ReportSubmitted, submitted.CaseId, detail: submitted.Priority.ToString()), cancellationToken);

                // An urgent case's crisis-line referral, committed with the case.
                await scheduler.ScheduleAsync(submitted.ReferralIds, cancellationToken);
                await HttpContext.SignInAsync(CaseSession.Scheme, CaseSession.For(submitted.CaseId));
                var riskFlagged = report.RiskSelfHarm == true || report.RiskImmediateDanger == true;
                return View("Submitted", new SubmittedViewModel(
                    submitted.Reference,
                    submitted.ReceiptKey,
                    riskFlagged,
                    guidance.ForSteps(submitted.Guidance, LocalizationSetup.CurrentLanguage)));
            case SubmitReportResult.AlreadySubmitted already:
                return View("AlreadySubmitted", already.Reference);
            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }
}
