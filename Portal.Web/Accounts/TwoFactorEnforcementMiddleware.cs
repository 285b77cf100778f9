namespace Portal.Web.Accounts;

/// <summary>
/// Outside Development every staff member must have signed in with two factors: a staff
/// session without the "mfa" method is sent to enrol (or to finish) before any staff page.
/// </summary>
public sealed class TwoFactorEnforcementMiddleware(RequestDelegate next)
{
    private static readonly string[] Open = ["/account", "/error", "/health", "/css", "/js", "/img"];

    public Task InvokeAsync(HttpContext context)
    {
        var user = context.User;
        if (user.Identity is { IsAuthenticated: true, AuthenticationType: "Identity.Application" }
            && !user.HasClaim("amr", "mfa")
            && !Open.Any(prefix => context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.Redirect("/account/two-factor");
            return Task.CompletedTask;
        }

        return next(context);
    }
}
