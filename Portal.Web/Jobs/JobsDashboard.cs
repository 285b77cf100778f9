using System.Security.Claims;
using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authorization;
using Portal.Core.Data;
using Portal.Core.Features.Jobs;
using Portal.Web.Accounts;
using Portal.Web.Security;

namespace Portal.Web.Jobs;

/// <summary>
/// Hangfire's dashboard is the admins' jobs page, at /admin/jobs, behind the portal's own sign-in
/// and two-factor: admins act, supervisors read. Hangfire's own authorization filter (local
/// requests only) is replaced by the portal's policy, checked by endpoint authorization before
/// the dashboard is reached and again by the dashboard's filter; its commands need the portal's
/// antiforgery token; the storage's connection string is not shown; its title links back to the
/// portal. Every command an admin gives is recorded in the audit trail.
/// </summary>
public static partial class JobsDashboard
{
    public const string Path = "/admin/jobs";

    /// <summary>Admins for everything; supervisors may read (GET, and the statistics the pages poll for).</summary>
    public const string Policy = "JobsDashboard";

    /// <summary>
    /// The one style element the dashboard cannot do without: Chart.js (on the overview page)
    /// injects its stylesheet as an inline &lt;style&gt;. Allowed by its hash, on this path only:
    /// the SHA-256 of its text as the CSP standard (and Node, OpenSSL) computes it, and the value
    /// Chromium 156 computes and accepts for the same element instead, which differs in the first
    /// byte (Chromium blocks the element with the standard value alone; JobsPageBrowserTests checks).
    /// Both name this one stylesheet and nothing else.
    /// </summary>
    public const string ChartStyleHash = "'sha256-Z7zcnw/4WalZqx+PrNaRnoeLz/G9WXuFqV1WCJ129sg=' 'sha256-z7zcnw/4WalZqx+PrNaRnoeLz/G9WXuFqV1WCJ129sg='";

    /// <summary>The portal's policy with that one stylesheet's hash added to style-src: scripts stay 'self' only.</summary>
    public static readonly string ContentSecurityPolicy =
        SecurityHeadersMiddleware.ContentSecurityPolicy.Replace("style-src 'self';", $"style-src 'self' {ChartStyleHash};", StringComparison.Ordinal);

    public static void AddJobsDashboardPolicy(this WebApplicationBuilder builder) =>
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.IsInRole(StaffRoles.Admin)
                || (context.User.IsInRole(StaffRoles.Supervisor) && context.Resource is HttpContext http && IsReading(http.Request))));

    /// <summary>Maps the dashboard; the inner pipeline is Hangfire's (as MapHangfireDashboard builds it) with the portal's headers and audit around it.</summary>
    public static IEndpointConventionBuilder MapPortalJobsDashboard(this WebApplication app)
    {
        var storage = app.Services.GetRequiredService<JobStorage>();
        var options = new DashboardOptions
        {
            AppPath = "/staff",
            DashboardTitle = "Portal jobs",
            DisplayStorageConnectionString = false,
            Authorization = [],
            AsyncAuthorization = [new PortalDashboardAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(StaffRoles.Admin),
            IgnoreAntiforgeryToken = false,
            StatsPollingInterval = 5000,
        };
        var dashboard = ((IEndpointRouteBuilder)app).CreateApplicationBuilder()
            .UsePathBase(Path)
            .Use(DashboardHeaders)
            .UseMiddleware<DashboardCommandAudit>()
            .UseMiddleware<AspNetCoreDashboardMiddleware>(storage, options, DashboardRoutes.Routes);

        // A path the dashboard has no page for is not found. Without this the request would fall
        // off the end of the endpoint's own pipeline, which ASP.NET Core answers with a 500.
        dashboard.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        var pipeline = dashboard.Build();
        return app.Map(Path + "/{**path}", pipeline)
            .RequireAuthorization(Policy)
            .WithDisplayName("Jobs dashboard (Hangfire)");
    }

    /// <summary>A request that changes nothing: a page, a file, or the statistics the pages poll for (a POST in Hangfire).</summary>
    internal static bool IsReading(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
        || (HttpMethods.IsPost(request.Method) && IsStatistics(request.Path));

    private static bool IsStatistics(PathString path) =>
        path.Equals(Path + "/stats", StringComparison.OrdinalIgnoreCase) || path.Equals("/stats", StringComparison.OrdinalIgnoreCase);

    private static Task DashboardHeaders(HttpContext context, RequestDelegate next)
    {
        // Registered after the portal's security headers, so it runs before them and they keep it.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>Hangfire's authorization filter, on the portal's policy (endpoint authorization has already applied it; this keeps the dashboard closed if it is ever mapped without it).</summary>
    private sealed class PortalDashboardAuthorization : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            return (await authorization.AuthorizeAsync(http.User, http, Policy)).Succeeded;
        }
    }

    /// <summary>Records, after Hangfire has carried it out (204), each command an admin gave on the dashboard.</summary>
    private sealed partial class DashboardCommandAudit(RequestDelegate next)
    {
        public async Task InvokeAsync(HttpContext context, RecordJobCommandHandler record)
        {
            await next(context);
            if (!HttpMethods.IsPost(context.Request.Method) || context.Response.StatusCode != StatusCodes.Status204NoContent
                || Command(context.Request.Path.Value ?? "") is not var (command, single))
            {
                return;
            }

            IReadOnlyCollection<string> jobs = single is not null
                ? [single]
                : context.Request.HasFormContentType ? (await context.Request.ReadFormAsync()).TryGetValue("jobs[]", out var values) ? values.OfType<string>().ToList() : [] : [];
            var actor = context.User.FindFirstValue(ClaimTypes.NameIdentifier) is not null ? context.StaffActor() : null;
            if (actor is not null && jobs.Count > 0)
            {
                await record.HandleAsync(actor, command, jobs, CancellationToken.None);
            }
        }

        private static (JobCommand Command, string? Job)? Command(string path)
        {
            if (SingleJob().Match(path) is { Success: true } one)
            {
                return (one.Groups["verb"].Value == "requeue" ? JobCommand.Requeued : JobCommand.Deleted, one.Groups["id"].Value);
            }

            if (Batch().Match(path) is { Success: true } batch)
            {
                return (batch.Groups["verb"].Value == "delete" ? JobCommand.Deleted : JobCommand.Requeued, null);
            }

            return path switch
            {
                "/recurring/trigger" => (JobCommand.Triggered, null),
                "/recurring/remove" => (JobCommand.RecurringRemoved, null),
                _ => null,
            };
        }

        [GeneratedRegex("^/jobs/actions/(?<verb>requeue|delete)/(?<id>[^/]+)$", RegexOptions.CultureInvariant)]
        private static partial Regex SingleJob();

        [GeneratedRegex("^/jobs/[a-z]+/(?<verb>requeue|delete|enqueue)$", RegexOptions.CultureInvariant)]
        private static partial Regex Batch();
    }
}
