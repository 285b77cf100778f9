using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Routing;
using Portal.Web.Accounts;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

public sealed record WaitingReferralsViewModel(IReadOnlyList<ReferralSummary> Referrals, string? MessageKey);

/// <summary>Supervisors' view of referrals no partner has: unassigned ones, and pending ones whose job is late.</summary>
[Authorize(Policy = StaffPolicies.SupervisorOrAdmin)]
[Route("staff/referrals")]
public sealed class ReferralsController(SupervisorReferralsQuery referrals, IReferralScheduler scheduler, AuditTrail audit, TimeProvider clock) : Controller
{
    /// <summary>A pending referral is normally routed within seconds; one pending this long has a late or lost job.</summary>
    public static readonly TimeSpan LatePending = TimeSpan.FromMinutes(10);

    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? message, CancellationToken cancellationToken)
    {
        var waiting = await referrals.WaitingAsync(clock.GetUtcNow().UtcDateTime - LatePending, cancellationToken);
        return View(new WaitingReferralsViewModel(waiting, message == "retried" ? "Referrals.Message.Retried" : null));
    }

    [HttpPost("{referralId:long}/retry")]
    public async Task<IActionResult> Retry(long referralId, CancellationToken cancellationToken)
    {
        var retried = await referrals.RetryAsync(referralId, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.ReferralRetried, subject: "referral " + referralId.ToString(CultureInfo.InvariantCulture), detail: retried ? "retried" : "not unassigned"), cancellationToken);
        if (!retried)
        {
            return NotFound();
        }

        await scheduler.ScheduleAsync([referralId], cancellationToken);
        return LocalRedirect("/staff/referrals?message=retried");
    }
}
