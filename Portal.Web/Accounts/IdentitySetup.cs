using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Reports;
using Portal.Web.Security;

namespace Portal.Web.Accounts;

public static class IdentitySetup
{
    public static WebApplicationBuilder AddPortalIdentity(this WebApplicationBuilder builder)
    {
        var cookies = PortalCookies.For(builder);
        builder.Services
            .AddIdentity<StaffUser, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        builder.Services.AddScoped<KnownDevices>();
        builder.Services.AddSingleton<KnownDeviceCookie>();
        builder.Services.AddSingleton<DecoyPasswordHash>();
        builder.Services.AddScoped<EnrolAuthenticatorHandler>();
        builder.Services.AddScoped<SignOutStaffHandler>();
        builder.Services.AddScoped<AdministerStaffHandler>();
        builder.Services.AddScoped<CreateAdminHandler>();

        builder.Services.ConfigureApplicationCookie(options =>
        {
            cookies.Apply(options.Cookie, PortalCookies.Staff);
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.Path = "/";
            options.ExpireTimeSpan = StaffSession.IdleTimeout;
            options.SlidingExpiration = true;
            options.LoginPath = "/account/sign-in";
            options.LogoutPath = "/account/sign-out";
            options.AccessDeniedPath = "/account/denied";
            StaffSession.CheckEveryRequest(options.Events);
        });
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            cookies.Apply(o.Cookie, PortalCookies.TwoFactor);
        });
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.ExternalScheme, o =>
        {
            cookies.Apply(o.Cookie, PortalCookies.External);
        });

        builder.Services.AddAuthentication().AddCookie(CaseSession.Scheme, options =>
        {
            cookies.Apply(options.Cookie, PortalCookies.Case);
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.Path = "/";
            options.ExpireTimeSpan = TimeSpan.FromMinutes(30);
            options.SlidingExpiration = true;
            options.LoginPath = "/status/open";
            options.AccessDeniedPath = "/status/open";
            options.ReturnUrlParameter = "returnUrl";
            CaseSession.CheckEveryRequest(options.Events);
        });
        builder.Services.AddScoped<EndCaseSessionHandler>();
        builder.Services.AddScoped<CaseSessionCheck>();
        CaseSessionAntiforgery.Register(builder.Services);

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(CaseSession.Policy, policy => policy
                .AddAuthenticationSchemes(CaseSession.Scheme)
                .RequireClaim(CaseSession.CaseClaim))
            .AddPolicy(StaffPolicies.Admin, policy => policy.RequireRole(StaffRoles.Admin))
            .AddPolicy(StaffPolicies.SupervisorOrAdmin, policy => policy.RequireRole(StaffRoles.Supervisor, StaffRoles.Admin))
            .AddPolicy(StaffPolicies.Triage, policy => policy.RequireRole(StaffRoles.Volunteer, StaffRoles.Supervisor))
            .AddPolicy(StaffPolicies.Supervisor, policy => policy.RequireRole(StaffRoles.Supervisor))
            .AddPolicy(StaffPolicies.Campaigns, policy => policy.RequireRole(StaffRoles.Supervisor, StaffRoles.Police));

        return builder;
    }
}

/// <summary>
/// A staff session ends after 30 idle minutes (sliding cookie) and, however active, 12 hours
/// after sign-in: the sign-in time rides in the ticket's properties, which survive each renewal.
/// It also ends on the next request after the account's security stamp changes: at sign-out,
/// when an admin disables the account or changes its roles or organisation, when two-factor
/// sign-in is turned on (docs/decisions/0021). Any code that changes what a session may do must
/// change the stamp: the session's claims are not rebuilt from the database on each request.
/// </summary>
public static class StaffSession
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);

    /// <summary>
    /// Replaces Identity's security stamp validator, which on every request (the interval we need
    /// for revocation to take effect at once) loaded the account and rebuilt its claims from the
    /// database: five queries per staff request. This reads one column by primary key.
    /// </summary>
    public static void CheckEveryRequest(CookieAuthenticationEvents events)
    {
        // A re-issue of the same session (a confirmation of both factors, a refresh) keeps its start.
        events.OnSigningIn = SessionStart.RecordAsync;

        events.OnValidatePrincipal = async context =>
        {
            var expired = SessionStart.IsOlderThan(context, AbsoluteLifetime);
            if (expired || !await StampIsCurrentAsync(context))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }

            // Issued again on every request, so the idle time counts from the last request.
            context.ShouldRenew = true;
        };
    }

    /// <summary>The stamp the cookie was issued with is still the account's (a deleted account has none).</summary>
    private static async Task<bool> StampIsCurrentAsync(CookieValidatePrincipalContext context)
    {
        var claims = context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = context.Principal?.FindFirstValue(claims.UserIdClaimType);
        var stamp = context.Principal?.FindFirstValue(claims.SecurityStampClaimType);
        if (userId is null || stamp is null)
        {
            return false;
        }

        var current = await context.HttpContext.RequestServices.GetRequiredService<PortalDbContext>().Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => u.SecurityStamp)
            .FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        return string.Equals(current, stamp, StringComparison.Ordinal);
    }
}

