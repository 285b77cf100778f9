using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Portal.Web.Security;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Failed receipt lookups per client per window: enough for typos, far too few to guess. Lookups that open a case do not count.</summary>
    public int ReceiptLookupPermits { get; set; } = 10;

    public TimeSpan ReceiptLookupWindow { get; set; } = TimeSpan.FromMinutes(15);

    public int SignInPermits { get; set; } = 10;

    public TimeSpan SignInWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Reports filed per client per window. Generous: in a crisis many victims share a mobile
    /// carrier's address; what it stops is a script filing hundreds of cases.
    /// </summary>
    public int ReportPermits { get; set; } = 30;

    public TimeSpan ReportWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Evidence uploads and pastes per client per window (each case has its own quota besides).</summary>
    public int UploadPermits { get; set; } = 60;

    public TimeSpan UploadWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Reports in progress started per client per window (each keeps sealed answers for a day at most).</summary>
    public int DraftPermits { get; set; } = 60;

    public TimeSpan DraftWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests for a new receipt key by email per client per window.</summary>
    public int NewKeyPermits { get; set; } = 5;

    public TimeSpan NewKeyWindow { get; set; } = TimeSpan.FromMinutes(15);
}

public static class RateLimitPolicies
{
    public const string SignIn = "sign-in";
    public const string NewReceiptKey = "new-receipt-key";
    /// <summary>HttpContext item: how long a refused client must wait, for the page that says so.</summary>
    public const string RetryAfterItem = "portal:retry-after";

    /// <summary>HttpContext item: the policy that refused the request, so the page speaks to whom it refused (staff signing in, or a victim).</summary>
    public const string RefusedByItem = "portal:refused-by";
}

public static class SecuritySetup
{
    /// <summary>Bodies of ordinary forms; upload endpoints raise their own limit.</summary>
    public const long DefaultMaxRequestBodyBytes = 256 * 1024;

    public static WebApplicationBuilder AddPortalSecurity(this WebApplicationBuilder builder)
    {
        var cookies = PortalCookies.For(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DefaultMaxRequestBodyBytes;
        });

        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ServerMemoryPoolFactory>();

        builder.Services.AddAntiforgery(options =>
        {
            cookies.Apply(options.Cookie, PortalCookies.Antiforgery);
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.Path = "/";
            options.FormFieldName = "__af";
        });
        builder.Services.Configure<MvcOptions>(options => options.Filters.Add(new AutoValidateAntiforgeryTokenAttribute()));

        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });

        // Where plain HTTP is sent when cookies need HTTPS: https_port (ASPNETCORE_HTTPS_PORT) if
        // the HTTPS side is not on 443, as behind a proxy the portal cannot see which port it serves.
        builder.Services.AddHttpsRedirection(options => options.HttpsPort = builder.Configuration.GetValue<int?>("https_port") ?? 443);

        if (builder.Configuration.GetValue<bool>("ForwardedHeaders:Enabled"))
        {
            builder.Services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
                {
                    options.KnownProxies.Add(IPAddress.Parse(proxy));
                }
            });
        }

        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(RateLimitPolicies.SignIn, context => PerClient(context, limits.SignInPermits, limits.SignInWindow));
            options.AddPolicy(RateLimitPolicies.NewReceiptKey, context => PerClient(context, limits.NewKeyPermits, limits.NewKeyWindow));
            options.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.HttpContext.Items[RateLimitPolicies.RetryAfterItem] = retryAfter;

                // Read now: the error page is re-executed without the endpoint.
                context.HttpContext.Items[RateLimitPolicies.RefusedByItem] = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
                return ValueTask.CompletedTask;
            };
        });

        builder.Services.AddSingleton(new ClientLimits(limits));
        return builder;
    }

    /// <summary>
    /// Partitioned by the client address in memory only; the address is never logged or stored
    /// (victims' IP addresses are not recorded anywhere).
    /// </summary>
    private static RateLimitPartition<string> PerClient(HttpContext context, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });

    public static void UsePortalSecurity(this WebApplication app)
    {
        // First, so that every answer carries the headers: redirects and error pages too.
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (app.Configuration.GetValue<bool>("ForwardedHeaders:Enabled"))
        {
            app.UseForwardedHeaders();
        }

        // Before the error pages, which render components too: a Host that makes no address is
        // answered 400 with no page.
        app.UseMiddleware<HostHeaderMiddleware>();

        // The friendly error pages in every environment: a victim must never see a stack trace,
        // and a developer reads the log instead. A request the client got wrong (a body shorter
        // than announced, an upload too slow to finish: BadHttpRequestException) is answered
        // with its 4xx and is no server error worth a stack trace in the log.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error",
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        // __Host- cookies (and the antiforgery token in every page's forms) need HTTPS: over plain
        // HTTP they failed every page with a 500. Such a request is sent to HTTPS instead, except
        // the health checks a load balancer asks the node for directly.
        if (app.Services.GetRequiredService<PortalCookies>().HttpsOnly)
        {
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase), https => https.UseHttpsRedirection());
        }

        app.UseStatusCodePagesWithReExecute("/error/{0}");
    }

    /// <summary>After routing, so the endpoint's own size limit is known.</summary>
    public static void UsePortalRequestLimits(this WebApplication app) =>
        app.UseMiddleware<RequestBodyLimitMiddleware>();
}
