using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Triage;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

public sealed record QueueViewModel(TriageQueueQuery Filter, TriageQueue Queue, string? MessageKey)
{
    /// <summary>The message says the action did not happen (another has the case): shown as a problem, not a success.</summary>
    public bool MessageIsProblem => MessageKey == "Queue.Message.held";
}

/// <summary>The volunteers' queue: open cases by risk, and claiming one to work it.</summary>
[Authorize(Policy = StaffPolicies.Triage)]
[Route("staff/queue")]
public sealed class TriageController(TriageQueueHandler queue, ClaimCaseHandler claims) : Controller
{
    /// <summary>What the claim form sends as <c>returnTo</c> from the case page: a name, never an address.</summary>
    public const string FromCasePage = "case";

    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] CaseStatus? status, [FromQuery] CasePriority? priority, [FromQuery] string? language, [FromQuery] bool? under18, [FromQuery] bool mine, [FromQuery] int page, [FromQuery] string? message, CancellationToken cancellationToken)
    {
        var filter = new TriageQueueQuery(status, priority, language, under18, mine, Math.Max(1, page));
        var result = await queue.HandleAsync(filter, UserId, cancellationToken);
        var known = message is "claimed" or "held" or "released" ? "Queue.Message." + message : null;
        return View(new QueueViewModel(filter, result, known));
    }

    /// <summary>
    /// Claims from the queue or from the case page (<paramref name="returnTo"/> is
    /// <see cref="FromCasePage"/>); either way a claim made opens the case. A claim someone else
    /// made first is answered where it was tried: the queue, or the case page saying who holds it.
    /// </summary>
    [HttpPost("{caseId:guid}/claim")]
    public async Task<IActionResult> Claim(Guid caseId, [FromForm] string? returnTo, CancellationToken cancellationToken)
    {
        var outcome = await claims.HandleAsync(caseId, HttpContext.StaffActor(), cancellationToken);
        if (outcome == ClaimOutcome.NotFound)
        {
            return NotFound();
        }

        if (outcome == ClaimOutcome.HeldBySomeoneElse && returnTo == FromCasePage)
        {
            return LocalRedirect(PortalRoutes.StaffCase(caseId) + "?claim=held");
        }

        if (outcome == ClaimOutcome.HeldBySomeoneElse)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            return await IndexAfterAsync("held", cancellationToken);
        }

        // Straight to the case: claiming is the start of working it.
        return LocalRedirect(PortalRoutes.StaffCase(caseId) + "?claimed=1");
    }

    [HttpPost("{caseId:guid}/release")]
    public async Task<IActionResult> Release(Guid caseId, CancellationToken cancellationToken)
    {
        switch (await claims.ReleaseAsync(caseId, HttpContext.StaffActor(), cancellationToken))
        {
            case ReleaseOutcome.NotFound:
                return NotFound();
            case ReleaseOutcome.HeldBySomeoneElse:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await IndexAfterAsync("held", cancellationToken);
            default:
                // Released now, or before (a second click lands where the first did).
                return LocalRedirect(PortalRoutes.StaffQueue + "?message=released");
        }
    }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private async Task<IActionResult> IndexAfterAsync(string message, CancellationToken cancellationToken)
    {
        var filter = new TriageQueueQuery();
        return View("Index", new QueueViewModel(filter, await queue.HandleAsync(filter, UserId, cancellationToken), "Queue.Message." + message));
    }
}
