using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

public sealed record InviteStaff
{
    public string? Email { get; init; }

    public string[] Roles { get; init; } = [];

    /// <summary>The language of the invitation email.</summary>
    public string? Language { get; init; }
}

public sealed class InviteStaffValidator : AbstractValidator<InviteStaff>
{
    public InviteStaffValidator(IOptions<IdentityOptions> identity)
    {
        // The address becomes the user name, so it must also pass Identity's user-name rule.
        var allowed = identity.Value.User.AllowedUserNameCharacters;
        RuleFor(i => i.Email).Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("Invitation.Email.Required").WithMessage("Enter the email address to invite.")
            .Must(email => IsPlainAddress(email, allowed)).WithErrorCode("Invitation.Email.Invalid").WithMessage("Enter a valid email address.");
        RuleFor(i => i.Roles)
            .Must(roles => roles.Length > 0 && roles.All(StaffRoles.All.Contains)).WithErrorCode("Invitation.Roles.Required").WithMessage("Choose at least one role.");
        RuleFor(i => i.Language)
            .Must(language => language is not null && EmailComposer.Languages.Contains(language)).WithErrorCode("Invitation.Language.Required").WithMessage("Choose the language of the email.");
    }

    private static bool IsPlainAddress(string? email, string allowed)
    {
        var trimmed = email?.Trim() ?? "";
        return trimmed.Length <= 256
            && PlainEmailAddress.Parse(trimmed) is not null
            && (allowed.Length == 0 || trimmed.All(allowed.Contains));
    }
}

public enum InvitationOutcome
{
    /// <summary>Stored and handed to the mail server.</summary>
    Sent,

    /// <summary>Stored, but the email could not be sent; the admin can resend.</summary>
    NotDelivered,

    AlreadyHasAccount,

    /// <summary>A live invitation to this address exists: resend or revoke it instead.</summary>
    AlreadyInvited,

    NotFound,

    /// <summary>Accepted or revoked already.</summary>
    NotPending,

    Revoked,
}

public sealed record InvitationResult(InvitationOutcome Outcome, Guid? InvitationId = null);

/// <summary>The one-time secret in an invitation link: 256 random bits, kept only as SHA-256.</summary>
public static class InvitationTokens
{
    /// <summary>Base64url of 32 bytes is 43 characters; anything far longer is not a token.</summary>
    private const int MaxLength = 64;

    public static (string Token, byte[] Hash) New()
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    /// <summary>
    /// A plain hash is enough: at 256 bits a token cannot be guessed, so a slow or keyed hash
    /// would add nothing; the database alone never holds a working link.
    /// </summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool TryHash(string? token, out byte[] hash)
    {
        hash = [];
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        hash = Hash(token);
        return true;
    }
}

