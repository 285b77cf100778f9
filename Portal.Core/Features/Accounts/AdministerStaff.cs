using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

public enum StaffChangeOutcome
{
    Changed,
    NotFound,

    /// <summary>Identity refused a step; nothing was changed and nothing recorded.</summary>
    Refused,
}

/// <summary>The outcome, and for a refusal Identity's error codes (ConcurrencyFailure, InvalidEmail...).</summary>
public sealed record StaffChangeResult(StaffChangeOutcome Outcome, IReadOnlyList<string> RefusedBecause)
{
    /// <summary>Refused before Identity was asked: no role, or one the portal does not have.</summary>
    public const string RoleRequired = "RoleRequired";

    /// <summary>Refused before Identity was asked: no organisation the portal has (deleted since the page was shown, or made up).</summary>
    public const string PartnerUnknown = "PartnerUnknown";

    public static readonly StaffChangeResult Changed = new(StaffChangeOutcome.Changed, []);
    public static readonly StaffChangeResult NotFound = new(StaffChangeOutcome.NotFound, []);
}

/// <summary>
/// Admins assign roles, link partner staff to their organisation, disable or enable accounts and
/// reset a member's two-factor sign-in.
/// Each change is Identity's steps plus a new security stamp (stamps are checked on every
/// request, so the member's open session sees the change on its next request), in one
/// transaction. Every Identity result is checked: if one step is refused, the transaction rolls
/// back, the refusal is returned for the page to show, and the audit trail records only changes
/// that were made.
/// </summary>
public sealed class AdministerStaffHandler(PortalDbContext db, UserManager<StaffUser> users, IUserStore<StaffUser> store, AuditTrail audit)
{
    public async Task<StaffChangeResult> SetRolesAsync(StaffActor admin, string userId, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        // As when inviting: at least one role, and only roles the portal has. An account without a
        // role is disabled, not stripped; a role nobody offered is refused, not dropped unnoticed.
        var wanted = roles.ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0 || !wanted.All(StaffRoles.All.Contains))
        {
            return new StaffChangeResult(StaffChangeOutcome.Refused, [StaffChangeResult.RoleRequired]);
        }

        if (userId == admin.UserId)
        {
            // An admin cannot take away their own admin role and lock everyone out.
            wanted.Add(StaffRoles.Admin);
        }

        var granted = string.Join(",", wanted.Order(StringComparer.Ordinal));
        return await ChangeAsync(admin, userId, AuditActions.RolesChanged, granted, async user =>
        {
            var current = await users.GetRolesAsync(user);
            return [await users.RemoveFromRolesAsync(user, current.Except(wanted)), await users.AddToRolesAsync(user, wanted.Except(current))];
        }, cancellationToken);
    }

    /// <summary>The partner organisation whose referrals a counsellor or police officer sees; null for none.</summary>
    public async Task<StaffChangeResult> SetPartnerAsync(StaffActor admin, string userId, long? partnerId, CancellationToken cancellationToken)
    {
        if (partnerId is { } id && !await db.Partners.AnyAsync(p => p.Id == id, cancellationToken))
        {
            return new StaffChangeResult(StaffChangeOutcome.Refused, [StaffChangeResult.PartnerUnknown]);
        }

        return await ChangeAsync(admin, userId, AuditActions.StaffPartnerSet, partnerId is null ? "none" : $"partner {partnerId}", async user =>
        {
            user.PartnerId = partnerId;
            return [await users.UpdateAsync(user)];
        }, cancellationToken);
    }

    /// <summary>Disabling locks the account until the end of time; an admin cannot disable themselves.</summary>
    public async Task<StaffChangeResult> SetDisabledAsync(StaffActor admin, string userId, bool disabled, CancellationToken cancellationToken)
    {
        if (userId == admin.UserId)
        {
            return StaffChangeResult.NotFound;
        }

        return await ChangeAsync(admin, userId, disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, null, async user =>
        [
            await users.SetLockoutEnabledAsync(user, true),
            await users.SetLockoutEndDateAsync(user, disabled ? StaffUser.DisabledUntil : null),
        ], cancellationToken);
    }

    /// <summary>
    /// For a member who has lost their phone and their recovery codes: two-factor sign-in goes off,
    /// with a new key nobody has seen and no recovery codes, and their sessions end. At their next
    /// sign-in they set up their app again before they see anything. Not for oneself: one's own
    /// recovery codes are for that, and another admin can do it.
    /// </summary>
    public async Task<StaffChangeResult> ResetTwoFactorAsync(StaffActor admin, string userId, CancellationToken cancellationToken)
    {
        if (userId == admin.UserId)
        {
            return StaffChangeResult.NotFound;
        }

        var codes = store as IUserTwoFactorRecoveryCodeStore<StaffUser>
            ?? throw new InvalidOperationException("The user store keeps no recovery codes.");
        return await ChangeAsync(admin, userId, AuditActions.TwoFactorReset, null, async user =>
        {
            await codes.ReplaceCodesAsync(user, [], cancellationToken);
            return [await users.SetTwoFactorEnabledAsync(user, false), await users.ResetAuthenticatorKeyAsync(user)];
        }, cancellationToken);
    }

    private async Task<StaffChangeResult> ChangeAsync(StaffActor admin, string userId, string action, string? detail, Func<StaffUser, Task<IdentityResult[]>> change, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return StaffChangeResult.NotFound;
        }

        var refused = new List<string>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Identity saves after each step; a refused step saves nothing, and what it changed
            // in memory is dropped with the rest below, so no later save can commit it.
            foreach (var step in await change(user))
            {
                refused.AddRange(step.Errors.Select(e => e.Code));
            }

            if (refused.Count == 0)
            {
                refused.AddRange((await users.UpdateSecurityStampAsync(user)).Errors.Select(e => e.Code));
            }

            if (refused.Count > 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return new StaffChangeResult(StaffChangeOutcome.Refused, refused.Distinct(StringComparer.Ordinal).ToList());
            }

            // The entry commits with the change: a change nobody can see in the trail is never kept.
            await audit.AppendAsync(admin.Event(action, subject: user.Id, detail: detail), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return StaffChangeResult.Changed;
    }
}
