using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

public sealed record PendingInvitation(Guid Id, string Email, IReadOnlyList<string> Roles, DateTime CreatedAt, DateTime ExpiresAt, bool Expired, DateTime? SentAt, bool DeliveryFailed);

/// <summary>Invitations neither accepted nor revoked, newest first; expired ones stay listed so they can be resent.</summary>
public sealed class PendingInvitationsHandler(PortalDbContext db, TimeProvider clock)
{
    public async Task<IReadOnlyList<PendingInvitation>> HandleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.StaffInvitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null && i.RevokedAt == null)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new { i.Id, i.Email, i.Roles, i.CreatedAt, i.ExpiresAt, i.SentAt, i.DeliveryFailed })
            .ToListAsync(cancellationToken);
        return rows.Select(i => new PendingInvitation(i.Id, i.Email, i.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries), i.CreatedAt, i.ExpiresAt, i.ExpiresAt <= now, i.SentAt, i.DeliveryFailed)).ToList();
    }
}

/// <summary>Withdraws a pending invitation: its link stops working at once. The withdrawal and its audit entry commit together.</summary>
public sealed class RevokeInvitationHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    public Task<InvitationOutcome> HandleAsync(Guid invitationId, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var revoked = await db.StaffInvitations
                .Where(i => i.Id == invitationId && i.AcceptedAt == null && i.RevokedAt == null)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.RevokedAt, now), token);
            if (revoked == 1)
            {
                await audit.AppendAsync(actor.Event(AuditActions.InvitationRevoked, subject: invitationId.ToString()), token);
                return InvitationOutcome.Revoked;
            }

            return await db.StaffInvitations.AnyAsync(i => i.Id == invitationId, token) ? InvitationOutcome.NotPending : InvitationOutcome.NotFound;
        }, cancellationToken);
}
