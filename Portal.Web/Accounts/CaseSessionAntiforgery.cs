using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;

namespace Portal.Web.Accounts;

/// <summary>
/// Antiforgery tokens that never bind to the victim's case session. The case pages run as the
/// case-session user (their policy authenticates that scheme), while the endpoints a victim posts
/// to from every page (language, close, quick exit) and the public pages run as the staff sign-in
/// or anonymous: a token made for the one and checked as the other failed every such post with
/// 400 (issue 15). The case session also ends while a page stays open (30 idle minutes, closing in
/// another tab). So tokens are made and checked with the case-session identity left out: they
/// still pair with the browser's antiforgery cookie (and a staff sign-in, when there is one),
/// which is what stops a forged post; the case cookie is SameSite=Strict besides.
/// </summary>
public sealed class CaseSessionAntiforgery(IAntiforgery inner) : IAntiforgery
{
    /// <summary>Wraps the framework's antiforgery service; call before or after AddAntiforgery.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddAntiforgery();
        var original = services.Last(d => d.ServiceType == typeof(IAntiforgery));
        if (original.ImplementationType is not { } implementation)
        {
            throw new InvalidOperationException("The antiforgery service is not registered by type; it cannot be wrapped.");
        }

        services.Remove(original);
        services.AddSingleton<IAntiforgery>(provider => new CaseSessionAntiforgery((IAntiforgery)ActivatorUtilities.CreateInstance(provider, implementation)));
    }

    public AntiforgeryTokenSet GetAndStoreTokens(HttpContext httpContext) => WithoutCaseSession(httpContext, () => inner.GetAndStoreTokens(httpContext));

    public AntiforgeryTokenSet GetTokens(HttpContext httpContext) => WithoutCaseSession(httpContext, () => inner.GetTokens(httpContext));

    public Task<bool> IsRequestValidAsync(HttpContext httpContext) => WithoutCaseSessionAsync(httpContext, () => inner.IsRequestValidAsync(httpContext));

    public Task ValidateRequestAsync(HttpContext httpContext) => WithoutCaseSessionAsync(httpContext, async () =>
    {
        await inner.ValidateRequestAsync(httpContext);
        return true;
    });

    public void SetCookieTokenAndHeader(HttpContext httpContext) => WithoutCaseSession(httpContext, () =>
    {
        inner.SetCookieTokenAndHeader(httpContext);
        return true;
    });

    private static T WithoutCaseSession<T>(HttpContext context, Func<T> work)
    {
        var user = context.User;
        context.User = Strip(user);
        try
        {
            return work();
        }
        finally
        {
            context.User = user;
        }
    }

    private static async Task<T> WithoutCaseSessionAsync<T>(HttpContext context, Func<Task<T>> work)
    {
        var user = context.User;
        context.User = Strip(user);
        try
        {
            return await work();
        }
        finally
        {
            context.User = user;
        }
    }

    private static ClaimsPrincipal Strip(ClaimsPrincipal user)
    {
        var others = user.Identities.Where(i => i.AuthenticationType != CaseSession.Scheme).ToList();
        return others.Count == user.Identities.Count() ? user : new ClaimsPrincipal(others.Count > 0 ? others : [new ClaimsIdentity()]);
    }
}
