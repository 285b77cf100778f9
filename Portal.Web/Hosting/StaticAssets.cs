using Microsoft.AspNetCore.Diagnostics;

namespace Portal.Web.Hosting;

/// <summary>The stylesheets, scripts and images under wwwroot/.</summary>
public static class StaticAssets
{
    /// <summary>Folders that hold only files; anything else under them is a missing file.</summary>
    public static readonly IReadOnlyList<PathString> Folders = ["/css", "/js", "/img"];

    public static bool IsUnder(PathString path) => Folders.Any(f => path.StartsWithSegments(f, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A missing file under a static folder is a bare 404: no HTML error page, whose form would
    /// set an antiforgery cookie on a request for a stylesheet, and no public caching (the
    /// security headers cache only files that were found).
    /// </summary>
    public static void UsePortalStaticFiles(this WebApplication app)
    {
        app.UseStaticFiles();
        app.Use((context, next) =>
        {
            if (!IsUnder(context.Request.Path))
            {
                return next(context);
            }

            if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }
}
