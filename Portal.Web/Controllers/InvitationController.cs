using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Web.Forms;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

public sealed record AcceptInvitationViewModel(AcceptInvitation Form, OpenInvitation Invitation, int PasswordLength);

/// <summary>
/// The invitee's side: the link opens a form (reading changes nothing), the form creates the
/// account with the invited roles, signs the new member in and sends them to set up two-factor
/// sign-in. Unknown, used, revoked and expired links all get the same page.
/// </summary>
[AllowAnonymous]
[Route("account/invitation")]
public sealed class InvitationController(
    AcceptInvitationHandler accept,
    IValidator<AcceptInvitation> validator,
    SignInManager<StaffUser> signIn,
    IStringLocalizer<SharedResource> localizer,
    IOptions<IdentityOptions> identity) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Accept([FromQuery] string? token, CancellationToken cancellationToken)
    {
        var invitation = await accept.FindAsync(token, cancellationToken);
        return invitation is null ? InvalidLink() : View(Model(new AcceptInvitation { Token = token }, invitation));
    }

    [HttpPost("")]
    [EnableRateLimiting(RateLimitPolicies.SignIn)]
    public async Task<IActionResult> Accept([FromForm] AcceptInvitation form, CancellationToken cancellationToken)
    {
        var invitation = await accept.FindAsync(form.Token, cancellationToken);
        if (invitation is null)
        {
            return InvalidLink();
        }

        (await validator.ValidateAsync(form, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View(Model(form, invitation));
        }

        // Nobody is signed in yet: the invitee is known by address until the account exists.
        var result = await accept.HandleAsync(form, Actor.Staff(null, HttpContext.Connection.RemoteIpAddress), cancellationToken);
        switch (result)
        {
            case { Outcome: AcceptOutcome.Accepted, User: { } user }:
                await signIn.SignInAsync(user, isPersistent: false);
                return LocalRedirect(PortalRoutes.AccountTwoFactor);
            case { Outcome: AcceptOutcome.PasswordRejected, PasswordErrors: { } errors }:
                ModelState.AddModelError(nameof(AcceptInvitation.Password), string.Join(" ", errors.Select(Describe).Distinct()));
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return View(Model(form, invitation));
            case { Outcome: AcceptOutcome.AccountExists }:
                ModelState.AddModelError("", localizer["Invitation.AccountExists"]);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View(Model(form, invitation));
            default:
                return InvalidLink();
        }
    }

    private AcceptInvitationViewModel Model(AcceptInvitation form, OpenInvitation invitation) =>
        new(form with { Password = null, ConfirmPassword = null }, invitation, identity.Value.Password.RequiredLength);

    /// <summary>One answer whatever is wrong with the link, so it tells a stranger nothing.</summary>
    private ViewResult InvalidLink()
    {
        Response.StatusCode = StatusCodes.Status404NotFound;
        return View("Invalid");
    }

    private string Describe(IdentityError error) => error.Code switch
    {
        nameof(IdentityErrorDescriber.PasswordTooShort) => string.Format(CultureInfo.CurrentCulture, localizer["Password.TooShort"], identity.Value.Password.RequiredLength),
        nameof(IdentityErrorDescriber.PasswordRequiresDigit) => localizer["Password.RequiresDigit"],
        nameof(IdentityErrorDescriber.PasswordRequiresLower) => localizer["Password.RequiresLower"],
        nameof(IdentityErrorDescriber.PasswordRequiresUpper) => localizer["Password.RequiresUpper"],
        nameof(IdentityErrorDescriber.PasswordRequiresNonAlphanumeric) => localizer["Password.RequiresNonAlphanumeric"],
        nameof(IdentityErrorDescriber.PasswordRequiresUniqueChars) => string.Format(CultureInfo.CurrentCulture, localizer["Password.RequiresUniqueChars"], identity.Value.Password.RequiredUniqueChars),
        _ => localizer["Password.NotAccepted"],
    };
}
