using System.Net;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// A signed-in staff member a handler acts for, and the address their request came from (staff
/// actions record it): the <see cref="Actor"/> of use cases only staff can start, with an id
/// that is always known.
/// </summary>
public sealed record StaffActor(string UserId, IPAddress? Address)
{
    public AuditEvent Event(string action, Guid? caseId = null, string? subject = null, string? detail = null) =>
        AuditEvent.Staff(action, UserId, Address, caseId, subject, detail);

    public Actor ToActor() => Actor.Staff(UserId, Address);

    public static implicit operator Actor(StaffActor staff) => staff.ToActor();
}
