using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

public sealed record AcceptInvitation
{
    public string? Token { get; init; }

    public string? Name { get; init; }

    public string? Password { get; init; }

    public string? ConfirmPassword { get; init; }
}

/// <summary>The form's own rules; Identity's password rules are checked by the handler.</summary>
public sealed class AcceptInvitationValidator : AbstractValidator<AcceptInvitation>
{
    public AcceptInvitationValidator()
    {
        RuleFor(a => a.Name).Cascade(CascadeMode.Stop)
            .Must(name => !string.IsNullOrWhiteSpace(name)).WithErrorCode("Invitation.Name.Required").WithMessage("Enter your name as colleagues will see it.")
            .Must(name => name!.Trim().Length <= 100).WithErrorCode("Invitation.Name.TooLong").WithMessage("Names are at most 100 characters.")
            .Must(DisplayText.AllShown).WithErrorCode("Invitation.Name.Invisible").WithMessage("Names cannot contain invisible or text-direction characters.");
        RuleFor(a => a.Password).NotEmpty().WithErrorCode("Invitation.Password.Required").WithMessage("Choose a password.");
        RuleFor(a => a.ConfirmPassword).Equal(a => a.Password).When(a => !string.IsNullOrEmpty(a.Password))
            .WithErrorCode("Invitation.Password.Mismatch").WithMessage("The two passwords are not the same.");
    }
}

/// <summary>An invitation that can still be accepted.</summary>
public sealed record OpenInvitation(Guid Id, string Email, IReadOnlyList<string> Roles);

public enum AcceptOutcome
{
    Accepted,

    /// <summary>Unknown, used, revoked or expired: one answer for all, the page says which none of them.</summary>
    Invalid,

    /// <summary>Identity's password rules refused the password; nothing was used up.</summary>
    PasswordRejected,

    /// <summary>Someone created an account for this address after the invitation was sent.</summary>
    AccountExists,
}

public sealed record AcceptResult(AcceptOutcome Outcome, StaffUser? User = null, OpenInvitation? Invitation = null, IReadOnlyList<IdentityError>? PasswordErrors = null);

/// <summary>
/// Turns an invitation into an account. The password is checked before anything changes, so a
/// weak one costs nothing. Then, in one transaction, a conditional UPDATE marks the invitation
/// used (only if it is still unused, unrevoked, unexpired and carries this token) and the
/// account is created with the invited roles: two parallel accepts of one link cannot both win,
/// and a failure after the mark leaves the invitation unused. The acceptance and the new member's
/// first sign-in (the caller signs them in once this returns) are recorded in that transaction.
/// A link works only once its sending is recorded (sent, or tried and failed), which commits with
/// the admin's audit entry: a link emailed by a run that then could not write that entry (a crash,
/// a full disk) grants no roles the trail never saw being granted.
/// </summary>
public sealed class AcceptInvitationHandler(PortalDbContext db, UserManager<StaffUser> users, AuditTrail audit, TimeProvider clock)
{
    public async Task<OpenInvitation?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (!InvitationTokens.TryHash(token, out var hash))
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.StaffInvitations.AsNoTracking()
            .Where(i => i.TokenHash == hash && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now && (i.SentAt != null || i.DeliveryFailed))
            .Select(i => new { i.Id, i.Email, i.Roles })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : new OpenInvitation(found.Id, found.Email, found.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Accepts for the <paramref name="actor"/>: the invitee, known by address only until the account exists.</summary>
    public async Task<AcceptResult> HandleAsync(AcceptInvitation request, Actor actor, CancellationToken cancellationToken)
    {
        var invitation = await FindAsync(request.Token, cancellationToken);
        if (invitation is null || request.Password is null)
        {
            return new(AcceptOutcome.Invalid);
        }

        if (await users.FindByEmailAsync(invitation.Email) is not null)
        {
            // The account and the invitation's use commit together: if this very invitation
            // created it a moment ago (a parallel accept), that is a used link, not a clash.
            return await FindAsync(request.Token, cancellationToken) is null
                ? new(AcceptOutcome.Invalid)
                : new(AcceptOutcome.AccountExists, Invitation: invitation);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var user = new StaffUser
        {
            UserName = invitation.Email,
            Email = invitation.Email,
            EmailConfirmed = true,
            DisplayName = request.Name?.Trim() ?? "",
            CreatedAt = now,
        };
        var passwordErrors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            passwordErrors.AddRange((await validator.ValidateAsync(users, user, request.Password)).Errors);
        }

        if (passwordErrors.Count > 0)
        {
            return new(AcceptOutcome.PasswordRejected, Invitation: invitation, PasswordErrors: passwordErrors);
        }

        var hash = InvitationTokens.Hash(request.Token ?? "");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var taken = await db.StaffInvitations
            .Where(i => i.Id == invitation.Id && i.TokenHash == hash && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now && (i.SentAt != null || i.DeliveryFailed))
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.AcceptedAt, now), cancellationToken);
        if (taken != 1)
        {
            return new(AcceptOutcome.Invalid);
        }

        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            if (created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)))
            {
                return new(AcceptOutcome.AccountExists, Invitation: invitation);
            }

            throw new InvalidOperationException("The invited account could not be created: " + string.Join(", ", created.Errors.Select(e => e.Code)));
        }

        var roles = invitation.Roles.Where(StaffRoles.All.Contains).ToList();
        var granted = await users.AddToRolesAsync(user, roles);
        if (!granted.Succeeded)
        {
            throw new InvalidOperationException("The invited roles could not be granted: " + string.Join(", ", granted.Errors.Select(e => e.Code)));
        }

        await db.StaffInvitations.Where(i => i.Id == invitation.Id)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.AcceptedUserId, user.Id), cancellationToken);
        var member = actor is Actor.StaffMember staff ? staff with { UserId = user.Id } : Actor.Staff(user.Id, null);
        await audit.AppendManyAsync(
            [
                member.Event(AuditActions.InvitationAccepted, subject: invitation.Id.ToString(), detail: string.Join(",", roles)),
                member.Event(AuditActions.StaffSignIn, detail: "invitation"),
            ],
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new(AcceptOutcome.Accepted, user, invitation with { Roles = roles });
    }
}
