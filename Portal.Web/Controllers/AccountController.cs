using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Web.Security;
using Portal.Core.Features.Audit;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

public sealed record SignInForm
{
    public string? Email { get; init; }

    public string? Password { get; init; }

    public string? ReturnUrl { get; init; }
}

/// <summary>Staff sign-in. Unknown users and wrong passwords get the same answer.</summary>
[Route("account")]
public sealed class AccountController(SignInManager<StaffUser> signIn, AuditTrail audit, IStringLocalizer<SharedResource> localizer) : Controller
{
    [AllowAnonymous]
    [HttpGet("sign-in")]
    public IActionResult SignIn(string? returnUrl) => View(new SignInForm { ReturnUrl = returnUrl });

    [AllowAnonymous]
    [HttpPost("sign-in")]
    [EnableRateLimiting(RateLimitPolicies.SignIn)]
    public async Task<IActionResult> SignIn([FromForm] SignInForm form)
    {
        if (!string.IsNullOrWhiteSpace(form.Email) && !string.IsNullOrEmpty(form.Password))
        {
            // Settled before signing in: nothing after the sign-in and its audit entry may fail.
            var returnUrl = LocalReturnUrl.Resolve(Url, form.ReturnUrl, "/staff");
            var result = await signIn.PasswordSignInAsync(form.Email.Trim(), form.Password, isPersistent: false, lockoutOnFailure: true);
            var user = await signIn.UserManager.FindByEmailAsync(form.Email.Trim());
            if (result.Succeeded)
            {
                await audit.AppendAsync(HttpContext.AnonymousStaffEvent(AuditActions.StaffSignIn, user?.Id), HttpContext.RequestAborted);
                return LocalRedirect(returnUrl);
            }

            if (result.RequiresTwoFactor)
            {
                // The password was right; the code comes next, in a short-lived two-factor cookie.
                return LocalRedirect("/account/sign-in/code" + (form.ReturnUrl is not null && Url.IsLocalUrl(form.ReturnUrl) ? "?returnUrl=" + Uri.EscapeDataString(returnUrl) : ""));
            }
        }

        // The attempt is recorded with the address; the typed email is not, unless it names a real account.
        var attempted = string.IsNullOrWhiteSpace(form.Email) ? null : await signIn.UserManager.FindByEmailAsync(form.Email.Trim());
        await audit.AppendAsync(HttpContext.AnonymousStaffEvent(AuditActions.StaffSignInFailed, attempted?.Id), HttpContext.RequestAborted);
        ModelState.AddModelError("", localizer["Account.SignIn.Failed"]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(form with { Password = null });
    }

    [HttpPost("sign-out")]
    public async Task<IActionResult> SignOutStaff()
    {
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.StaffSignOut), HttpContext.RequestAborted);
        await signIn.SignOutAsync();
        Response.Headers["Clear-Site-Data"] = "\"cache\", \"cookies\", \"storage\"";
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
