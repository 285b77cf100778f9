using System.Net;

namespace Portal.Core.Features.Audit;

/// <summary>
/// Who a use case acts for. Handlers are told this and record it in the audit entries they
/// commit with their change; a staff member is recorded with their address, a victim by case only.
/// </summary>
public abstract record Actor
{
    private Actor()
    {
    }

    /// <summary>A victim, known only by the case they hold (a case session, or the report they file).</summary>
    public static readonly Actor Victim = new VictimOfCase();

    /// <summary>The portal itself: jobs, start-up recovery, operator verbs.</summary>
    public static readonly Actor Automatic = new PortalItself();

    /// <summary>A staff member; while signing in the id may not be known yet.</summary>
    public static Actor Staff(string? userId, IPAddress? ipAddress) => new StaffMember(userId, ipAddress);

    /// <summary>The audit event for this actor doing <paramref name="action"/>.</summary>
    public AuditEvent Event(string action, Guid? caseId = null, string? subject = null, string? detail = null) => this switch
    {
        StaffMember staff => AuditEvent.Staff(action, staff.UserId, staff.IpAddress, caseId, subject, detail),
        VictimOfCase when caseId is { } id => AuditEvent.Victim(action, id, subject, detail),
        VictimOfCase => throw new InvalidOperationException("A victim's action is recorded against their case."),
        _ => AuditEvent.System(action, caseId, subject, detail),
    };

    /// <summary>The staff member's id, or null for anyone else.</summary>
    public string? StaffId => (this as StaffMember)?.UserId;

    public sealed record StaffMember(string? UserId, IPAddress? IpAddress) : Actor;

    public sealed record VictimOfCase : Actor;

    public sealed record PortalItself : Actor;
}