/// <summary>
/// Invites someone to the staff by email. The row is committed before the email goes, so a
/// mail server that is down loses nothing: the invitation stays pending, marked undelivered,
/// and the admin resends it. A resend draws a new token (the old link stops working) and
/// starts the lifetime again. Inviting an address again while its invitation is live is
/// refused; once that invitation has expired or been revoked, the new one takes over its row.
/// Whether the email went is recorded on the invitation together with the audit entry that says
/// so (admin.invitation-sent / -resent, with the roles granted). Until then its link does not
/// work (AcceptInvitationHandler), since the row and its new link commit before the email is tried.
/// </summary>
public sealed class InviteStaffHandler(
    PortalDbContext db,
    UserManager<StaffUser> users,
    EmailComposer composer,
    IEmailSender sender,
    AuditTrail audit,
    IOptions<InvitationOptions> options,
    TimeProvider clock,
    ILogger<InviteStaffHandler> logger)
{
    public async Task<InvitationResult> InviteAsync(InviteStaff request, Actor actor, CancellationToken cancellationToken)
    {
        var adminId = actor.StaffId ?? throw new ArgumentException("Only an admin invites staff.", nameof(actor));
        var email = request.Email?.Trim() ?? throw new ArgumentException("Validate the request first.", nameof(request));
        var normalized = users.NormalizeEmail(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized || u.NormalizedUserName == normalized, cancellationToken))
        {
            return new(InvitationOutcome.AlreadyHasAccount);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.StaffInvitations.AnyAsync(i => i.NormalizedEmail == normalized && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken))
        {
            return new(InvitationOutcome.AlreadyInvited);
        }

        var (token, hash) = InvitationTokens.New();
        var invitation = new StaffInvitation
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            NormalizedEmail = normalized,
            Roles = string.Join(',', StaffRoles.All.Where(request.Roles.Contains)),
            Language = request.Language ?? "en",
            TokenHash = hash,
            CreatedAt = now,
            ExpiresAt = now + options.Value.Lifetime,
            InvitedById = adminId,
        };
        var earlier = await db.StaffInvitations.AsNoTracking()
            .Where(i => i.NormalizedEmail == normalized && i.AcceptedAt == null)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => (Guid?)i.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (earlier is { } earlierId)
        {
            if (!await RenewAsync(earlierId, invitation, cancellationToken))
            {
                // Another admin renewed it (or it was used) a moment ago.
                return new(InvitationOutcome.AlreadyInvited);
            }

            invitation.Id = earlierId;
        }
        else
        {
            db.StaffInvitations.Add(invitation);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(invitation).State = EntityState.Detached;
        }

        var delivered = await SendAsync(invitation, token, cancellationToken);
        await RecordDeliveryAsync(invitation.Id, delivered, actor.Event(AuditActions.InvitationSent, subject: invitation.Id.ToString(), detail: Detail(request.Roles, delivered)));
        return new(Outcome(delivered), invitation.Id);
    }

    /// <summary>
    /// Gives an expired or revoked invitation the new one's link, roles, inviter and lifetime, so
    /// the admins' list shows one invitation per address; the audit trail keeps what each earlier
    /// invitation was. Conditional: false when it came alive again or was used meanwhile.
    /// Other dead invitations to the address (from before renewal existed) leave the list as revoked.
    /// </summary>
    private async Task<bool> RenewAsync(Guid earlierId, StaffInvitation renewed, CancellationToken cancellationToken)
    {
        var now = renewed.CreatedAt;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.StaffInvitations
            .Where(i => i.Id == earlierId && i.AcceptedAt == null && (i.RevokedAt != null || i.ExpiresAt <= now))
            .ExecuteUpdateAsync(
                i => i.SetProperty(x => x.Email, renewed.Email)
                    .SetProperty(x => x.Roles, renewed.Roles)
                    .SetProperty(x => x.Language, renewed.Language)
                    .SetProperty(x => x.TokenHash, renewed.TokenHash)
                    .SetProperty(x => x.CreatedAt, renewed.CreatedAt)
                    .SetProperty(x => x.ExpiresAt, renewed.ExpiresAt)
                    .SetProperty(x => x.InvitedById, renewed.InvitedById)
                    .SetProperty(x => x.SentAt, (DateTime?)null)
                    .SetProperty(x => x.DeliveryFailed, false)
                    .SetProperty(x => x.RevokedAt, (DateTime?)null),
                cancellationToken);
        if (changed != 1)
        {
            return false;
        }

        await db.StaffInvitations
            .Where(i => i.NormalizedEmail == renewed.NormalizedEmail && i.Id != earlierId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt <= now)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.RevokedAt, now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<InvitationResult> ResendAsync(Guid invitationId, Actor actor, CancellationToken cancellationToken)
    {
        var (token, hash) = InvitationTokens.New();
        var now = clock.GetUtcNow().UtcDateTime;
        var expires = now + options.Value.Lifetime;
        var renewed = await db.StaffInvitations
            .Where(i => i.Id == invitationId && i.AcceptedAt == null && i.RevokedAt == null)
            .ExecuteUpdateAsync(
                i => i.SetProperty(x => x.TokenHash, hash).SetProperty(x => x.ExpiresAt, expires)
                    .SetProperty(x => x.SentAt, (DateTime?)null).SetProperty(x => x.DeliveryFailed, false),
                cancellationToken);
        if (renewed == 0)
        {
            var exists = await db.StaffInvitations.AnyAsync(i => i.Id == invitationId, cancellationToken);
            return new(exists ? InvitationOutcome.NotPending : InvitationOutcome.NotFound, invitationId);
        }

        var invitation = await db.StaffInvitations.AsNoTracking().SingleAsync(i => i.Id == invitationId, cancellationToken);
        var delivered = await SendAsync(invitation, token, cancellationToken);
        await RecordDeliveryAsync(invitationId, delivered, actor.Event(AuditActions.InvitationResent, subject: invitationId.ToString(), detail: Detail([], delivered)));
        return new(Outcome(delivered), invitationId);
    }

    private static InvitationOutcome Outcome(bool delivered) => delivered ? InvitationOutcome.Sent : InvitationOutcome.NotDelivered;

    /// <summary>What the audit keeps: whether the email went, and the roles an invitation grants.</summary>
    private static string Detail(IEnumerable<string> roles, bool delivered)
    {
        var delivery = delivered ? "delivered" : "undelivered";
        var granted = string.Join(",", roles);
        return granted.Length == 0 ? delivery : $"{delivery}; roles={granted}";
    }

    /// <summary>
    /// Recorded even if the admin's request is cancelled now: the email has or has not gone. The
    /// mark and the entry saying so commit together.
    /// </summary>
    private Task RecordDeliveryAsync(Guid invitationId, bool delivered, AuditEvent audited) =>
        db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var mark = db.StaffInvitations.Where(i => i.Id == invitationId);
            if (delivered)
            {
                await mark.ExecuteUpdateAsync(i => i.SetProperty(x => x.SentAt, now).SetProperty(x => x.DeliveryFailed, false), token);
            }
            else
            {
                await mark.ExecuteUpdateAsync(i => i.SetProperty(x => x.DeliveryFailed, true), token);
            }

            await audit.AppendAsync(audited, token);
        }, CancellationToken.None);

    private async Task<bool> SendAsync(StaffInvitation invitation, string token, CancellationToken cancellationToken)
    {
        // The link's token: a resend draws a new one, and is a new message since the old link stops working.
        var about = $"{invitation.Id}/{Convert.ToHexStringLower(invitation.TokenHash)}";
        var message = composer.Compose(EmailTemplates.StaffInvitation, invitation.Language, [invitation.Email], about, new Dictionary<string, string>
        {
            ["Link"] = composer.Link(PortalRoutes.AccountInvitation(token)),
            ["Expires"] = invitation.ExpiresAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        });

        try
        {
            await sender.SendAsync(message, cancellationToken);
            return true;
        }
        catch (EmailDeliveryException exception)
        {
            logger.LogWarning("The email for staff invitation {InvitationId} could not be sent ({Error}); it stays pending for a resend", invitation.Id, exception.Message);
            return false;
        }
    }
}
