using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Triage;

/// <summary>
/// A supervisor gives an open case to someone (<see cref="ToUserId"/>), or takes away its claim
/// (<see cref="ToUserId"/> null), and says why (<see cref="Reason"/>, kept in the trail).
/// <see cref="ExpectedHolderId"/> is who held it when the page was shown (null: nobody); the
/// change is made only if that is still so.
/// </summary>
public sealed record ReassignCase(Guid CaseId, string? ExpectedHolderId, string? ToUserId, string? Reason = null)
{
    public const int MinReasonLength = 5;

    public const int MaxReasonLength = 300;

    /// <summary>The reason as kept: trimmed; null when too short to say anything or longer than <see cref="MaxReasonLength"/> (refused, never cut).</summary>
    public string? KeptReason => Reason?.Trim() is { Length: >= MinReasonLength and <= MaxReasonLength } reason ? reason : null;

    /// <summary>A reason longer than <see cref="MaxReasonLength"/> characters, which only a hand-made form can send.</summary>
    public bool ReasonTooLong => Reason?.Trim().Length > MaxReasonLength;
}

public enum ReassignOutcome
{
    Reassigned,
    Released,
    NotFound,

    /// <summary>The claim changed since the page was shown (claimed, released, reassigned or decided).</summary>
    Stale,

    /// <summary>The case was already referred or closed.</summary>
    NotOpen,

    /// <summary>The chosen person is not an active volunteer or supervisor.</summary>
    NotAssignable,

    /// <summary>A release of a case nobody holds.</summary>
    NotClaimed,

    /// <summary>No reason given (at least <see cref="ReassignCase.MinReasonLength"/> characters): the volunteer who loses the case is owed one.</summary>
    ReasonMissing,

    /// <summary>A reason over <see cref="ReassignCase.MaxReasonLength"/> characters: refused rather than cut.</summary>
    ReasonTooLong,
}

public sealed record AssignableStaff(string Id, string DisplayName, string Email);

/// <summary>
/// A reassignment attempt as the audit trail records it: staff ids, never names (names change,
/// ids identify), null for nobody, and the supervisor's reason. The case timeline reads it back
/// to show the names. Entries written before reasons were asked have none.
/// </summary>
public sealed record AuditedReassignment(string? FromId, string? ToId, ReassignOutcome Outcome, string? Reason = null)
{
    private const string Nobody = "none";
    private const string ReasonPrefix = "reason=";

    public static AuditedReassignment Of(ReassignCase request, ReassignOutcome outcome) =>
        new(NullIfEmpty(request.ExpectedHolderId), NullIfEmpty(request.ToUserId), outcome, request.KeptReason);

    /// <summary>Null when the detail is not one this record wrote.</summary>
    public static AuditedReassignment? FromDetail(string? detail)
    {
        var parts = detail?.Split(' ', 4) ?? [];
        if (parts.Length is not (3 or 4)
            || !parts[0].StartsWith("from=", StringComparison.Ordinal)
            || !parts[1].StartsWith("to=", StringComparison.Ordinal)
            || !Enum.TryParse<ReassignOutcome>(parts[2], ignoreCase: false, out var outcome)
            || outcome.ToString() != parts[2]
            || (parts.Length == 4 && !parts[3].StartsWith(ReasonPrefix, StringComparison.Ordinal)))
        {
            return null;
        }

        return new(IdOrNull(parts[0]["from=".Length..]), IdOrNull(parts[1]["to=".Length..]), outcome, parts.Length == 4 ? parts[3][ReasonPrefix.Length..] : null);
    }

    public string ToDetail() => $"from={FromId ?? Nobody} to={ToId ?? Nobody} {Outcome}" + (Reason is null ? "" : " " + ReasonPrefix + Reason);

    private static string? NullIfEmpty(string? id) => string.IsNullOrEmpty(id) ? null : id;

    private static string? IdOrNull(string id) => id is "" or Nobody ? null : id;
}

