using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Audit;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

/// <summary>
/// The original bytes of a piece of evidence, for staff. Always a download: served as
/// application/octet-stream with a server-set RFC 6266 file name and a sandboxing CSP, so an
/// HTML or SVG file can never render in the portal's origin. Only supervisors for now; the
/// triage issue adds the need-to-know open with a reason and the audit trail.
/// </summary>
[Authorize(Roles = StaffRoles.Supervisor)]
[Route("staff/cases/{caseId:guid}/evidence/{evidenceId:guid}")]
public sealed class StaffEvidenceController(ReadEvidenceHandler readEvidence, AuditTrail audit, ILogger<StaffEvidenceController> logger) : Controller
{
    [HttpGet("download")]
    public async Task<IActionResult> Download(Guid caseId, Guid evidenceId, CancellationToken cancellationToken)
    {
        var result = await readEvidence.HandleAsync(new ReadEvidence(caseId, evidenceId), cancellationToken);
        switch (result)
        {
            case ReadEvidenceResult.NotFound:
                return NotFound();
            case ReadEvidenceResult.Tampered tampered:
                logger.LogError("Evidence {EvidenceId} of case {CaseId} failed its integrity check and was not served", tampered.File.Id, caseId);
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.EvidenceTampered, caseId, tampered.File.Id.ToString()), cancellationToken);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Tampered");
            case ReadEvidenceResult.Verified verified:
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.EvidenceDownloaded, caseId, verified.File.Id.ToString()), cancellationToken);
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
