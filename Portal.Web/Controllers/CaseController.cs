using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Triage;
using Portal.Web.Accounts;
using Portal.Web.Evidence;
using Portal.Web.Forms;
using Portal.Web.Localization;

namespace Portal.Web.Controllers;

public sealed record CaseConversation(IReadOnlyList<MessageView> Messages, bool MaySend, IReadOnlyList<CannedResponseView> Canned, string? Draft);

public sealed record CaseMessageViewModel(Guid CaseId, MessageView Message);

/// <summary>What a supervisor needs to reassign the case: who may take it, and who holds it as the page is shown.</summary>
public sealed record CaseReassignment(IReadOnlyList<AssignableStaff> Staff, string? ShownHolderId);

public sealed record CaseViewModel(CaseDetails Case, Guid? ReasonMissingFor, bool YouHoldIt, CaseConversation Conversation, string? MessageKey = null, CaseReassignment? Reassignment = null)
{
    /// <summary>Where the case was referred and who holds each referral now.</summary>
    public IReadOnlyList<ReferralSummary> Referrals { get; init; } = [];

    /// <summary>An open case nobody holds: its page offers the claim, so a volunteer who came by a link need not go back to the queue.</summary>
    public bool MayClaim => Case.ClaimedById is null && Case.Status is CaseStatus.Received or CaseStatus.InTriage;

    public bool MessageIsSuccess => MessageKey is "Case.Decision.Decided" or "Message.Sent" or "Case.Reassign.Reassigned" or "Case.Reassign.Released" or "Case.Claimed";
}

