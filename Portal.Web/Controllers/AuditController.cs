using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

public sealed record AuditViewModel(ListAuditEntries Filter, AuditPage Page, AuditVerification? Verification);

/// <summary>Supervisors and admins read and filter the trail, and can check its chain.</summary>
[Authorize(Policy = StaffPolicies.SupervisorOrAdmin)]
[Route("staff/audit")]
public sealed class AuditController(ListAuditEntriesHandler list, VerifyAuditTrail verify) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery(Name = "action")] string? auditAction, [FromQuery] string? reference, [FromQuery] AuditActor? actor, [FromQuery] long? before, CancellationToken cancellationToken)
    {
        // "action" is also MVC's own route value, so the filter is read from the query string only.
        var filter = new ListAuditEntries(auditAction, reference, actor, before);
        return View(new AuditViewModel(filter, await list.HandleAsync(filter, cancellationToken), null));
    }

    [HttpPost("verify")]
    public async Task<IActionResult> Verify(CancellationToken cancellationToken)
    {
        var filter = new ListAuditEntries();
        var verification = await verify.HandleAsync(cancellationToken);
        return View("Index", new AuditViewModel(filter, await list.HandleAsync(filter, cancellationToken), verification));
    }
}
