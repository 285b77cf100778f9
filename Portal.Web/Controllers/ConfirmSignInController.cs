using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Web.Accounts;
using Portal.Web.Audit;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

public sealed record ConfirmSignInForm
{
    public string? Password { get; init; }

    public string? Code { get; init; }

    public string? ReturnUrl { get; init; }
}

public sealed record ConfirmSignInViewModel(ConfirmSignInForm Form, bool HasAuthenticator);

public sealed record ConfirmedViewModel(string Next);

/// <summary>
/// Signing in again before a sensitive export: the password and a fresh authenticator code,
/// both required (a recovery code is not enough here). Failures count toward the account's
/// lockout like any sign-in, and both outcomes are audited.
/// </summary>
[Route(RecentSignIn.Path)]
public sealed class ConfirmSignInController(SignInManager<StaffUser> signIn, RecordStaffSignInHandler record, IStringLocalizer<SharedResource> localizer) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(string? returnUrl)
    {
        var user = await signIn.UserManager.GetUserAsync(User);
        return user is null ? Challenge() : View(new ConfirmSignInViewModel(new ConfirmSignInForm { ReturnUrl = returnUrl }, user.TwoFactorEnabled));
    }

    [HttpPost("")]
    [EnableRateLimiting(RateLimitPolicies.SignIn)]
    public async Task<IActionResult> Index([FromForm] ConfirmSignInForm form)
    {
        var user = await signIn.UserManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!user.TwoFactorEnabled)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(new ConfirmSignInViewModel(form with { Password = null, Code = null }, false));
        }

        // The code is checked only after the password, so a wrong password never spends a code.
        var password = string.IsNullOrEmpty(form.Password)
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.CheckPasswordSignInAsync(user, form.Password, lockoutOnFailure: true);
        var confirmed = password.Succeeded
            && !string.IsNullOrWhiteSpace(form.Code)
            && await signIn.UserManager.VerifyTwoFactorTokenAsync(user, signIn.Options.Tokens.AuthenticatorTokenProvider, form.Code);
        if (!confirmed)
        {
            if (password.Succeeded)
            {
                await signIn.UserManager.AccessFailedAsync(user);
            }

            await record.RecordAsync(SignInStep.ReauthenticationFailed, HttpContext.SignedInActor(), password.Succeeded ? "second factor" : "password", HttpContext.RequestAborted);
            ModelState.AddModelError("", localizer["Confirm.Failed"]);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(new ConfirmSignInViewModel(form with { Password = null, Code = null }, true));
        }

        await RecentSignIn.RecordAsync(HttpContext);
        await record.RecordAsync(SignInStep.Reauthenticated, HttpContext.SignedInActor(), null, HttpContext.RequestAborted);
        return LocalRedirect(RecentSignIn.Path + "/done?returnUrl=" + Uri.EscapeDataString(Next(form.ReturnUrl)));
    }

    /// <summary>
    /// Where a confirmation leads. What it was for is usually a download, and a download does not
    /// replace the page it starts from: without this page the form would stay on screen, with an
    /// earlier error and the password as typed. This page has neither, and starts the download
    /// itself (a Refresh header, no script); a link does the same by hand.
    /// </summary>
    [HttpGet("done")]
    public IActionResult Done(string? returnUrl)
    {
        var next = Next(returnUrl);
        Response.Headers["Refresh"] = "0; url=" + next;
        return View(new ConfirmedViewModel(next));
    }

    private string Next(string? returnUrl) => LocalReturnUrl.Resolve(Url, returnUrl, "/staff");
}
