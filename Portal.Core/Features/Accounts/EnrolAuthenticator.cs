using Microsoft.AspNetCore.Identity;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>What the enrolment page shows: the key to add to an authenticator app, or that two-factor sign-in is on (and how many recovery codes are left).</summary>
public sealed record EnrolmentState(string Email, bool Enabled, string? SharedKey, int RecoveryCodesLeft = 0);

public enum EnrolmentOutcome
{
    Enabled,
    WrongCode,
    AlreadyEnabled,
    NoAccount,

    /// <summary>New recovery codes were asked for, but two-factor sign-in is off (there are none to replace).</summary>
    NotEnabled,
}

public sealed record EnrolmentResult(EnrolmentOutcome Outcome, StaffUser? User = null, IReadOnlyList<string>? RecoveryCodes = null);

/// <summary>
/// Setting up an authenticator app. The key is made the first time the page is opened and kept,
/// unchanged, until a code from it is confirmed. Making it leaves the security stamp alone: while
/// two-factor sign-in is off the key opens nothing, and a new stamp would end the very session
/// that is enrolling, since every request checks the stamp. Confirming turns two-factor sign-in
/// on, which does change the stamp and so ends any other session signed in with the password alone.
/// </summary>
public sealed class EnrolAuthenticatorHandler(PortalDbContext db, UserManager<StaffUser> users, IUserStore<StaffUser> store, AuditTrail audit)
{
    public const int RecoveryCodeCount = 10;

    /// <summary>The page's state for the member, with a key made now if they have none; null for no such account.</summary>
    public async Task<EnrolmentState?> StateAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return null;
        }

        var email = user.Email ?? user.UserName ?? "";
        if (user.TwoFactorEnabled)
        {
            return new EnrolmentState(email, true, null, await users.CountRecoveryCodesAsync(user));
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            var keys = store as IUserAuthenticatorKeyStore<StaffUser>
                ?? throw new InvalidOperationException("The user store keeps no authenticator keys.");
            await keys.SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(), cancellationToken);
            if (!(await users.UpdateAsync(user)).Succeeded)
            {
                // The page was opened twice at once and the other request stored its key first: show that one.
                db.ChangeTracker.Clear();
                user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException("The account went away during enrolment.");
            }

            key = await users.GetAuthenticatorKeyAsync(user);
        }

        return string.IsNullOrEmpty(key)
            ? throw new InvalidOperationException("No authenticator key could be stored.")
            : new EnrolmentState(email, false, key);
    }

    /// <summary>Turns two-factor sign-in on if the code comes from the member's key; gives recovery codes, shown once.</summary>
    public Task<EnrolmentResult> ConfirmAsync(StaffActor actor, string? code, CancellationToken cancellationToken) =>
        // Two-factor turned on, its recovery codes and the entry saying so commit together.
        db.InTransactionAsync(token => ConfirmInTransactionAsync(actor, code, token), cancellationToken);

    private async Task<EnrolmentResult> ConfirmInTransactionAsync(StaffActor actor, string? code, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(actor.UserId);
        if (user is null)
        {
            return new(EnrolmentOutcome.NoAccount);
        }

        if (await RefusalAsync(user, code, twoFactorOn: false) is { } refused)
        {
            return refused;
        }

        var enabled = await users.SetTwoFactorEnabledAsync(user, true);
        if (!enabled.Succeeded)
        {
            throw new InvalidOperationException("Two-factor sign-in could not be turned on: " + string.Join(", ", enabled.Errors.Select(e => e.Code)));
        }

        return await NewRecoveryCodesAsync(actor, user, AuditActions.TwoFactorEnabled, cancellationToken);
    }

    /// <summary>
    /// New recovery codes for a member with two-factor sign-in on (the page with the old ones was
    /// lost, or most are used), against a current code from their app; the old codes stop working.
    /// The codes and the entry saying so commit together.
    /// </summary>
    public Task<EnrolmentResult> ReplaceRecoveryCodesAsync(StaffActor actor, string? code, CancellationToken cancellationToken) =>
        db.InTransactionAsync(token => ReplaceInTransactionAsync(actor, code, token), cancellationToken);

    private async Task<EnrolmentResult> ReplaceInTransactionAsync(StaffActor actor, string? code, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(actor.UserId);
        if (user is null)
        {
            return new(EnrolmentOutcome.NoAccount);
        }

        return await RefusalAsync(user, code, twoFactorOn: true)
            ?? await NewRecoveryCodesAsync(actor, user, AuditActions.RecoveryCodesReplaced, cancellationToken);
    }

    /// <summary>Why the step cannot go on (two-factor sign-in is not as it needs, or the code is not from the app); null when it can.</summary>
    private async Task<EnrolmentResult?> RefusalAsync(StaffUser user, string? code, bool twoFactorOn)
    {
        if (user.TwoFactorEnabled != twoFactorOn)
        {
            return new(twoFactorOn ? EnrolmentOutcome.NotEnabled : EnrolmentOutcome.AlreadyEnabled, user);
        }

        return await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code ?? "")
            ? null
            : new(EnrolmentOutcome.WrongCode, user);
    }

    /// <summary>Recovery codes (the old ones stop working) and the entry saying why they were made.</summary>
    private async Task<EnrolmentResult> NewRecoveryCodesAsync(StaffActor actor, StaffUser user, string action, CancellationToken cancellationToken)
    {
        var recoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToList()
            ?? throw new InvalidOperationException("No recovery codes were made.");
        await audit.AppendAsync(actor.Event(action), cancellationToken);
        return new(EnrolmentOutcome.Enabled, user, recoveryCodes);
    }
}