/// <summary>
/// One conditional UPDATE (still open, still held by whom the supervisor saw) decides, so a
/// reassignment racing a claim, a release, a decision or another supervisor never overwrites
/// what the supervisor did not see. Every attempt is recorded, in the same transaction as its change.
/// </summary>
public sealed class ReassignCaseHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Gives the case to <see cref="ReassignCase.ToUserId"/>; no one chosen is not a release (that has its own action).</summary>
    public Task<ReassignOutcome> ReassignAsync(ReassignCase request, Actor actor, CancellationToken cancellationToken) =>
        HandleAsync(request, release: false, actor, cancellationToken);

    /// <summary>Takes the claim away from <paramref name="expectedHolderId"/>.</summary>
    public Task<ReassignOutcome> ReleaseAsync(Guid caseId, string? expectedHolderId, string? reason, Actor actor, CancellationToken cancellationToken) =>
        HandleAsync(new ReassignCase(caseId, expectedHolderId, null, reason), release: true, actor, cancellationToken);

    private Task<ReassignOutcome> HandleAsync(ReassignCase request, bool release, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var outcome = !release && string.IsNullOrEmpty(request.ToUserId) ? ReassignOutcome.NotAssignable
                : request.ReasonTooLong ? await ReasonRefusedAsync(request.CaseId, ReassignOutcome.ReasonTooLong, token)
                : request.KeptReason is null ? await ReasonRefusedAsync(request.CaseId, ReassignOutcome.ReasonMissing, token)
                : await ChangeAsync(request, token);
            await audit.AppendAsync(
                outcome == ReassignOutcome.NotFound
                    ? actor.Event(AuditActions.AccessDenied, subject: request.CaseId.ToString(), detail: "reassign")
                    : actor.Event(AuditActions.CaseReassigned, request.CaseId, detail: AuditedReassignment.Of(request, outcome).ToDetail()),
                token);
            return outcome;
        }, cancellationToken);

    private async Task<ReassignOutcome> ReasonRefusedAsync(Guid caseId, ReassignOutcome refusal, CancellationToken cancellationToken) =>
        await db.Cases.AnyAsync(c => c.Id == caseId, cancellationToken) ? refusal : ReassignOutcome.NotFound;

    private async Task<ReassignOutcome> ChangeAsync(ReassignCase request, CancellationToken cancellationToken)
    {
        var status = await db.Cases.AsNoTracking().Where(c => c.Id == request.CaseId).Select(c => (CaseStatus?)c.Status).FirstOrDefaultAsync(cancellationToken);
        if (status is null)
        {
            return ReassignOutcome.NotFound;
        }

        if (status is not (CaseStatus.Received or CaseStatus.InTriage))
        {
            return ReassignOutcome.NotOpen;
        }

        var expected = string.IsNullOrEmpty(request.ExpectedHolderId) ? null : request.ExpectedHolderId;
        var to = string.IsNullOrEmpty(request.ToUserId) ? null : request.ToUserId;
        if (to is null && expected is null)
        {
            return ReassignOutcome.NotClaimed;
        }

        if (to is not null && !(await AssignableAsync(to, cancellationToken)).Any(s => s.Id == to))
        {
            return ReassignOutcome.NotAssignable;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var open = db.Cases.Where(c => c.Id == request.CaseId
            && (c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
            && c.ClaimedById == expected);
        var changed = to is null
            ? await open.ExecuteUpdateAsync(c => c.SetProperty(x => x.ClaimedById, (string?)null).SetProperty(x => x.ClaimedAt, (DateTime?)null).SetProperty(x => x.UpdatedAt, now), cancellationToken)
            : await open.ExecuteUpdateAsync(c => c.SetProperty(x => x.ClaimedById, to).SetProperty(x => x.ClaimedAt, now).SetProperty(x => x.Status, CaseStatus.InTriage).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        if (changed == 1)
        {
            return to is null ? ReassignOutcome.Released : ReassignOutcome.Reassigned;
        }

        return ReassignOutcome.Stale;
    }

    /// <summary>Active (not disabled) volunteers and supervisors, by name; <paramref name="onlyId"/> narrows it to one.</summary>
    public async Task<IReadOnlyList<AssignableStaff>> AssignableAsync(string? onlyId, CancellationToken cancellationToken)
    {
        var rows = await (
            from u in db.Users
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where (r.Name == StaffRoles.Volunteer || r.Name == StaffRoles.Supervisor) && (onlyId == null || u.Id == onlyId)
            select new { u.Id, u.DisplayName, u.Email, u.LockoutEnd })
            .ToListAsync(cancellationToken);
        return rows
            .Where(u => u.LockoutEnd != StaffUser.DisabledUntil)
            .DistinctBy(u => u.Id)
            .Select(u => new AssignableStaff(u.Id, u.DisplayName, u.Email ?? ""))
            .OrderBy(u => u.DisplayName, StringComparer.CurrentCulture)
            .ThenBy(u => u.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
