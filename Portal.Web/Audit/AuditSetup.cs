using System.Net;
using System.Security.Claims;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Web.Audit;

public static class AuditSetup
{
    public static WebApplicationBuilder AddPortalAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<VerifyAuditTrail>();
        builder.Services.AddScoped<ListAuditEntriesHandler>();
        builder.Services.AddScoped<RecordStaffSignInHandler>();
        return builder;
    }

    /// <summary>Someone signing in as staff: the account when it is known, and always the address.</summary>
    public static Actor SigningInActor(this HttpContext context, string? userId) =>
        Actor.Staff(userId, context.Connection.RemoteIpAddress ?? IPAddress.None);

    /// <summary>The signed-in staff member confirming their sign-in (the id may be missing on a stale session).</summary>
    public static Actor SignedInActor(this HttpContext context) =>
        Actor.Staff(context.User.FindFirstValue(ClaimTypes.NameIdentifier), context.Connection.RemoteIpAddress);
}
