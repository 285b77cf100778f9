using System.Net;
using System.Security.Claims;
using Portal.Core.Features.Audit;

namespace Portal.Web.Audit;

public static class AuditSetup
{
    public static WebApplicationBuilder AddPortalAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<VerifyAuditTrail>();
        builder.Services.AddScoped<ListAuditEntriesHandler>();
        return builder;
    }

    /// <summary>The signed-in staff member as the actor a handler records: their id and address.</summary>
    public static Actor StaffActor(this HttpContext context) =>
        Actor.Staff(context.User.FindFirstValue(ClaimTypes.NameIdentifier), context.Connection.RemoteIpAddress);

    /// <summary>An action by the signed-in staff member, with their id and address.</summary>
    public static AuditEvent StaffEvent(this HttpContext context, string action, Guid? caseId = null, string? subject = null, string? detail = null) =>
        AuditEvent.Staff(action, context.User.FindFirstValue(ClaimTypes.NameIdentifier), context.Connection.RemoteIpAddress, caseId, subject, detail);

    /// <summary>A staff action before sign-in completed (a failed attempt): the address only.</summary>
    public static AuditEvent AnonymousStaffEvent(this HttpContext context, string action, string? userId = null, string? detail = null) =>
        AuditEvent.Staff(action, userId, context.Connection.RemoteIpAddress ?? IPAddress.None, detail: detail);
}
