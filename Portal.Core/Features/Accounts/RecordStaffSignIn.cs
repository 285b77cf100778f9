using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>How a step of a staff sign-in ended, as the trail keeps it.</summary>
public enum SignInStep
{
    /// <summary>Password (and, where asked, the second factor) accepted: signed in.</summary>
    SignedIn,

    /// <summary>A wrong password, an unknown address, or a wrong second factor.</summary>
    Failed,

    /// <summary>Password and code confirmed again before an export.</summary>
    Reauthenticated,

    /// <summary>That confirmation refused.</summary>
    ReauthenticationFailed,
}

/// <summary>
/// Records the steps of a staff sign-in. ASP.NET Core Identity checks the password and the code
/// (the web layer holds its sign-in manager); what the audit trail keeps of each attempt is this
/// use case's: who (when known) and from which address, never what was typed.
/// </summary>
public sealed class RecordStaffSignInHandler(AuditTrail audit)
{
    public Task RecordAsync(SignInStep step, Actor actor, string? detail, CancellationToken cancellationToken)
    {
        var action = step switch
        {
            SignInStep.SignedIn => AuditActions.StaffSignIn,
            SignInStep.Failed => AuditActions.StaffSignInFailed,
            SignInStep.Reauthenticated => AuditActions.StaffReauthenticated,
            SignInStep.ReauthenticationFailed => AuditActions.StaffReauthenticationFailed,
            _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
        };

        // Not the request's token: an attempt is recorded even if the browser went away.
        return audit.AppendAsync(actor.Event(action, detail: detail), CancellationToken.None);
    }
}
