using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Triage;

public enum ClaimOutcome
{
    Claimed,
    HeldBySomeoneElse,
    NotFound,
}

public enum ReleaseOutcome
{
    Released,

    /// <summary>Nobody held it any more (released before: a second click, another tab, a supervisor): nothing to do.</summary>
    AlreadyFree,

    /// <summary>Someone else holds it now: nothing changed.</summary>
    HeldBySomeoneElse,

    NotFound,
}

/// <summary>
/// Takes a case for one volunteer. A single conditional UPDATE (free, lapsed, or already mine)
/// decides, so two volunteers racing for the same case can never both hold it, on either database.
/// The claim and its audit entry (a refused claim is recorded too) commit together.
/// </summary>
public sealed class ClaimCaseHandler(PortalDbContext db, AuditTrail audit, IOptions<TriageOptions> options, TimeProvider clock)
{
    public Task<ClaimOutcome> HandleAsync(Guid caseId, Actor actor, CancellationToken cancellationToken)
    {
        var userId = StaffIdOf(actor);
        return db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var lapsed = now - options.Value.ClaimLapse;
            var taken = await db.Cases
                .Where(c => c.Id == caseId
                    && (c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
                    && (c.ClaimedById == null || c.ClaimedAt <= lapsed || c.ClaimedById == userId))
                .ExecuteUpdateAsync(
                    c => c.SetProperty(x => x.ClaimedById, userId)
                        .SetProperty(x => x.ClaimedAt, now)
                        .SetProperty(x => x.Status, CaseStatus.InTriage)
                        .SetProperty(x => x.UpdatedAt, now),
                    token);
            var outcome = taken == 1 ? ClaimOutcome.Claimed
                : await db.Cases.AnyAsync(c => c.Id == caseId, token) ? ClaimOutcome.HeldBySomeoneElse
                : ClaimOutcome.NotFound;
            if (outcome != ClaimOutcome.NotFound)
            {
                await audit.AppendAsync(actor.Event(AuditActions.CaseClaimed, caseId, detail: outcome.ToString()), token);
            }

            return outcome;
        }, cancellationToken);
    }

    /// <summary>Gives a case back to the queue; only its holder can. The release and its entry commit together.</summary>
    public Task<ReleaseOutcome> ReleaseAsync(Guid caseId, Actor actor, CancellationToken cancellationToken)
    {
        var userId = StaffIdOf(actor);
        return db.InTransactionAsync(async token =>
        {
            var released = await db.Cases
                .Where(c => c.Id == caseId && c.ClaimedById == userId)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.ClaimedById, (string?)null).SetProperty(x => x.ClaimedAt, (DateTime?)null), token) == 1;
            if (released)
            {
                await audit.AppendAsync(actor.Event(AuditActions.CaseReleased, caseId), token);
                return ReleaseOutcome.Released;
            }

            var holder = await db.Cases.Where(c => c.Id == caseId).Select(c => new { c.ClaimedById }).FirstOrDefaultAsync(token);
            return holder is null ? ReleaseOutcome.NotFound
                : holder.ClaimedById is null ? ReleaseOutcome.AlreadyFree
                : ReleaseOutcome.HeldBySomeoneElse;
        }, cancellationToken);
    }

    /// <summary>Whether someone other than <paramref name="userId"/> holds a live claim on the case (one that has not lapsed).</summary>
    public static bool HeldByAnother(Case entity, string userId, DateTime now, TimeSpan claimLapse) =>
        LiveHolder(entity, now, claimLapse) is { } holder && holder != userId;

    /// <summary>Who holds a live claim on the case, or null when it is unclaimed or its claim has lapsed.</summary>
    public static string? LiveHolder(Case entity, DateTime now, TimeSpan claimLapse) =>
        entity.ClaimedById is not null && entity.ClaimedAt > now - claimLapse ? entity.ClaimedById : null;

    internal static string StaffIdOf(Actor actor) =>
        actor.StaffId ?? throw new ArgumentException("Only a signed-in staff member works cases.", nameof(actor));
}
