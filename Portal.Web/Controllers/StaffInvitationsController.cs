using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Email;
using Portal.Core.Features;
using Portal.Core.Features.Accounts;
using Portal.Web.Accounts;
using Portal.Web.Forms;

namespace Portal.Web.Controllers;

public sealed record StaffInvitationsViewModel(InviteStaff Form, IReadOnlyList<PendingInvitation> Pending, string? MessageKey)
{
    public bool MessageIsError => MessageKey is "Invitations.Message.undelivered" or "Invitations.Message.closed";
}

/// <summary>
/// Admins invite staff by email, see who has not accepted yet, resend (a new link, a new
/// lifetime) and revoke. Invitations that could not be emailed stay listed as such.
/// </summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Route("staff/invitations")]
public sealed class StaffInvitationsController(
    InviteStaffHandler invite,
    PendingInvitationsHandler pending,
    RevokeInvitationHandler revoke,
    IValidator<InviteStaff> validator,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    /// <summary>The outcomes a redirect may name; each has a "Invitations.Message.*" string.</summary>
    public static readonly IReadOnlyList<string> Messages = ["sent", "resent", "revoked", "undelivered", "closed"];

    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? message, CancellationToken cancellationToken) =>
        View(await ModelAsync(new InviteStaff { Language = CurrentLanguage }, message, cancellationToken));

    [HttpPost("")]
    public async Task<IActionResult> Invite([FromForm] InviteStaff form, CancellationToken cancellationToken)
    {
        (await validator.ValidateAsync(form, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Index", await ModelAsync(form, null, cancellationToken));
        }

        var result = await invite.InviteAsync(form, HttpContext.StaffActor(), cancellationToken);
        if (result.Outcome is InvitationOutcome.AlreadyHasAccount or InvitationOutcome.AlreadyInvited)
        {
            ModelState.AddModelError(nameof(InviteStaff.Email), localizer[result.Outcome == InvitationOutcome.AlreadyHasAccount ? "Invitations.HasAccount" : "Invitations.AlreadyInvited"]);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return View("Index", await ModelAsync(form, null, cancellationToken));
        }

        return Listed(result.Outcome == InvitationOutcome.Sent ? "sent" : "undelivered");
    }

    [HttpPost("{invitationId:guid}/resend")]
    public async Task<IActionResult> Resend(Guid invitationId, CancellationToken cancellationToken)
    {
        var result = await invite.ResendAsync(invitationId, HttpContext.StaffActor(), cancellationToken);
        return result.Outcome switch
        {
            InvitationOutcome.NotFound => NotFound(),
            InvitationOutcome.NotPending => Listed("closed"),
            InvitationOutcome.Sent => Listed("resent"),
            _ => Listed("undelivered"),
        };
    }

    [HttpPost("{invitationId:guid}/revoke")]
    public async Task<IActionResult> Revoke(Guid invitationId, CancellationToken cancellationToken)
    {
        return await revoke.HandleAsync(invitationId, HttpContext.StaffActor(), cancellationToken) switch
        {
            InvitationOutcome.NotFound => NotFound(),
            InvitationOutcome.Revoked => Listed("revoked"),
            _ => Listed("closed"),
        };
    }

    /// <summary>Back to the list with one of <see cref="Messages"/>.</summary>
    private LocalRedirectResult Listed(string message) => LocalRedirect(PortalRoutes.StaffInvitations + "?message=" + message);

    private static string CurrentLanguage =>
        EmailComposer.Languages.Contains(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName) ? CultureInfo.CurrentUICulture.TwoLetterISOLanguageName : "en";

    private async Task<StaffInvitationsViewModel> ModelAsync(InviteStaff form, string? message, CancellationToken cancellationToken) =>
        new(form, await pending.HandleAsync(cancellationToken), message is not null && Messages.Contains(message) ? "Invitations.Message." + message : null);
}
