using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Features.Triage;

/// <summary>Filters a volunteer can set on the queue; all optional.</summary>
public sealed record TriageQueueQuery(CaseStatus? Status = null, CasePriority? Priority = null, string? Language = null, bool? Under18 = null, bool ClaimedByMe = false, int Page = 1);

public sealed record QueueItem(
    Guid Id,
    string Reference,
    CaseStatus Status,
    CasePriority Priority,
    string Language,
    bool IsUnder18,
    DateTime CreatedAt,
    TimeSpan Waiting,
    string? ClaimedBy,
    bool ClaimedByMe,
    bool Overdue);

public sealed record TriageQueue(IReadOnlyList<QueueItem> Items, IReadOnlyDictionary<CasePriority, int> OpenByPriority, bool HasNextPage, int Page);

/// <summary>
/// Open cases, most pressing first, then longest waiting, read straight off the partial
/// IX_Cases_Queue index. Counts per priority ignore the filters, so the volunteer always sees
/// the whole load; they are shared for a few seconds between requests, since counting tens of
/// thousands of open cases on every page view of every volunteer is what made the page slow.
/// Reads only queue columns: no case content.
/// </summary>
public sealed class TriageQueueHandler(PortalDbContext db, IOptions<TriageOptions> options, TimeProvider clock, IMemoryCache cache)
{
    private static readonly TimeSpan CountsFreshFor = TimeSpan.FromSeconds(5);

    public const int PageSize = 50;

    public async Task<TriageQueue> HandleAsync(TriageQueueQuery query, string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lapsed = now - options.Value.ClaimLapse;
        // Spelled as two equalities (not a parameterised list) so the SQL matches the partial index's filter.
        var open = db.Cases.AsNoTracking().Where(c => c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage);

        var counts = await cache.GetOrCreateAsync("triage-queue-counts", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CountsFreshFor;
            var rows = await open.GroupBy(c => c.Priority).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            return Enum.GetValues<CasePriority>().ToDictionary(p => p, p => rows.FirstOrDefault(r => r.Key == p)?.Count ?? 0);
        }) ?? [];

        var filtered = open;
        if (query.Status is { } status)
        {
            filtered = filtered.Where(c => c.Status == status);
        }

        if (query.Priority is { } priority)
        {
            filtered = filtered.Where(c => c.Priority == priority);
        }

        if (!string.IsNullOrWhiteSpace(query.Language))
        {
            filtered = filtered.Where(c => c.Language == query.Language);
        }

        if (query.Under18 is { } under18)
        {
            filtered = filtered.Where(c => c.IsUnder18 == under18);
        }

        if (query.ClaimedByMe)
        {
            filtered = filtered.Where(c => c.ClaimedById == userId && c.ClaimedAt > lapsed);
        }

        // Clamped so that the offset cannot overflow and wrap round to the first page.
        var page = Math.Clamp(query.Page, 1, int.MaxValue / PageSize);
        var rows = await (
            from c in filtered.OrderByDescending(c => c.Priority).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id).Skip((page - 1) * PageSize).Take(PageSize + 1)
            join u in db.Users on c.ClaimedById equals u.Id into claimers
            from u in claimers.DefaultIfEmpty()
            orderby c.Priority descending, c.CreatedAt, c.Id
            select new { c.Id, c.Reference, c.Status, c.Priority, c.Language, c.IsUnder18, c.CreatedAt, c.ClaimedById, c.ClaimedAt, Claimer = u == null ? null : u.DisplayName })
            .ToListAsync(cancellationToken);

        var items = rows.Take(PageSize).Select(r =>
        {
            var claimed = r.ClaimedById is not null && r.ClaimedAt > lapsed;
            var waiting = now - r.CreatedAt;
            var overdue = !claimed && ((r.Priority == CasePriority.Urgent && waiting >= options.Value.UrgentUnclaimedFlag)
                || (r.Priority == CasePriority.High && waiting >= options.Value.HighUnclaimedFlag));
            return new QueueItem(r.Id, r.Reference, r.Status, r.Priority, r.Language, r.IsUnder18, r.CreatedAt, waiting,
                claimed ? r.Claimer : null, claimed && r.ClaimedById == userId, overdue);
        }).ToList();

        return new TriageQueue(items, counts, rows.Count > PageSize, page);
    }
}
