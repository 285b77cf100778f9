using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Accounts;
using Portal.Web.Accounts;
using Portal.Web.Audit;
using Portal.Web.Security;
using QRCoder;

namespace Portal.Web.Controllers;

public sealed record TwoFactorCodeForm
{
    public string? Code { get; init; }

    public string? RecoveryCode { get; init; }

    public string? ReturnUrl { get; init; }
}

public sealed record EnrolmentViewModel(bool Enabled, string? SharedKey, string? QrCodeDataUri, int RecoveryCodesLeft = 0);

/// <summary>Staff two-factor sign-in: enrolling an authenticator app, and the code step of signing in.</summary>
[Route("account")]
public sealed class TwoFactorController(PortalSignInManager signIn, EnrolAuthenticatorHandler enrolment, RecordStaffSignInHandler record, IStringLocalizer<SharedResource> localizer) : Controller
{
    [AllowAnonymous]
    [HttpGet("sign-in/code")]
    public IActionResult Code(string? returnUrl) => View(new TwoFactorCodeForm { ReturnUrl = returnUrl });

    [AllowAnonymous]
    [HttpPost("sign-in/code")]
    [EnableRateLimiting(RateLimitPolicies.SignIn)]
    public async Task<IActionResult> Code([FromForm] TwoFactorCodeForm form)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return LocalRedirect("/account/sign-in");
        }

        var result = !string.IsNullOrWhiteSpace(form.Code)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(form.Code, isPersistent: false, rememberClient: false)
            : !string.IsNullOrWhiteSpace(form.RecoveryCode)
                ? await signIn.TwoFactorRecoveryCodeSignInAsync(RecoveryCode.AsIssued(form.RecoveryCode))
                : Microsoft.AspNetCore.Identity.SignInResult.Failed;
        if (result.Succeeded)
        {
            await record.RecordAsync(SignInStep.SignedIn, HttpContext.SigningInActor(user.Id), string.IsNullOrWhiteSpace(form.Code) ? "recovery-code" : "authenticator", HttpContext.RequestAborted);
            return LocalRedirect(LocalReturnUrl.Resolve(Url, form.ReturnUrl, "/staff"));
        }

        await record.RecordAsync(SignInStep.Failed, HttpContext.SigningInActor(user.Id), "second factor", HttpContext.RequestAborted);
        ModelState.AddModelError("", localizer[string.IsNullOrWhiteSpace(form.Code) && !string.IsNullOrWhiteSpace(form.RecoveryCode) ? "Account.Code.RecoveryFailed" : "Account.Code.Failed"]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(form with { Code = null, RecoveryCode = null });
    }

    [Authorize]
    [HttpGet("two-factor")]
    public async Task<IActionResult> Enrol(CancellationToken cancellationToken) =>
        await enrolment.StateAsync(HttpContext.StaffActor().UserId, cancellationToken) is { } state ? View(Model(state)) : Challenge();

    [Authorize]
    [HttpPost("two-factor")]
    public async Task<IActionResult> Enrol([FromForm] string? code, CancellationToken cancellationToken)
    {
        var result = await enrolment.ConfirmAsync(HttpContext.StaffActor(), code, cancellationToken);
        if (result is not { Outcome: EnrolmentOutcome.Enabled, User: { } user, RecoveryCodes: { } recoveryCodes })
        {
            if (result.Outcome == EnrolmentOutcome.NoAccount || await enrolment.StateAsync(HttpContext.StaffActor().UserId, cancellationToken) is not { } state)
            {
                return Challenge();
            }

            if (result.Outcome == EnrolmentOutcome.AlreadyEnabled)
            {
                // The form sent again (Back and send, a second click): it is on, which is what was asked.
                return LocalRedirect("/account/two-factor");
            }

            ModelState.AddModelError("code", localizer["Account.Code.Failed"]);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(Model(state));
        }

        // Turning two-factor on changed the account's security stamp: the session is issued again
        // with the new one (keeping when it began), now as a two-factor sign-in, in a known device.
        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        await signIn.SignInWithClaimsAsync(user, session.Properties, [new Claim("amr", "mfa")]);
        await signIn.RememberDeviceAsync(user);
        return View("RecoveryCodes", recoveryCodes.ToList());
    }

    /// <summary>New recovery codes, against a current code from the app; the old ones stop working.</summary>
    [Authorize]
    [HttpPost("two-factor/recovery-codes")]
    [EnableRateLimiting(RateLimitPolicies.SignIn)]
    public async Task<IActionResult> RecoveryCodes([FromForm] string? code, CancellationToken cancellationToken)
    {
        var result = await enrolment.ReplaceRecoveryCodesAsync(HttpContext.StaffActor(), code, cancellationToken);
        if (result is { Outcome: EnrolmentOutcome.Enabled, RecoveryCodes: { } recoveryCodes })
        {
            return View("RecoveryCodes", recoveryCodes.ToList());
        }

        if (result.Outcome == EnrolmentOutcome.NoAccount || await enrolment.StateAsync(HttpContext.StaffActor().UserId, cancellationToken) is not { } state)
        {
            return Challenge();
        }

        if (result.Outcome == EnrolmentOutcome.NotEnabled)
        {
            // Nothing to replace: the page says how to turn two-factor sign-in on.
            return LocalRedirect("/account/two-factor");
        }

        ModelState.AddModelError("recovery-code", localizer["Account.Code.Failed"]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("Enrol", Model(state));
    }

    private static EnrolmentViewModel Model(EnrolmentState state)
    {
        if (state.Enabled || state.SharedKey is not { } key)
        {
            return new EnrolmentViewModel(true, null, null, state.RecoveryCodesLeft);
        }

        var uri = $"otpauth://totp/Portal:{Uri.EscapeDataString(state.Email)}?secret={key}&issuer=Portal&digits=6&period=30";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        var grouped = string.Join(' ', key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
        return new EnrolmentViewModel(false, grouped, "data:image/png;base64," + Convert.ToBase64String(png));
    }
}
