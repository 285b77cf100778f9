using System.Net;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>The staff member a handler acts for, and the address their request came from (staff actions record it).</summary>
public sealed record StaffActor(string UserId, IPAddress? Address)
{
    public AuditEvent Event(string action, Guid? caseId = null, string? subject = null, string? detail = null) =>
        AuditEvent.Staff(action, UserId, Address, caseId, subject, detail);
}
