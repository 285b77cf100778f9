using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
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

public sealed record EnrolmentViewModel(bool Enabled, string? SharedKey, string? QrCodeDataUri);

/// <summary>Staff two-factor sign-in: enrolling an authenticator app, and the code step of signing in.</summary>
[Route("account")]
public sealed class TwoFactorController(SignInManager<StaffUser> signIn, AuditTrail audit, IStringLocalizer<SharedResource> localizer) : Controller
{
    private const int RecoveryCodeCount = 10;

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
                ? await signIn.TwoFactorRecoveryCodeSignInAsync(form.RecoveryCode.Replace(" ", "", StringComparison.Ordinal))
                : Microsoft.AspNetCore.Identity.SignInResult.Failed;
        if (result.Succeeded)
        {
            await audit.AppendAsync(HttpContext.AnonymousStaffEvent(AuditActions.StaffSignIn, user.Id, string.IsNullOrWhiteSpace(form.Code) ? "recovery-code" : "authenticator"), HttpContext.RequestAborted);
            return LocalRedirect(LocalReturnUrl.Resolve(Url, form.ReturnUrl, "/staff"));
        }

        await audit.AppendAsync(HttpContext.AnonymousStaffEvent(AuditActions.StaffSignInFailed, user.Id, "second factor"), HttpContext.RequestAborted);
        ModelState.AddModelError("", localizer["Account.Code.Failed"]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(form with { Code = null, RecoveryCode = null });
    }

    [Authorize]
    [HttpGet("two-factor")]
    public async Task<IActionResult> Enrol() => View(await EnrolmentAsync());

    [Authorize]
    [HttpPost("two-factor")]
    public async Task<IActionResult> Enrol([FromForm] string? code)
    {
        var user = await signIn.UserManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (user.TwoFactorEnabled || !await signIn.UserManager.VerifyTwoFactorTokenAsync(user, signIn.Options.Tokens.AuthenticatorTokenProvider, code ?? ""))
        {
            ModelState.AddModelError("code", localizer["Account.Code.Failed"]);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(await EnrolmentAsync());
        }

        await signIn.UserManager.SetTwoFactorEnabledAsync(user, true);
        var recoveryCodes = await signIn.UserManager.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount) ?? [];
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", "mfa")]);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.TwoFactorEnabled), HttpContext.RequestAborted);
        return View("RecoveryCodes", recoveryCodes.ToList());
    }

    private async Task<EnrolmentViewModel> EnrolmentAsync()
    {
        var user = await signIn.UserManager.GetUserAsync(User) ?? throw new InvalidOperationException("No signed-in staff member.");
        if (user.TwoFactorEnabled)
        {
            return new EnrolmentViewModel(true, null, null);
        }

        var key = await signIn.UserManager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await signIn.UserManager.ResetAuthenticatorKeyAsync(user);
            key = await signIn.UserManager.GetAuthenticatorKeyAsync(user) ?? "";
        }

        var uri = $"otpauth://totp/Portal:{Uri.EscapeDataString(user.Email ?? user.UserName ?? "")}?secret={key}&issuer=Portal&digits=6&period=30";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        var grouped = string.Join(' ', key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
        return new EnrolmentViewModel(false, grouped, "data:image/png;base64," + Convert.ToBase64String(png));
    }
}
