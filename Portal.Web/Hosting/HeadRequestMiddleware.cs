using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Portal.Web.Hosting;

/// <summary>
/// HEAD is answered as GET would be, without the body (RFC 9110 9.3.2): monitors and link
/// checkers use it. MVC routes match GET only, so a HEAD reached the catch-all page as a 404.
/// The request runs as a GET; Kestrel remembers the method it parsed and sends no body. What the
/// request was is kept for the actions that must not run for a HEAD (<see cref="GetOnlyAttribute"/>).
/// </summary>
public sealed class HeadRequestMiddleware(RequestDelegate next)
{
    private static readonly object WasHeadKey = new();

    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
            context.Items[WasHeadKey] = true;
        }

        return next(context);
    }

    /// <summary>The client sent HEAD, which this middleware runs as GET.</summary>
    public static bool WasHead(HttpContext context) => context.Items.ContainsKey(WasHeadKey);
}

/// <summary>
/// An action whose GET does work that is recorded, such as a download that writes the custody log:
/// a HEAD (run as GET, <see cref="HeadRequestMiddleware"/>) is answered 405 before the action
/// runs, so nothing is recorded as sent that was not.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class GetOnlyAttribute : Attribute, IResourceFilter
{
    public void OnResourceExecuting(ResourceExecutingContext context)
    {
        if (HeadRequestMiddleware.WasHead(context.HttpContext))
        {
            context.HttpContext.Response.Headers.Allow = HttpMethods.Get;
            context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
        }
    }

    public void OnResourceExecuted(ResourceExecutedContext context)
    {
    }
}

public static class HeadRequestSetup
{
    public static void UsePortalHeadRequests(this WebApplication app) => app.UseMiddleware<HeadRequestMiddleware>();
}
