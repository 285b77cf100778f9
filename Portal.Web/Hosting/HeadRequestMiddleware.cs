namespace Portal.Web.Hosting;

/// <summary>
/// HEAD is answered as GET would be, without the body (RFC 9110 9.3.2): monitors and link
/// checkers use it. MVC routes match GET only, so a HEAD reached the catch-all page as a 404.
/// The request runs as a GET; Kestrel remembers the method it parsed and sends no body.
/// </summary>
public sealed class HeadRequestMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
        }

        return next(context);
    }
}

public static class HeadRequestSetup
{
    public static void UsePortalHeadRequests(this WebApplication app) => app.UseMiddleware<HeadRequestMiddleware>();
}
