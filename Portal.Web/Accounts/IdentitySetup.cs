using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Data;
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
            .AddDefaultTokenProviders();

        builder.Services.ConfigureApplicationCookie(options =>
        {
            cookies.Apply(options.Cookie, PortalCookies.Staff);
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.Path = "/";
            options.ExpireTimeSpan = TimeSpan.FromMinutes(30);
            options.SlidingExpiration = true;
            options.LoginPath = "/account/sign-in";
            options.LogoutPath = "/account/sign-out";
            options.AccessDeniedPath = "/account/denied";
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
            .AddPolicy(StaffPolicies.SupervisorOrAdmin, policy => policy.RequireRole(StaffRoles.Supervisor, StaffRoles.Admin));

        return builder;
    }
}

public static class StaffPolicies
{
    public const string Admin = "Admin";

    /// <summary>Those who may read the audit trail.</summary>
    public const string SupervisorOrAdmin = "SupervisorOrAdmin";
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
