using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Triage;
using Portal.Web.Accounts;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

public sealed record CaseViewModel(CaseDetails Case, Guid? ReasonMissingFor, bool YouHoldIt, string? MessageKey = null)
{
    /// <summary>Where the case was referred and who holds each referral now.</summary>
    public IReadOnlyList<ReferralSummary> Referrals { get; init; } = [];
}

/// <summary>
/// A case as a volunteer works it. Viewing is audited; a file's content is released only by an
/// explicit action with a reason, audited, after the integrity check, and only as a download.
/// Ids that do not exist, or do not belong together, answer 404 and are audited as denials.
/// </summary>
[Authorize(Policy = StaffPolicies.Triage)]
[Route("staff/cases/{caseId:guid}")]
public sealed class CaseController(GetCaseDetailsHandler details, ReadEvidenceHandler readEvidence, DecideTriageHandler decide, SupervisorReferralsQuery referrals, IReferralScheduler scheduler, AuditTrail audit, ILogger<CaseController> logger) : Controller
{
    public const int MinimumReasonLength = 5;

    [HttpGet("")]
    public async Task<IActionResult> Index(Guid caseId, [FromQuery] string? decided, CancellationToken cancellationToken)
    {
        var found = await details.HandleAsync(caseId, cancellationToken);
        if (found is null)
        {
            await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.AccessDenied, subject: caseId.ToString(), detail: "case"), cancellationToken);
            return NotFound();
        }

        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.CaseViewed, caseId), cancellationToken);
        return View(Model(found, null, decided is null ? null : "Case.Decision.Decided") with { Referrals = await referrals.ForCaseAsync(caseId, cancellationToken) });
    }

    /// <summary>Where the case goes; the claim holder decides, consent is enforced in Portal.Core.</summary>
    [HttpPost("decision")]
    public async Task<IActionResult> Decide(Guid caseId, [FromForm] TriageRoute? route, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        var result = await decide.HandleAsync(new DecideTriage(caseId, route, reason), UserId, cancellationToken);
        var outcome = result.Outcome;
        if (outcome == DecisionOutcome.NotFound)
        {
            await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.AccessDenied, subject: caseId.ToString(), detail: "decision"), cancellationToken);
            return NotFound();
        }

        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.TriageDecided, caseId, route?.ToString(), outcome.ToString()), cancellationToken);
        if (outcome == DecisionOutcome.Decided)
        {
            // The decision and its referrals are committed: hand them to the job engine.
            await scheduler.ScheduleAsync(result.ReferralIds, cancellationToken);
            return LocalRedirect($"/staff/cases/{caseId}?decided=1");
        }

        var found = await details.HandleAsync(caseId, cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        Response.StatusCode = outcome is DecisionOutcome.NotHolder or DecisionOutcome.AlreadyDecided ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        return View("Index", Model(found, null, "Case.Decision." + outcome));
    }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private CaseViewModel Model(CaseDetails found, Guid? reasonMissingFor, string? messageKey = null) =>
        new(found, reasonMissingFor, found.ClaimedById is not null && found.ClaimedById == UserId, messageKey);

    [HttpPost("evidence/{evidenceId:guid}/open")]
    public async Task<IActionResult> OpenEvidence(Guid caseId, Guid evidenceId, [FromForm] string? reason, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length < MinimumReasonLength)
        {
            var found = await details.HandleAsync(caseId, cancellationToken);
            if (found is null)
            {
                return NotFound();
            }

            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Index", Model(found, evidenceId));
        }

        var result = await readEvidence.HandleAsync(new ReadEvidence(caseId, evidenceId), cancellationToken);
        switch (result)
        {
            case ReadEvidenceResult.NotFound:
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.AccessDenied, caseId, evidenceId.ToString(), "evidence"), cancellationToken);
                return NotFound();
            case ReadEvidenceResult.Tampered tampered:
                logger.LogError("Evidence {EvidenceId} of case {CaseId} failed its integrity check and was not served", tampered.File.Id, caseId);
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.EvidenceTampered, caseId, tampered.File.Id.ToString()), cancellationToken);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Tampered");
            case ReadEvidenceResult.Verified verified:
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.EvidenceOpened, caseId, verified.File.Id.ToString(), reason.Trim()), cancellationToken);

                // Always a download, never rendered: octet-stream, RFC 6266 name set by the server, sandboxed.
                var disposition = new ContentDispositionHeaderValue("attachment");
                disposition.SetHttpFileName(verified.File.FileName);
                Response.Headers.ContentDisposition = disposition.ToString();
                Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
                Response.ContentType = "application/octet-stream";
                Response.ContentLength = verified.File.Size;
                await verified.WriteToAsync(Response.Body, cancellationToken);
                return new EmptyResult();
            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }
}
