using FluentValidation;
using FluentValidation.Results;
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

/// <summary>One step of the report form: its questions, the answers so far, and whether the victim came back to it.</summary>
public sealed record ReportStepViewModel(ReportStep Step, SubmitReport Answers, int ReachedStep, bool Resumed = false);

/// <summary>
/// The report form, in short steps (ReportSteps) with the answers kept sealed on the server between
/// them (ReportDrafts, under a random token in a cookie), or on one page for those who prefer it.
/// Every step is a plain form post, so the whole form works without JavaScript. The report itself
/// is filed by SubmitReportHandler either way (one transaction; a resend gets a new key).
/// </summary>
[Route("report")]
public sealed class ReportController(
    IValidator<SubmitReport> validator,
    SubmitReportHandler handler,
    ReportDrafts drafts,
    ShowReceiptHandler receipts,
    ClientLimits limits,
    PortalCookies cookies,
    GuidanceLibrary guidance,
    Microsoft.Extensions.Options.IOptions<ReportOptions> options,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    /// <summary>
    /// Room for the longest description in any script: a form percent-encodes each UTF-8 byte,
    /// so 10,000 characters of Chinese or Arabic take 60-90 KB before the other answers.
    /// </summary>
    public const long MaxFormBytes = 128 * 1024;

    /// <summary>The first step, or where the victim left off when they come back.</summary>
    [AllowAnonymous]
    [HttpGet("")]
    public async Task<IActionResult> New(CancellationToken cancellationToken)
    {
        var draft = await LoadOpenDraftAsync(cancellationToken);
        if (draft is null)
        {
            return View("Step", new ReportStepViewModel(ReportSteps.All[0], Fresh(), 1));
        }

        var step = ReportSteps.ByNumber(draft.ReachedStep);
        return View("Step", new ReportStepViewModel(step, draft.Answers, draft.ReachedStep, Resumed: true));
    }

    /// <summary>Every question on one page, with the answers kept so far (a change of language after an error, Back).</summary>
    [AllowAnonymous]
    [HttpGet("all")]
    public async Task<IActionResult> All(CancellationToken cancellationToken) =>
        View("New", (await LoadOpenDraftAsync(cancellationToken))?.Answers ?? Fresh());

    [AllowAnonymous]
    [HttpGet("{step:regex(^[[a-z-]]{{1,20}}$)}")]
    public async Task<IActionResult> Step(string step, CancellationToken cancellationToken)
    {
        if (ReportSteps.Find(step) is not { } found)
        {
            return NotFound();
        }

        var draft = await LoadOpenDraftAsync(cancellationToken);
        return View("Step", new ReportStepViewModel(found, draft?.Answers ?? Fresh(), draft?.ReachedStep ?? 1));
    }

    /// <summary>
    /// A step's "Continue" (its button names the step): its answers go into the draft and the next
    /// step follows, or the step comes back with its errors. Without a step: the report is sent,
    /// from the draft (the check step) or from the one-page form.
    /// </summary>
    [AllowAnonymous]
    [HttpPost("")]
    [ReplaysOnLanguageSwitch]
    [RequestSizeLimit(MaxFormBytes)]
    [RequestFormLimits(ValueLengthLimit = (int)MaxFormBytes)]
    public async Task<IActionResult> Submit([FromForm] SubmitReport report, [FromForm(Name = "step")] string? stepName, [FromForm(Name = "fromDraft")] bool fromDraft, CancellationToken cancellationToken)
    {
        if (stepName is not null)
        {
            return ReportSteps.Find(stepName) is { } step && step != ReportSteps.Check
                ? await SaveStepAsync(step, report, cancellationToken)
                : BadRequest();
        }

        var draft = fromDraft ? await LoadDraftAsync(cancellationToken) : null;
        if (fromDraft && (draft is null || draft.Answers.SubmissionId == Guid.Empty))
        {
            // The answers ran out (expired, deleted by quick exit): start again, with a message.
            ModelState.AddModelError("", localizer["Report.Draft.Expired"]);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Step", new ReportStepViewModel(ReportSteps.All[0], Fresh(), 1));
        }

        if (draft is null && !ModelState.IsValid)
        {
            // A value no field of the form offers (a tampered post): refused, nothing kept.
            return BadRequest();
        }

        var answers = draft?.Answers ?? report;
        var validation = await validator.ValidateAsync(answers, cancellationToken);
        if (!validation.IsValid)
        {
            AddInFormOrder(validation);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            var first = ReportSteps.StepOf(validation.Errors.OrderBy(e => ReportSteps.OrderOf(e.PropertyName)).First().PropertyName);
            if (draft is null)
            {
                // Kept as a step's answers are, so that a change of language (which opens
                // /report/all again) or coming back later does not lose what was typed.
                await KeepOnePageAsync(answers, first.Number, cancellationToken);
                return View("New", answers);
            }

            // From the check step: back to the first step with a problem, its errors shown there.
            return View("Step", new ReportStepViewModel(first, answers, draft.ReachedStep));
        }

        if (LanguageReplay.IsReplay(Request))
        {
            // A change of language is not a press of Send: the answers are shown again, unsent.
            return LocalRedirect(draft is null ? "/report/all" : "/report/" + ReportSteps.Check.Name);
        }

        if (limits.TryReport(HttpContext) is { } wait)
        {
            // The victim keeps what they typed, and is told how long to wait.
            ModelState.AddModelError("", localizer["Report.TooMany", (int)Math.Ceiling(wait.TotalMinutes)]);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (draft is null)
            {
                await KeepOnePageAsync(answers, ReportSteps.Check.Number, cancellationToken);
                return View("New", answers);
            }

            return View("Step", new ReportStepViewModel(ReportSteps.Check, answers, draft.ReachedStep));
        }

        // The one-page form's answers may have been kept after an error: that draft is sent with them.
        var sentFrom = draft ?? (await LoadOpenDraftAsync(cancellationToken) is { } kept && kept.Answers.SubmissionId == answers.SubmissionId ? kept : null);
        var result = await handler.HandleAsync(answers, sentFrom is null ? null : DraftToken, cancellationToken);
        switch (result)
        {
            case SubmitReportResult.Submitted submitted:
                await HttpContext.SignInAsync(CaseSession.Scheme, CaseSession.For(new CaseSessionTicket(submitted.CaseId, submitted.SessionGeneration)));
                if (sentFrom is not null && DraftToken is { } sentDraft)
                {
                    // Sent: the answers are kept only for a resend after a lost answer, which comes
                    // at once. The cookie now ends with the browser, so on a shared computer the
                    // next person cannot send them again for a new key to the case.
                    AppendDraftCookie(sentDraft, persistent: false);
                }

                // The key is in this answer; the page is also kept (sealed, briefly) at /report/receipt,
                // where a change of language or a reload shows it again (docs/decisions/0028).
                return View("Submitted", new SubmittedViewModel(
                    submitted.Reference,
                    submitted.ReceiptKey,
                    answers.RiskFlagged,
                    guidance.ForSteps(submitted.Guidance, LocalizationSetup.CurrentLanguage),
                    submitted.Reissued,
                    submitted.ForwardingAddress));
            case SubmitReportResult.AlreadySubmitted already:
                return View("AlreadySubmitted", already.Reference);
            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }

    /// <summary>The receipt of the report this case session just filed, again (another language, a reload).</summary>
    [Authorize(Policy = CaseSession.Policy)]
    [HttpGet("receipt")]
    public async Task<IActionResult> Receipt(CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        var receipt = caseId is null ? null : await receipts.HandleAsync(caseId.Value, cancellationToken);
        if (receipt is null)
        {
            return LocalRedirect("/status");
        }

        // The receipt reached the browser: the answers it was filed from are no longer needed.
        var draft = await LoadDraftAsync(cancellationToken);
        if (draft?.SubmittedCaseId == caseId)
        {
            await ForgetDraftAsync(cancellationToken);
        }

        return View("Submitted", new SubmittedViewModel(receipt.Reference, receipt.ReceiptKey, receipt.RiskFlagged, guidance.ForSteps(receipt.Guidance, LocalizationSetup.CurrentLanguage), receipt.Reissued, receipt.ForwardingAddress));
    }

    /// <summary>"I have saved my receipt": the sealed copy goes now.</summary>
    [Authorize(Policy = CaseSession.Policy)]
    [HttpPost("receipt/saved")]
    public async Task<IActionResult> ReceiptSaved(CancellationToken cancellationToken)
    {
        await receipts.ForgetAsync(CaseSession.CaseId(User), DraftToken, cancellationToken);
        cookies.Delete(Response, PortalCookies.Draft);
        return LocalRedirect("/status");
    }

    /// <summary>"Start again": the answers kept so far are deleted.</summary>
    [AllowAnonymous]
    [HttpPost("discard")]
    public async Task<IActionResult> Discard(CancellationToken cancellationToken)
    {
        await ForgetDraftAsync(cancellationToken);
        return LocalRedirect("/report");
    }

    private async Task<IActionResult> SaveStepAsync(ReportStep step, SubmitReport posted, CancellationToken cancellationToken)
    {
        var draft = await LoadOpenDraftAsync(cancellationToken);
        if (draft is null && limits.TryStartDraft(HttpContext) is { } wait)
        {
            ModelState.AddModelError("", localizer["Report.TooMany", (int)Math.Ceiling(wait.TotalMinutes)]);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return View("Step", new ReportStepViewModel(step, posted, step.Number));
        }

        if (!ModelState.IsValid)
        {
            // A value no field of the step offers (a tampered post): refused, the draft unchanged.
            return BadRequest();
        }

        // A new draft gets an id of its own: a step page kept open in another tab carries the id of a
        // report already sent, and answers sent under it would be taken for a resend of that report.
        var start = draft?.Answers ?? Fresh();
        var answers = ReportSteps.Merge(start, posted, step);
        var validation = await validator.ValidateAsync(answers, o => o.IncludeProperties(step.Fields.ToArray()), cancellationToken);
        var reached = validation.IsValid ? step.Number + 1 : step.Number;
        AppendDraftCookie(await drafts.SaveAsync(DraftToken, answers, reached, cancellationToken), persistent: true);
        if (!validation.IsValid)
        {
            AddInFormOrder(validation);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Step", new ReportStepViewModel(step, answers, Math.Max(draft?.ReachedStep ?? 1, step.Number)));
        }

        // A change of language shows the step again; only Continue moves on.
        return LocalRedirect("/report/" + (LanguageReplay.IsReplay(Request) ? step : ReportSteps.ByNumber(step.Number + 1)).Name);
    }

    /// <summary>The one-page form's answers, kept as a draft; a client over its limit of new drafts keeps them only on the page it is shown.</summary>
    private async Task KeepOnePageAsync(SubmitReport answers, int reachedStep, CancellationToken cancellationToken)
    {
        if (await LoadOpenDraftAsync(cancellationToken) is null && limits.TryStartDraft(HttpContext) is not null)
        {
            return;
        }

        AppendDraftCookie(await drafts.SaveAsync(DraftToken, answers, reachedStep, cancellationToken), persistent: true);
    }

    private string? DraftToken => Request.Cookies[cookies.Name(PortalCookies.Draft)];

    /// <summary>A report in progress outlives the browser (the victim may come back); a sent one does not.</summary>
    private void AppendDraftCookie(string token, bool persistent) =>
        Response.Cookies.Append(cookies.Name(PortalCookies.Draft), token, new CookieOptions
        {
            Path = "/",
            HttpOnly = true,
            Secure = cookies.HttpsOnly || Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            IsEssential = true,
            MaxAge = persistent ? options.Value.DraftLifetime : null,
        });

    /// <summary>The draft behind the browser's token, also one already sent (a resend of it gets a new key).</summary>
    private async Task<ReportDraftView?> LoadDraftAsync(CancellationToken cancellationToken) =>
        await drafts.LoadAsync(DraftToken, cancellationToken);

    /// <summary>A draft still being filled in; one already sent is not the start of a new report.</summary>
    private async Task<ReportDraftView?> LoadOpenDraftAsync(CancellationToken cancellationToken) =>
        await LoadDraftAsync(cancellationToken) is { SubmittedCaseId: null } open ? open : null;

    private async Task ForgetDraftAsync(CancellationToken cancellationToken)
    {
        await drafts.DiscardAsync(DraftToken, cancellationToken);
        cookies.Delete(Response, PortalCookies.Draft);
    }

    private static SubmitReport Fresh() =>
        new() { SubmissionId = Guid.NewGuid(), PreferredLanguage = LocalizationSetup.CurrentLanguage };

    /// <summary>Errors listed in the order the victim meets the questions (the views name it), not the order of the rules.</summary>
    private void AddInFormOrder(ValidationResult validation) => validation.AddTo(ModelState, localizer);
}
