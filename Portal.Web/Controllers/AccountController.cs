using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
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
public sealed class AccountController(SignInManager<StaffUser> signIn, IStringLocalizer<SharedResource> localizer) : Controller
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
            var result = await signIn.PasswordSignInAsync(form.Email.Trim(), form.Password, isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                return LocalRedirect(form.ReturnUrl is not null && Url.IsLocalUrl(form.ReturnUrl) ? form.ReturnUrl : "/staff");
            }
        }

        ModelState.AddModelError("", localizer["Account.SignIn.Failed"]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(form with { Password = null });
    }

    [HttpPost("sign-out")]
    public async Task<IActionResult> SignOutStaff()
    {
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
