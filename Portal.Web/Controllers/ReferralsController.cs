using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features;
using Portal.Core.Features.Routing;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

public sealed record WaitingReferralsViewModel(IReadOnlyList<ReferralSummary> Referrals, string? MessageKey);

/// <summary>Supervisors' view of referrals no partner has: unassigned ones, and pending ones whose job is late.</summary>
[Authorize(Policy = StaffPolicies.SupervisorOrAdmin)]
[Route("staff/referrals")]
public sealed class ReferralsController(SupervisorReferralsQuery referrals, RetryReferralHandler retry) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? message, CancellationToken cancellationToken)
    {
        var waiting = await referrals.WaitingAsync(cancellationToken);
        return View(new WaitingReferralsViewModel(waiting, message == "retried" ? "Referrals.Message.Retried" : null));
    }

    [HttpPost("{referralId:long}/retry")]
    public async Task<IActionResult> Retry(long referralId, CancellationToken cancellationToken)
    {
        if (!await retry.HandleAsync(referralId, HttpContext.StaffActor(), cancellationToken))
        {
            return NotFound();
        }

        return LocalRedirect(PortalRoutes.StaffReferrals + "?message=retried");
    }
}
