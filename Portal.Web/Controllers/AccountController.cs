using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
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

public sealed record SignInForm
{
    public string? Email { get; init; }

    public string? Password { get; init; }

    public string? ReturnUrl { get; init; }
}

/// <summary>Staff sign-in. Unknown users and wrong passwords get the same answer.</summary>
[Route("account")]
public sealed class AccountController(SignInManager<StaffUser> signIn, SignOutStaffHandler signOut, RecordStaffSignInHandler record, IStringLocalizer<SharedResource> localizer, ILogger<AccountController> logger) : Controller
{
    [AllowAnonymous]
    [HttpGet("sign-in")]
    public IActionResult SignIn(string? returnUrl) => View(new SignInForm { ReturnUrl = returnUrl });

    [AllowAnonymous]
    [HttpPost("sign-in")]
    [EnableRateLimiting(RateLimitPolicies.SignIn)]
    public async Task<IActionResult> SignIn([FromForm] SignInForm form)
    {
        var email = form.Email?.Trim();
        if (!string.IsNullOrEmpty(email) && !string.IsNullOrEmpty(form.Password))
        {
            // Settled before signing in: nothing after the sign-in and its audit entry may fail.
            var returnUrl = LocalReturnUrl.Resolve(Url, form.ReturnUrl, "/staff");

            // Unknown addresses do the same password-hash work as real ones (PortalSignInManager).
            var result = await signIn.PasswordSignInAsync(email, form.Password, isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                var user = await signIn.UserManager.FindByEmailAsync(email);
                await record.RecordAsync(SignInStep.SignedIn, HttpContext.SigningInActor(user?.Id), null, HttpContext.RequestAborted);
                return LocalRedirect(returnUrl);
            }

            if (result.RequiresTwoFactor)
            {
                // The password was right; the code comes next, in a short-lived two-factor cookie.
                return LocalRedirect("/account/sign-in/code" + (form.ReturnUrl is not null && Url.IsLocalUrl(form.ReturnUrl) ? "?returnUrl=" + Uri.EscapeDataString(returnUrl) : ""));
            }
        }

        // The attempt is recorded with the address; the typed email is not, unless it names a real account.
        var attempted = string.IsNullOrEmpty(email) ? null : await signIn.UserManager.FindByEmailAsync(email);
        await record.RecordAsync(SignInStep.Failed, HttpContext.SigningInActor(attempted?.Id), null, HttpContext.RequestAborted);
        ModelState.AddModelError("", localizer["Account.SignIn.Failed"]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(form with { Password = null });
    }

    /// <summary>
    /// Ends the session on the server (every cookie issued before stops working) and in the
    /// browser. The browser is asked to clear its cache and storage but not every cookie: the
    /// known-device cookie must survive sign-out (docs/decisions/0021).
    /// </summary>
    [HttpPost("sign-out")]
    public async Task<IActionResult> SignOutStaff(CancellationToken cancellationToken)
    {
        var ended = true;
        try
        {
            await signOut.HandleAsync(HttpContext.StaffActor(), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing was kept (a full disk, a database that refuses the audit entry): the other
            // sessions stay open. This browser is signed out all the same, and the page says so.
            logger.LogError("Sign-out could not be recorded ({ExceptionType}): the member's other sessions stay open.", exception.GetType().Name);
            ended = false;
        }

        await signIn.SignOutAsync();
        Response.Headers["Clear-Site-Data"] = "\"cache\", \"storage\"";
        if (!ended)
        {
            // The page is drawn for someone signed out: no staff menu, no sign-out button.
            HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity());
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "60";
            return View("SignOutNotRecorded");
        }

        return LocalRedirect("/");
    }

    [AllowAnonymous]
    [HttpGet("denied")]
    public IActionResult Denied()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return View();
    }
}
