using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

/// <summary>The email addresses of the active staff in a role, for alerts and digests.</summary>
public sealed class StaffRecipients(PortalDbContext db)
{
    public async Task<IReadOnlyList<string>> InRoleAsync(string role, CancellationToken cancellationToken)
    {
        var members = await (
            from user in db.Users
            join link in db.UserRoles on user.Id equals link.UserId
            join r in db.Roles on link.RoleId equals r.Id
            where r.Name == role && user.Email != null
            select new { user.Email, user.LockoutEnd }).ToListAsync(cancellationToken);

        // A disabled account is locked out for ever (see StaffUsersController) and gets no mail;
        // SQLite cannot compare DateTimeOffset, so that filter runs here.
        return members
            .Where(m => m.LockoutEnd != DateTimeOffset.MaxValue)
            .Select(m => m.Email)
            .OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
