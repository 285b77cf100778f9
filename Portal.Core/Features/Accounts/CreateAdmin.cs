using Microsoft.AspNetCore.Identity;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// The first admin (the create-admin command): the account, its admin role and the entry saying
/// so commit together. A step Identity refuses (a weak password, an address already taken) leaves
/// no account behind, and an account never exists without its entry in the trail.
/// </summary>
public sealed class CreateAdminHandler(PortalDbContext db, UserManager<StaffUser> users, AuditTrail audit, TimeProvider clock)
{
    public async Task<IdentityResult> HandleAsync(string email, string name, string password, CancellationToken cancellationToken)
    {
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                if (await users.FindByEmailAsync(email) is not null)
                {
                    return IdentityResult.Failed(new IdentityError { Code = "Exists", Description = $"An account for {email} already exists." });
                }

                var user = new StaffUser
                {
                    UserName = email,
                    Email = email,
                    EmailConfirmed = true,
                    DisplayName = name,
                    CreatedAt = clock.GetUtcNow().UtcDateTime,
                };
                Refused.ThrowIfFailed(await users.CreateAsync(user, password));
                Refused.ThrowIfFailed(await users.AddToRoleAsync(user, StaffRoles.Admin));
                await audit.AppendAsync(AuditEvent.System(AuditActions.AdminCreated, subject: user.Id), token);
                return IdentityResult.Success;
            }, cancellationToken);
        }
        catch (Refused refused)
        {
            // Thrown inside the transaction so that what Identity had already saved rolls back.
            return refused.Result;
        }
    }

    private sealed class Refused(IdentityResult result) : Exception("Identity refused a step of creating the admin.")
    {
        public IdentityResult Result { get; } = result;

        public static void ThrowIfFailed(IdentityResult result)
        {
            if (!result.Succeeded)
            {
                throw new Refused(result);
            }
        }
    }
}
