using Microsoft.AspNetCore.Http.Extensions;

namespace Portal.Web.Security;

/// <summary>
/// Refuses with 400 a request whose Host makes no absolute address: none or empty (HTTP/1.0 may
/// send none), or a port beyond 65535. Kestrel lets those through, and nginx passes a port of the
/// client's choosing on with the site's name; every page that renders a Razor component builds
/// its base address from the Host and failed with a 500. The health checks stay open to a load
/// balancer's probes, which often send no Host.
/// </summary>
public sealed class HostHeaderMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || MakesAnAddress(context.Request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.CompletedTask;
    }

    /// <summary>The base address the components' navigation starts from, built as they build it, is a valid URI.</summary>
    public static bool MakesAnAddress(HttpRequest request) =>
        request.Host.HasValue
        && request.Host.Host.Length > 0
        && Uri.TryCreate(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, "/"), UriKind.Absolute, out _);
}
