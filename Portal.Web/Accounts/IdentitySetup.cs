using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
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

        // Stamps are checked on every staff request, so disabling an account or changing its
        // roles takes effect at once instead of after the default 30 minutes.
        // The principal rebuilt after each check would drop the "mfa" sign-in method, and the
        // two-factor rule would then send every session back to enrol: carry it over.
        builder.Services.Configure<SecurityStampValidatorOptions>(options =>
        {
            options.ValidationInterval = TimeSpan.Zero;
            options.OnRefreshingPrincipal = context =>
            {
                var method = context.CurrentPrincipal?.FindFirst("amr");
                if (method is not null && context.NewPrincipal?.Identity is ClaimsIdentity identity && !identity.HasClaim("amr", method.Value))
                {
                    identity.AddClaim(new Claim("amr", method.Value));
                }

                return Task.CompletedTask;
            };
        });

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
            StaffSession.EnforceAbsoluteLifetime(options.Events);
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
        });

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
/// </summary>
public static class StaffSession
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);
    private const string SignedInAtKey = "portal.signed-in-at";

    public static void EnforceAbsoluteLifetime(CookieAuthenticationEvents events)
    {
        events.OnSigningIn = context =>
        {
            var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            // A re-issue of the same session (a confirmation of both factors, a refresh) keeps its start.
            context.Properties.Items.TryAdd(SignedInAtKey, clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        };

        var validateSecurityStamp = events.OnValidatePrincipal;
        events.OnValidatePrincipal = async context =>
        {
            var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            if (!context.Properties.Items.TryGetValue(SignedInAtKey, out var value)
                || !long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) > AbsoluteLifetime)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }

            await validateSecurityStamp(context);
        };
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
/// </summary>
public static class CaseSession
{
    public const string Scheme = "CaseSession";
    public const string Policy = "CaseHolder";
    public const string CaseClaim = "portal:case";

    public static ClaimsPrincipal For(Guid caseId) =>
        new(new ClaimsIdentity([new Claim(CaseClaim, caseId.ToString())], Scheme));

    public static Guid? CaseId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(CaseClaim), out var id) ? id : null;
}
