using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Signing out ends the session on the server, not only in the browser: a new security stamp
/// makes every cookie issued before it fail the check each request makes (docs/decisions/0021).
/// It ends the member's sessions in other browsers too. The new stamp and its audit entry commit
/// together: a sign-out the trail does not show has not happened, and the member can do it again.
/// </summary>
public sealed class SignOutStaffHandler(PortalDbContext db, AuditTrail audit)
{
    public Task HandleAsync(StaffActor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            // One UPDATE, not UserManager's read-modify-write: it cannot lose a race with a concurrent
            // change to the account and leave the old session alive.
            var stamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
            await db.Users.Where(u => u.Id == actor.UserId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, stamp).SetProperty(x => x.ConcurrencyStamp, Guid.NewGuid().ToString()), token);
            await audit.AppendAsync(actor.Event(AuditActions.StaffSignOut), token);
        }, cancellationToken);
}
