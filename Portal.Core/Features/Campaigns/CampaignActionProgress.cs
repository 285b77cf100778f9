using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Campaigns;

public sealed record CampaignActionSummary(long Id, CampaignActionKind Kind, CampaignActionState State, DateTime RequestedAt, int Total, int Applied, int Skipped);

/// <summary>Where a campaign action stands, and the cases it skipped and why (the first <see cref="CampaignActionProgressQuery.SkippedListed"/>).</summary>
public sealed record CampaignActionProgress(
    long Id,
    Guid CampaignId,
    string CampaignReference,
    CampaignActionKind Kind,
    TriageRoute? Route,
    string? ReplyTitle,
    string? Note,
    string? RequestedBy,
    DateTime RequestedAt,
    CampaignActionState State,
    DateTime? FinishedAt,
    int Total,
    int Applied,
    int Skipped,
    IReadOnlyList<OutcomeCount> Skips,
    IReadOnlyList<CampaignActionCasePreview> SkippedCases)
{
    public int Done => Applied + Skipped;
}

/// <summary>A campaign action's progress, read from its own row (one short read, so the page can be reloaded while it runs) and its skipped cases.</summary>
public sealed class CampaignActionProgressQuery(PortalDbContext db)
{
    public const int SkippedListed = 200;

    /// <summary>Null when the action does not exist or belongs to another campaign.</summary>
    public async Task<CampaignActionProgress?> HandleAsync(Guid campaignId, long actionId, CancellationToken cancellationToken)
    {
        var found = await (
            from a in db.CampaignActions.AsNoTracking().Where(x => x.Id == actionId && x.CampaignId == campaignId)
            join k in db.Campaigns on a.CampaignId equals k.Id
            join u in db.Users on a.RequestedById equals u.Id into users
            from u in users.DefaultIfEmpty()
            select new { Action = a, k.Reference, RequestedBy = u == null ? null : u.DisplayName })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var skipped = db.CampaignActionCases.AsNoTracking().Where(c => c.ActionId == actionId && c.Outcome != null && c.Outcome != CampaignCaseOutcome.Applied);
        var counts = await skipped.GroupBy(c => c.Outcome).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var listed = await (
            from s in skipped
            join c in db.Cases on s.CaseId equals c.Id
            orderby c.Reference
            select new CampaignActionCasePreview(c.Id, c.Reference, s.Outcome ?? CampaignCaseOutcome.Applied))
            .Take(SkippedListed)
            .ToListAsync(cancellationToken);
        var action = found.Action;
        return new CampaignActionProgress(
            action.Id, action.CampaignId, found.Reference, action.Kind, action.Route, action.ReplyTitle, action.Note, found.RequestedBy, action.RequestedAt, action.State, action.FinishedAt,
            action.Total, action.Applied, action.Skipped,
            [.. counts.Where(c => c.Key is not null).OrderBy(c => c.Key).Select(c => new OutcomeCount(c.Key ?? CampaignCaseOutcome.Applied, c.Count))],
            listed);
    }

    /// <summary>The campaign's actions, newest first, for its page.</summary>
    public async Task<IReadOnlyList<CampaignActionSummary>> ForCampaignAsync(Guid campaignId, CancellationToken cancellationToken) =>
        await db.CampaignActions.AsNoTracking().Where(a => a.CampaignId == campaignId)
            .OrderByDescending(a => a.Id).Take(20)
            .Select(a => new CampaignActionSummary(a.Id, a.Kind, a.State, a.RequestedAt, a.Total, a.Applied, a.Skipped))
            .ToListAsync(cancellationToken);
}