public static class TwoFactorSetup
{
    /// <summary>After authorization, so the staff session is known; off only in Development unless configured.</summary>
    public static void UsePortalTwoFactor(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool?>("Security:RequireTwoFactor") ?? !app.Environment.IsDevelopment())
        {
            app.UseMiddleware<TwoFactorEnforcementMiddleware>();
        }
    }
}

public static class StaffPolicies
{
    public const string Admin = "Admin";

    /// <summary>Those who may read the audit trail.</summary>
    public const string SupervisorOrAdmin = "SupervisorOrAdmin";

    /// <summary>Those who work the triage queue.</summary>
    public const string Triage = "Triage";

    /// <summary>Those who reassign other people's cases.</summary>
    public const string Supervisor = "Supervisor";
    /// <summary>Those who see campaigns (police only over consenting cases, see CampaignAccess).</summary>
    public const string Campaigns = "Campaigns";
}

/// <summary>
/// A victim who proved a receipt (or just filed a report) holds a short-lived cookie naming
/// that one case. It is a separate scheme from staff sign-in, so it can never reach a staff page.
/// The cookie also names the case's session generation: closing the case page or leaving with
/// quick exit moves the generation on (EndCaseSessionHandler), and every cookie of the older
/// generation, copies included, is refused on its next request (docs/decisions/0005).
/// </summary>
public static class CaseSession
{
    public const string Scheme = "CaseSession";
    public const string Policy = "CaseHolder";
    public const string CaseClaim = "portal:case";
    public const string GenerationClaim = "portal:case-generation";

    public static ClaimsPrincipal For(CaseSessionTicket ticket) =>
        new(new ClaimsIdentity(
            [
                new Claim(CaseClaim, ticket.CaseId.ToString()),
                new Claim(GenerationClaim, ticket.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            Scheme));

    public static Guid? CaseId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(CaseClaim), out var id) ? id : null;

    /// <summary>The case and generation the principal's cookie was issued for; null without both.</summary>
    public static CaseSessionTicket? Ticket(ClaimsPrincipal? user) =>
        user is not null
        && Guid.TryParse(user.FindFirstValue(CaseClaim), out var id)
        && int.TryParse(user.FindFirstValue(GenerationClaim), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation)
            ? new CaseSessionTicket(id, generation)
            : null;

    /// <summary>The case session of this request, if its cookie is present and still good.</summary>
    public static async Task<CaseSessionTicket?> CurrentAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Scheme);
        return result.Succeeded ? Ticket(result.Principal) : null;
    }

    /// <summary>
    /// However active, a case session ends this long after the receipt opened it (or the report
    /// was filed): on a shared or taken computer a tab kept busy does not hold the case open for
    /// ever. A victim reading, writing and uploading has hours; then the receipt opens it again.
    /// </summary>
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(4);

    /// <summary>One indexed read per victim request: the case still exists and the session was not ended.</summary>
    public static void CheckEveryRequest(CookieAuthenticationEvents events)
    {
        events.OnSigningIn = SessionStart.RecordAsync;
        events.OnValidatePrincipal = async context =>
        {
            var ticket = Ticket(context.Principal);
            var current = ticket is not null
                && !SessionStart.IsOlderThan(context, AbsoluteLifetime)
                && await context.HttpContext.RequestServices.GetRequiredService<CaseSessionCheck>().IsCurrentAsync(ticket, context.HttpContext.RequestAborted);
            if (!current)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(Scheme);
            }
        };
    }
}

/// <summary>
/// When a session began, kept in its ticket's properties, which survive each sliding renewal
/// (and a re-issue of the same session), so an absolute lifetime can be enforced on top of the
/// idle one. A ticket without it predates the rule and counts as expired.
/// </summary>
internal static class SessionStart
{
    private const string Key = "portal.signed-in-at";

    public static Task RecordAsync(CookieSigningInContext context)
    {
        var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        context.Properties.Items.TryAdd(Key, clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public static bool IsOlderThan(CookieValidatePrincipalContext context, TimeSpan lifetime)
    {
        var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        return !context.Properties.Items.TryGetValue(Key, out var value)
            || !long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) > lifetime;
    }
}
