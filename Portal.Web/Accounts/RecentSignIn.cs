using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Portal.Web.Accounts;

/// <summary>
/// When the staff member last proved both factors again (password and authenticator code) on
/// the confirmation page. The time rides in the sign-in cookie's ticket properties, which the
/// cookie protects and every renewal keeps, and is read against the portal's clock.
/// </summary>
public static class RecentSignIn
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public const string Path = "/account/confirm";
    private const string ConfirmedAtKey = "portal.confirmed-at";

    public static async Task<bool> IsFreshAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        return result.Succeeded
            && result.Properties.Items.TryGetValue(ConfirmedAtKey, out var value)
            && long.TryParse(value, CultureInfo.InvariantCulture, out var seconds)
            && clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) is var age
            && age >= TimeSpan.Zero && age <= Window;
    }

    /// <summary>Re-issues the sign-in cookie with the confirmation time, keeping the session's other properties and claims.</summary>
    public static async Task RecordAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("There is no staff session to record a confirmation in.");
        }

        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        result.Properties.Items[ConfirmedAtKey] = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await context.SignInAsync(IdentityConstants.ApplicationScheme, result.Principal, result.Properties);
    }
}

/// <summary>
/// The action needs a confirmation of both factors within <see cref="RecentSignIn.Window"/>;
/// without one the staff member is sent to confirm and brought back to the same address.
/// Only for GET actions, since the way back is a redirect.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class RequireRecentSignInAttribute : Attribute, IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (http.User.Identity?.IsAuthenticated != true || await RecentSignIn.IsFreshAsync(http))
        {
            return;
        }

        var back = http.Request.PathBase + http.Request.Path + http.Request.QueryString;
        context.Result = new LocalRedirectResult(RecentSignIn.Path + "?returnUrl=" + Uri.EscapeDataString(back));
    }
}
