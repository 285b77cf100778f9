using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Audit;

/// <summary>Filters for the trail viewer; <see cref="Before"/> pages back from an entry id.</summary>
public sealed record ListAuditEntries(string? Action = null, string? CaseReference = null, AuditActor? ActorKind = null, long? Before = null);

public sealed record AuditRow(long Id, DateTime At, AuditActor ActorKind, string? Actor, string Action, string? CaseReference, string? Subject, string? Detail, string? IpAddress);

public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, long? OlderThan, IReadOnlyList<string> Actions);

/// <summary>The newest entries first, filtered, a page at a time. Staff are shown by email; victims by case only.</summary>
public sealed class ListAuditEntriesHandler(PortalDbContext db)
{
    public const int PageSize = 50;

    public async Task<AuditPage> HandleAsync(ListAuditEntries request, CancellationToken cancellationToken)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Action))
        {
            query = query.Where(e => e.Action == request.Action);
        }

        if (!string.IsNullOrWhiteSpace(request.CaseReference))
        {
            // A reference that names no case matches no entry (not the entries without a case).
            var caseId = CaseReference.TryNormalize(request.CaseReference, out var reference)
                ? await db.Cases.Where(c => c.Reference == reference).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken)
                : null;
            if (caseId is not { } id)
            {
                return new AuditPage([], null, await ActionsAsync(cancellationToken));
            }

            query = query.Where(e => e.CaseId == id);
        }

        if (request.ActorKind is { } kind)
        {
            query = query.Where(e => e.ActorKind == kind);
        }

        if (request.Before is { } before)
        {
            query = query.Where(e => e.Id < before);
        }

        var rows = await (
            from e in query.OrderByDescending(e => e.Id).Take(PageSize + 1)
            join u in db.Users on e.ActorId equals u.Id into users
            from u in users.DefaultIfEmpty()
            join c in db.Cases on e.CaseId equals c.Id into cases
            from c in cases.DefaultIfEmpty()
            orderby e.Id descending
            select new AuditRow(e.Id, e.At, e.ActorKind, u == null ? null : u.Email, e.Action, c == null ? null : c.Reference, e.Subject, e.Detail, e.IpAddress))
            .ToListAsync(cancellationToken);

        var hasOlder = rows.Count > PageSize;
        var page = hasOlder ? rows[..PageSize] : rows;
        return new AuditPage(page, hasOlder ? page[^1].Id : null, await ActionsAsync(cancellationToken));
    }

    private Task<List<string>> ActionsAsync(CancellationToken cancellationToken) =>
        db.AuditEntries.Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
}
