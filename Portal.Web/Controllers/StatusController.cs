using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
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

public sealed record OpenCaseViewModel(string? Reference, int WaitMinutes = 0);

/// <summary>A victim returns with reference and receipt key to see their case.</summary>
[Route("status")]
public sealed class StatusController(
    OpenCaseWithReceiptHandler openCase,
    GetCaseStatusHandler getStatus,
    CaseMessagesHandler messages,
    SendVictimMessageHandler sendMessage,
    EndCaseSessionHandler endSession,
    ChangeConsentHandler changeConsent,
    RequestNewReceiptKeyHandler requestNewKey,
    IValidator<SendMessage> messageValidator,
    IValidator<RequestNewReceiptKey> newKeyValidator,
    ClientLimits limits,
    GuidanceLibrary guidance,
    PortalCookies cookies,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    /// <summary>The messages the case page shows after a redirect, by what the query says happened.</summary>
    public static readonly IReadOnlyDictionary<string, string> Notices = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["police-given"] = "Consent.Done.PoliceGiven",
        ["police-withdrawn"] = "Consent.Done.PoliceWithdrawn",
        ["counselling-given"] = "Consent.Done.CounsellingGiven",
        ["counselling-withdrawn"] = "Consent.Done.CounsellingWithdrawn",
    };

    [AllowAnonymous]
    [HttpGet("open")]
    public IActionResult Open() => View(new OpenCaseViewModel(null));

    /// <summary>
    /// Only pairs that open nothing count against the client (ClientLimits): a guesser is stopped
    /// after a few, a victim opening their own case again never is. Once stopped, the page says for
    /// how long and offers a new key by email.
    /// </summary>
    [AllowAnonymous]
    [HttpPost("open")]
    public async Task<IActionResult> Open([FromForm] OpenCaseWithReceipt request, CancellationToken cancellationToken)
    {
        using var turn = await limits.OneLookupAtATimeAsync(HttpContext, cancellationToken);
        if (limits.ReceiptLookupWait(HttpContext) is { } wait)
        {
            ModelState.AddModelError("", localizer["Status.Open.TooMany", ClientLimits.WaitMinutes(wait)]);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return View(new OpenCaseViewModel(request.Reference, ClientLimits.WaitMinutes(wait)));
        }

        var opened = await openCase.HandleAsync(request, cancellationToken);
        if (opened is null)
        {
            limits.CountFailedLookup(HttpContext);

            // One message for every failure: nothing tells whether the reference exists.
            ModelState.AddModelError("", localizer["Status.Open.Failed"]);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(new OpenCaseViewModel(request.Reference));
        }

        if (opened.RetainedAt is { } retainedAt)
        {
            // Nothing of the case is left to show or to add to: no session, a page that says so.
            return View("Retained", retainedAt);
        }

        await HttpContext.SignInAsync(CaseSession.Scheme, CaseSession.For(opened));
        return RedirectToAction(nameof(Index));
    }

    [Authorize(Policy = CaseSession.Policy)]
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? sent, [FromQuery] string? done, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var view = caseId is null ? null : await getStatus.HandleAsync(caseId.Value, cancellationToken);
        if (caseId is null || view is null)
        {
            await HttpContext.SignOutAsync(CaseSession.Scheme);
            return RedirectToAction(nameof(Open));
        }

        var notice = sent is not null ? "Message.Sent" : done is not null && Notices.TryGetValue(done, out var key) ? key : null;
        return View(await ModelAsync(caseId.Value, view, null, notice, cancellationToken));
    }

    /// <summary>The victim's reply to the case's volunteer; sealed at rest, audited without content or address.</summary>
    [Authorize(Policy = CaseSession.Policy)]
    [HttpPost("messages")]
    [ReplaysOnLanguageSwitch]
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
        if (ModelState.IsValid && LanguageReplay.IsReplay(Request))
        {
            return View("Index", await ModelAsync(caseId.Value, view, request.Body, null, cancellationToken));
        }

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

    /// <summary>Gives or withdraws consent for one kind of partner (enforced in ChangeConsentHandler).</summary>
    [Authorize(Policy = CaseSession.Policy)]
    [HttpPost("consent")]
    public async Task<IActionResult> Consent([FromForm] PartnerType? partner, [FromForm] bool? consent, CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        if (caseId is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        if (partner is not (PartnerType.Police or PartnerType.Counselling) || consent is not { } given)
        {
            return BadRequest();
        }

        var outcome = await changeConsent.HandleAsync(caseId.Value, new ChangeConsent(partner.Value, given), Actor.Victim, cancellationToken);
        if (outcome == ConsentChangeOutcome.NotFound)
        {
            await HttpContext.SignOutAsync(CaseSession.Scheme);
            return RedirectToAction(nameof(Open));
        }

        var done = $"{(partner == PartnerType.Police ? "police" : "counselling")}-{(given ? "given" : "withdrawn")}";
        return LocalRedirect($"/status?done={done}#consent");
    }

    /// <summary>
    /// "Close my case page": ends the session on the server (every copy of the cookie stops working)
    /// and in this browser, with the answers of a report this browser already sent (a resend of them
    /// would hand the next person at a shared computer a new key to the case). Public, so a page
    /// left open past the session's end still closes cleanly.
    /// </summary>
    [AllowAnonymous]
    [HttpPost("close")]
    public async Task<IActionResult> Close(CancellationToken cancellationToken)
    {
        var draftToken = Request.Cookies[cookies.Name(PortalCookies.Draft)];
        if (await endSession.HandleAsync(await CaseSession.CurrentAsync(HttpContext), draftToken, CaseSessionEnd.Closed, Actor.Victim, cancellationToken))
        {
            cookies.Delete(Response, PortalCookies.Draft);
        }

        await HttpContext.SignOutAsync(CaseSession.Scheme);
        return LocalRedirect("/status/closed");
    }

    [AllowAnonymous]
    [HttpGet("closed")]
    public IActionResult Closed() => View();

    [AllowAnonymous]
    [HttpGet("new-key")]
    public IActionResult NewKey() => View(new RequestNewReceiptKey(null, null));

    /// <summary>
    /// A new receipt key by email. The answer is the same whatever was typed, once it is well
    /// formed: whether a case, or its address, exists is never told (RequestNewReceiptKeyHandler).
    /// </summary>
    [AllowAnonymous]
    [HttpPost("new-key")]
    [EnableRateLimiting(RateLimitPolicies.NewReceiptKey)]
    public async Task<IActionResult> NewKey([FromForm] RequestNewReceiptKey request, CancellationToken cancellationToken)
    {
        (await newKeyValidator.ValidateAsync(request, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View(request);
        }

        await requestNewKey.HandleAsync(request, cancellationToken);
        return View("NewKeyRequested");
    }

    private async Task<CaseStatusViewModel> ModelAsync(Guid caseId, CaseStatusView view, string? draft, string? messageKey, CancellationToken cancellationToken) =>
        new(view, guidance.ForSteps(view.Guidance, LocalizationSetup.CurrentLanguage), await messages.ForVictimAsync(caseId, cancellationToken), draft, messageKey);

}
