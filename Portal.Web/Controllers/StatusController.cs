using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Reports;
using Portal.Web.Accounts;
using Portal.Web.Localization;
using Portal.Web.Security;
using Portal.Core.Features.Audit;

namespace Portal.Web.Controllers;

public sealed record CaseStatusViewModel(CaseStatusView Case, IReadOnlyList<GuidanceArticle> Steps);

/// <summary>A victim returns with reference and receipt key to see their case.</summary>
[Route("status")]
public sealed class StatusController(
    OpenCaseWithReceiptHandler openCase,
    GetCaseStatusHandler getStatus,
    AuditTrail audit,
    GuidanceLibrary guidance,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    [AllowAnonymous]
    [HttpGet("open")]
    public IActionResult Open() => View(new OpenCaseWithReceipt(null, null));

    [AllowAnonymous]
    [HttpPost("open")]
    [EnableRateLimiting(RateLimitPolicies.ReceiptLookup)]
    public async Task<IActionResult> Open([FromForm] OpenCaseWithReceipt request, CancellationToken cancellationToken)
    {
        var caseId = await openCase.HandleAsync(request, cancellationToken);
        if (caseId is null)
        {
            // One message for every failure: nothing tells whether the reference exists.
            ModelState.AddModelError("", localizer["Status.Open.Failed"]);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(request with { ReceiptKey = null });
        }

        await HttpContext.SignInAsync(CaseSession.Scheme, CaseSession.For(caseId.Value));
        await audit.AppendAsync(AuditEvent.Victim(AuditActions.CaseOpenedWithReceipt, caseId.Value), cancellationToken);
        return RedirectToAction(nameof(Index));
    }

    [Authorize(Policy = CaseSession.Policy)]
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var view = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (view is null)
        {
            await HttpContext.SignOutAsync(CaseSession.Scheme);
            return RedirectToAction(nameof(Open));
        }

        return View(new CaseStatusViewModel(view, guidance.ForSteps(view.Guidance, LocalizationSetup.CurrentLanguage)));
    }

    [AllowAnonymous]
    [HttpPost("close")]
    public async Task<IActionResult> Close()
    {
        await HttpContext.SignOutAsync(CaseSession.Scheme);
        return RedirectToAction(nameof(HomeController.Index), "Home");
    }
}