/// <summary>
/// A case as a volunteer works it. Viewing is audited; a file's content is released only by an
/// explicit action with a reason, audited, after the integrity check, and only as a download.
/// Ids that do not exist, or do not belong together, answer 404 and are audited as denials.
/// </summary>
[Authorize(Policy = StaffPolicies.Triage)]
[Route("staff/cases/{caseId:guid}")]
public sealed class CaseController(
    GetCaseDetailsHandler details,
    ReadEvidenceHandler readEvidence,
    DecideTriageHandler decide,
    ReassignCaseHandler reassign,
    CaseMessagesHandler messages,
    SendStaffMessageHandler sendMessage,
    CannedResponsesHandler cannedResponses,
    SupervisorReferralsQuery referrals,
    IValidator<SendMessage> messageValidator,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    public const int MinimumReasonLength = 5;

    /// <summary>The longest reason for opening a file: longer is refused, never cut, since the trail keeps it whole.</summary>
    public const int MaximumReasonLength = 300;

    [HttpGet("")]
    public async Task<IActionResult> Index(Guid caseId, [FromQuery] string? decided, [FromQuery] string? sent, [FromQuery] int? canned, [FromQuery] string? reassigned, [FromQuery] string? claimed, [FromQuery] string? claim, CancellationToken cancellationToken)
    {
        var found = await details.ViewAsync(caseId, HttpContext.StaffActor(), cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        var draft = canned is { } cannedId ? (await cannedResponses.FindAsync(cannedId, cancellationToken))?.BodyIn(found.Language) : null;
        var messageKey = decided is not null ? "Case.Decision.Decided"
            : reassigned == "released" ? "Case.Reassign.Released"
            : reassigned is not null ? "Case.Reassign.Reassigned"
            : sent is not null ? "Message.Sent"
            : claimed is not null ? "Case.Claimed"
            : claim == "held" ? "Queue.Message.held"
            : null;
        return View(await ModelAsync(found, null, messageKey, draft, cancellationToken));
    }

    /// <summary>Where the case goes; the claim holder decides, consent is enforced in Portal.Core.</summary>
    [HttpPost("decision")]
    public async Task<IActionResult> Decide(Guid caseId, [FromForm] TriageRoute? route, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        var outcome = (await decide.HandleAsync(new DecideTriage(caseId, route, reason), HttpContext.StaffActor(), cancellationToken)).Outcome;
        if (outcome == DecisionOutcome.NotFound)
        {
            return NotFound();
        }

        if (outcome == DecisionOutcome.Decided)
        {
            return LocalRedirect(PortalRoutes.StaffCase(caseId) + "?decided=1");
        }

        var found = await details.HandleAsync(caseId, cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        Response.StatusCode = outcome is DecisionOutcome.NotHolder or DecisionOutcome.AlreadyDecided ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        return View("Index", await ModelAsync(found, null, "Case.Decision." + outcome, null, cancellationToken));
    }

    /// <summary>
    /// A message to the victim, sealed at rest. A victim who chose email contact is told, without
    /// content, that there is an update, by the notification job once the message is kept.
    /// </summary>
    [HttpPost("messages")]
    [ReplaysOnLanguageSwitch]
    public async Task<IActionResult> SendMessage(Guid caseId, [FromForm] SendMessage request, CancellationToken cancellationToken)
    {
        (await messageValidator.ValidateAsync(request, cancellationToken)).AddTo(ModelState, localizer);
        if (ModelState.IsValid && LanguageReplay.IsReplay(Request))
        {
            var shown = await details.ViewAsync(caseId, HttpContext.StaffActor(), cancellationToken);
            return shown is null ? NotFound() : View("Index", await ModelAsync(shown, null, null, request.Body, cancellationToken));
        }

        var result = ModelState.IsValid
            ? await sendMessage.HandleAsync(caseId, request, HttpContext.StaffActor(), User.IsInRole(StaffRoles.Supervisor), cancellationToken)
            : null;
        if (result?.Outcome == SendOutcome.NotFound)
        {
            return NotFound();
        }

        if (result?.Outcome == SendOutcome.Sent)
        {
            return LocalRedirect(PortalRoutes.StaffCase(caseId) + "?sent=1#messages");
        }

        // A refusal the handler recorded shows the page again; a form refused before it (nothing
        // recorded yet) shows the case all the same, so that showing is recorded as a view.
        var found = result is null
            ? await details.ViewAsync(caseId, HttpContext.StaffActor(), cancellationToken)
            : await details.AfterRefusedActionAsync(caseId, "message", HttpContext.StaffActor(), cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        Response.StatusCode = result is null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict;
        var refusal = result?.Outcome switch
        {
            null => null,
            SendOutcome.Retained => "Message.Retained",
            _ => "Message.NotHolder",
        };
        return View("Index", await ModelAsync(found, null, refusal, request.Body, cancellationToken));
    }

    /// <summary>One message on its own, for a link from elsewhere; its id must belong to this case.</summary>
    [HttpGet("messages/{messageId:long}")]
    public async Task<IActionResult> Message(Guid caseId, long messageId, CancellationToken cancellationToken)
    {
        var message = await messages.ViewOneForStaffAsync(caseId, messageId, HttpContext.StaffActor(), cancellationToken);
        if (message is null)
        {
            return NotFound();
        }

        return View(new CaseMessageViewModel(caseId, message));
    }

    /// <summary>
    /// A supervisor gives the case to a volunteer or supervisor, or takes away someone's claim,
    /// and says why (kept in the case's history). "expected" is the holder the page showed; if
    /// the claim has changed since, nothing changes and the supervisor is asked to look again.
    /// </summary>
    [Authorize(Policy = StaffPolicies.Supervisor)]
    [HttpPost("reassign")]
    public async Task<IActionResult> Reassign(Guid caseId, [FromForm] string? expected, [FromForm] string? to, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        var outcome = await reassign.ReassignAsync(new ReassignCase(caseId, expected, to, reason), HttpContext.StaffActor(), cancellationToken);
        return await ReassignedAsync(caseId, outcome, cancellationToken);
    }

    [Authorize(Policy = StaffPolicies.Supervisor)]
    [HttpPost("release-claim")]
    public async Task<IActionResult> ReleaseClaim(Guid caseId, [FromForm] string? expected, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        return await ReassignedAsync(caseId, await reassign.ReleaseAsync(caseId, expected, reason, HttpContext.StaffActor(), cancellationToken), cancellationToken);
    }

    private async Task<IActionResult> ReassignedAsync(Guid caseId, ReassignOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome == ReassignOutcome.NotFound)
        {
            return NotFound();
        }

        if (outcome is ReassignOutcome.Reassigned or ReassignOutcome.Released)
        {
            return LocalRedirect(PortalRoutes.StaffCase(caseId) + (outcome == ReassignOutcome.Released ? "?reassigned=released" : "?reassigned=1"));
        }

        var found = await details.HandleAsync(caseId, cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        Response.StatusCode = outcome is ReassignOutcome.Stale or ReassignOutcome.NotOpen ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        return View("Index", await ModelAsync(found, null, "Case.Reassign." + outcome, null, cancellationToken));
    }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private async Task<CaseViewModel> ModelAsync(CaseDetails found, Guid? reasonMissingFor, string? messageKey, string? draft, CancellationToken cancellationToken)
    {
        var conversation = new CaseConversation(
            await messages.ForStaffAsync(found.Id, cancellationToken),
            await sendMessage.MaySendAsync(found.Id, UserId, User.IsInRole(StaffRoles.Supervisor), cancellationToken),
            await cannedResponses.ListAsync(cancellationToken),
            draft);
        var reassignment = User.IsInRole(StaffRoles.Supervisor) && found.Status is CaseStatus.Received or CaseStatus.InTriage
            ? new CaseReassignment(await reassign.AssignableAsync(null, cancellationToken), found.ClaimedById)
            : null;
        return new(found, reasonMissingFor, found.ClaimedById is not null && found.ClaimedById == UserId, conversation, messageKey, reassignment)
        {
            Referrals = await referrals.ForCaseAsync(found.Id, cancellationToken),
        };
    }

    [HttpPost("evidence/{evidenceId:guid}/open")]
    public async Task<IActionResult> OpenEvidence(Guid caseId, Guid evidenceId, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        if (reason?.Trim() is not { Length: >= MinimumReasonLength and <= MaximumReasonLength })
        {
            // Nothing is opened, but the case page is shown again: recorded as a view, as any showing of it is.
            var found = await details.ViewAsync(caseId, HttpContext.StaffActor(), cancellationToken);
            if (found is null)
            {
                return NotFound();
            }

            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Index", await ModelAsync(found, evidenceId, null, null, cancellationToken));
        }

        var result = await readEvidence.OpenForStaffAsync(new ReadEvidence(caseId, evidenceId), reason, HttpContext.StaffActor(), cancellationToken);
        switch (result)
        {
            case ReadEvidenceResult.NotFound:
                return NotFound();
            case ReadEvidenceResult.Tampered:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Tampered");
            case ReadEvidenceResult.Verified verified:
                return new SealedDownload(verified.File.FileName, "application/octet-stream", verified.WriteToAsync, verified.File.Size);
            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }
}
