using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Routing;
using Portal.Web.Accounts;
using Portal.Web.Routing;

namespace Portal.Web.Controllers;

public sealed record PartnerReferralsViewModel(PartnerMembership Member, IReadOnlyList<PartnerReferralRow> Referrals, string? MessageKey);

public sealed record PartnerReferralViewModel(PartnerMembership Member, PartnerReferralDetails Referral, string? MessageKey, bool IsError);

/// <summary>
/// The partner workspace: counsellors and police see the referrals their organisation holds and
/// act on them. Everything is scoped in Portal.Core by the member's organisation; any other id
/// answers 404 and is audited as a denial. Every view and action is audited.
/// </summary>
[Authorize(Policy = RoutingPolicies.PartnerStaff)]
[Route("partner/referrals")]
public sealed class PartnerReferralsController(
    PartnerMembershipQuery membership,
    ListPartnerReferralsHandler list,
    GetPartnerReferralHandler get,
    RespondToReferralHandler respond) : Controller
{
    private static readonly string[] Messages = ["Acknowledge", "Accept", "Decline", "RecordOutcome", "RecordPoliceReportNumber"];

    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? done, CancellationToken cancellationToken)
    {
        if (await MemberAsync(cancellationToken) is not { } member)
        {
            return NoOrganisation();
        }

        var message = done is not null && Messages.Contains(done) ? "Partner.Done." + done : null;
        return View(new PartnerReferralsViewModel(member, await list.HandleAsync(member, cancellationToken), message));
    }

    [HttpGet("{referralId:long}")]
    public async Task<IActionResult> Details(long referralId, [FromQuery] string? done, CancellationToken cancellationToken)
    {
        if (await MemberAsync(cancellationToken) is not { } member)
        {
            return NoOrganisation();
        }

        var found = await get.ViewAsync(member, referralId, HttpContext.StaffActor(), cancellationToken);
        if (found is null)
        {
            return NotFound();
        }

        var message = done is not null && Messages.Contains(done) ? "Partner.Done." + done : null;
        return View(new PartnerReferralViewModel(member, found, message, false));
    }

    [HttpPost("{referralId:long}/acknowledge")]
    public Task<IActionResult> Acknowledge(long referralId, CancellationToken cancellationToken) =>
        ActAsync(new RespondToReferral(referralId, ReferralAction.Acknowledge), cancellationToken);

    [HttpPost("{referralId:long}/accept")]
    public Task<IActionResult> Accept(long referralId, CancellationToken cancellationToken) =>
        ActAsync(new RespondToReferral(referralId, ReferralAction.Accept), cancellationToken);

    [HttpPost("{referralId:long}/decline")]
    public Task<IActionResult> Decline(long referralId, [FromForm] string? reason, CancellationToken cancellationToken) =>
        ActAsync(new RespondToReferral(referralId, ReferralAction.Decline, Reason: reason), cancellationToken);

    [HttpPost("{referralId:long}/outcome")]
    public Task<IActionResult> Outcome(long referralId, [FromForm] ReferralOutcome? outcome, [FromForm] string? note, CancellationToken cancellationToken) =>
        ActAsync(new RespondToReferral(referralId, ReferralAction.RecordOutcome, Outcome: outcome, Note: note), cancellationToken);

    [HttpPost("{referralId:long}/report-number")]
    public Task<IActionResult> ReportNumber(long referralId, [FromForm] string? number, CancellationToken cancellationToken) =>
        ActAsync(new RespondToReferral(referralId, ReferralAction.RecordPoliceReportNumber, PoliceReportNumber: number), cancellationToken);

    private async Task<IActionResult> ActAsync(RespondToReferral request, CancellationToken cancellationToken)
    {
        if (await MemberAsync(cancellationToken) is not { } member)
        {
            return NoOrganisation();
        }

        var outcome = await respond.HandleAsync(member, request, HttpContext.StaffActor(), cancellationToken);
        if (outcome == ResponseOutcome.NotFound)
        {
            return NotFound();
        }

        if ((outcome == ResponseOutcome.Done && request.Action == ReferralAction.Decline) || outcome == ResponseOutcome.AlreadyDeclined)
        {
            // A second click on Decline lands where the first did: the referral has gone back to routing.
            return LocalRedirect(PortalRoutes.PartnerReferrals + "?done=Decline");
        }

        if (outcome is ResponseOutcome.Done or ResponseOutcome.AlreadyDone)
        {
            // A second click on Acknowledge or Accept lands where the first did.
            return LocalRedirect(PortalRoutes.PartnerReferral(request.ReferralId) + "?done=" + request.Action);
        }

        var after = await get.HandleAsync(member, request.ReferralId, cancellationToken);
        if (after is null)
        {
            return NotFound();
        }

        Response.StatusCode = outcome is ResponseOutcome.WrongState ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        return View(nameof(Details), new PartnerReferralViewModel(member, after, "Partner.Error." + outcome, true));
    }

    private async Task<PartnerMembership?> MemberAsync(CancellationToken cancellationToken) =>
        await membership.HandleAsync(User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", cancellationToken);

    private ViewResult NoOrganisation()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return View("NoOrganisation");
    }
}
