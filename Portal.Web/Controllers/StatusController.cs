using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Features;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Reports;
using Portal.Web.Accounts;
using Portal.Web.Forms;
using Portal.Web.Localization;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

public sealed record CaseStatusViewModel(CaseStatusView Case, IReadOnlyList<GuidanceArticle> Steps, IReadOnlyList<MessageView> Messages, string? Draft = null, string? MessageKey = null);

/// <summary>A victim returns with reference and receipt key to see their case.</summary>
[Route("status")]
public sealed class StatusController(
    OpenCaseWithReceiptHandler openCase,
    GetCaseStatusHandler getStatus,
    CaseMessagesHandler messages,
    SendVictimMessageHandler sendMessage,
    IValidator<SendMessage> messageValidator,
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
        return RedirectToAction(nameof(Index));
    }

    [Authorize(Policy = CaseSession.Policy)]
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? sent, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var view = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || view is null)
        {
            await HttpContext.SignOutAsync(CaseSession.Scheme);
            return RedirectToAction(nameof(Open));
        }

        return View(await ModelAsync(caseId.Value, view, null, sent is null ? null : "Message.Sent", cancellationToken));
    }

    /// <summary>The victim's reply to the case's volunteer; sealed at rest, audited without content or address.</summary>
    [Authorize(Policy = CaseSession.Policy)]
    [HttpPost("messages")]
    public async Task<IActionResult> SendMessage([FromForm] SendMessage request, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var view = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || view is null)
        {
            await HttpContext.SignOutAsync(CaseSession.Scheme);
            return RedirectToAction(nameof(Open));
        }

        (await messageValidator.ValidateAsync(request, cancellationToken)).AddTo(ModelState, localizer);
        var result = ModelState.IsValid ? await sendMessage.HandleAsync(caseId.Value, request, cancellationToken) : null;
        if (result is { Outcome: SendOutcome.Sent })
        {
            return LocalRedirect(PortalRoutes.Status + "?sent=1#messages");
        }

        if (result?.Outcome == SendOutcome.TooMany)
        {
            ModelState.AddModelError(nameof(request.Body), localizer["Message.TooMany"]);
        }

        Response.StatusCode = result is null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status429TooManyRequests;
        return View("Index", await ModelAsync(caseId.Value, view, request.Body, null, cancellationToken));
    }

    private async Task<CaseStatusViewModel> ModelAsync(Guid caseId, CaseStatusView view, string? draft, string? messageKey, CancellationToken cancellationToken) =>
        new(view, guidance.ForSteps(view.Guidance, LocalizationSetup.CurrentLanguage), await messages.ForVictimAsync(caseId, cancellationToken), draft, messageKey);

    [AllowAnonymous]
    [HttpPost("close")]
    public async Task<IActionResult> Close()
    {
        await HttpContext.SignOutAsync(CaseSession.Scheme);
        return RedirectToAction(nameof(HomeController.Index), "Home");
    }
}
