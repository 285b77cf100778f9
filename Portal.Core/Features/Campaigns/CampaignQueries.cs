using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Dashboard;
using Portal.Core.Features.Evidence.Indicators;

namespace Portal.Core.Features.Campaigns;

public sealed record CurrencyTotal(string Currency, decimal Amount);

/// <summary>A campaign's figures, over the cases the viewer may see only.</summary>
public sealed record CampaignFigures(int Victims, IReadOnlyList<CurrencyTotal> Demanded, DateTime FirstSeen, DateTime LastSeen);

public sealed record CampaignListItem(Guid Id, string Reference, CampaignFigures Figures);

public sealed record CampaignList(IReadOnlyList<CampaignListItem> Items, DateTime? LastComputedAt);

public sealed record CampaignMember(Guid CaseId, string Reference, DateTime ReportedAt, CaseStatus Status, decimal? Amount, string? Currency);

public sealed record CampaignDetails(
    Guid Id,
    string Reference,
    int Version,
    DateTime CreatedAt,
    CampaignFigures Figures,
    IReadOnlyList<PeriodCount> Timeline,
    IReadOnlyList<SharedIndicator> Shared,
    IReadOnlyList<CampaignMember> Members,
    int MembersNotListed);

/// <summary>A campaign page: found, moved (merged into another), or not there for this viewer.</summary>
public sealed record CampaignLookup(CampaignDetails? Details, Guid? MergedInto)
{
    public static readonly CampaignLookup NotFound = new(null, null);
}

/// <summary>
/// Campaign list and page. Every figure is computed over <see cref="CampaignAccess.VisibleCases"/>:
/// the list's counts and totals are grouped in the database; a campaign page reads its visible
/// members once (one campaign's worth of short columns) plus their indicators (opened from their
/// envelopes: a campaign's worth), and derives the figures, the timeline and the shared
/// indicators from them by the rules that formed the campaign.
/// </summary>
public sealed class CampaignQueries(PortalDbContext db, PortalTimeZone zone, SealedIndicators sealing, AuditTrail audit)
{
    public const int MembersListed = 200;

    /// <summary>A viewer opens the list: recorded with how many campaigns it showed.</summary>
    public async Task<CampaignList> ViewListAsync(CampaignViewer viewer, Actor actor, CancellationToken cancellationToken)
    {
        var list = await ListAsync(viewer, cancellationToken);
        await audit.AppendAsync(actor.Event(AuditActions.CampaignsListed, detail: list.Items.Count.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        return list;
    }

    /// <summary>
    /// A viewer opens one campaign: recorded as a view of its version, or as a denial when the
    /// viewer may not see it (exactly like one that does not exist). A merged campaign's
    /// successor is returned unrecorded; the viewer is sent there and that view is recorded.
    /// </summary>
    public async Task<CampaignLookup> ViewAsync(Guid campaignId, CampaignViewer viewer, Actor actor, CancellationToken cancellationToken)
    {
        var found = await GetAsync(campaignId, viewer, cancellationToken);
        if (found.MergedInto is not null)
        {
            return found;
        }

        await audit.AppendAsync(
            found.Details is { } details
                ? actor.Event(AuditActions.CampaignViewed, subject: campaignId.ToString(), detail: "v" + details.Version.ToString(CultureInfo.InvariantCulture))
                : actor.Event(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign"),
            cancellationToken);
        return found;
    }

    public async Task<CampaignList> ListAsync(CampaignViewer viewer, CancellationToken cancellationToken)
    {
        var visible = CampaignAccess.VisibleCases(db.Cases.AsNoTracking(), viewer);
        var members = from m in db.CampaignCases
                      join k in db.Campaigns on m.CampaignId equals k.Id
                      join c in visible on m.CaseId equals c.Id
                      where k.RetiredAt == null
                      select new { m.CampaignId, k.Reference, c.CreatedAt, c.AmountDemanded, c.Currency };
        var minimum = CampaignAccess.MinimumVisibleCases(viewer);

        // One grouped pass over the members: per campaign and currency (no amount is a group
        // too), so counts, first and last report and totals come from the same read.
        var groups = await members
            .GroupBy(m => new { m.CampaignId, m.Reference, m.Currency })
            .Select(g => new { g.Key.CampaignId, g.Key.Reference, g.Key.Currency, Count = g.Count(), First = g.Min(m => m.CreatedAt), Last = g.Max(m => m.CreatedAt), Sum = g.Sum(m => m.AmountDemanded) })
            .ToListAsync(cancellationToken);
        var items = groups.GroupBy(g => (g.CampaignId, g.Reference))
            .Select(c => new CampaignListItem(c.Key.CampaignId, c.Key.Reference, new CampaignFigures(
                c.Sum(g => g.Count),
                Ordered(c.Where(g => g.Currency is not null && g.Sum is not null).Select(g => new CurrencyTotal(g.Currency ?? "", g.Sum ?? 0))),
                c.Min(g => g.First),
                c.Max(g => g.Last))))
            .Where(i => i.Figures.Victims >= minimum)
            .OrderByDescending(i => i.Figures.LastSeen).ThenBy(i => i.Reference, StringComparer.Ordinal)
            .ToList();
        var lastRun = await db.CampaignClusteringStates.AsNoTracking().Select(s => s.LastRunAt).FirstOrDefaultAsync(cancellationToken);
        return new CampaignList(items, lastRun);
    }

    public async Task<CampaignLookup> GetAsync(Guid campaignId, CampaignViewer viewer, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, cancellationToken);
        if (campaign is null)
        {
            return CampaignLookup.NotFound;
        }

        if (campaign.RetiredAt is not null)
        {
            return campaign.MergedIntoId is { } merged ? new CampaignLookup(null, merged) : CampaignLookup.NotFound;
        }

        var memberIds = db.CampaignCases.Where(m => m.CampaignId == campaignId).Select(m => m.CaseId);
        var visible = CampaignAccess.VisibleCases(db.Cases.AsNoTracking(), viewer).Where(c => memberIds.Contains(c.Id));
        // One read of the visible members (a campaign's worth of short columns) gives the count,
        // first and last report, totals, timeline, the listed members and their typed-in keys.
        var rows = await visible
            .Select(c => new { c.Id, c.Reference, c.CreatedAt, c.Status, c.AmountDemanded, c.Currency, c.PaymentAddress, c.SenderAddress })
            .ToListAsync(cancellationToken);
        if (rows.Count < CampaignAccess.MinimumVisibleCases(viewer))
        {
            return CampaignLookup.NotFound;
        }

        var totals = rows.Where(r => r.AmountDemanded is not null && r.Currency is not null)
            .GroupBy(r => r.Currency ?? "")
            .Select(g => new CurrencyTotal(g.Key, g.Sum(r => r.AmountDemanded ?? 0)));
        var keys = await CampaignKeys.LoadIndicatorsAsync(db, visible.Select(c => c.Id), sealing, shown: true, cancellationToken);
        keys.AddRange(rows.SelectMany(r => CampaignKeys.OfCase(r.Id, r.PaymentAddress, r.SenderAddress, sealing, shown: true)));
        var shared = CampaignClustering.Cluster(keys).SelectMany(c => c.Shared)
            .OrderBy(s => s.Rule).ThenByDescending(s => s.Cases).ThenBy(s => s.Value, StringComparer.Ordinal)
            .ToList();
        var listed = rows.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Reference, StringComparer.Ordinal).Take(MembersListed)
            .Select(r => new CampaignMember(r.Id, r.Reference, r.CreatedAt, r.Status, r.AmountDemanded, r.Currency))
            .ToList();

        var details = new CampaignDetails(
            campaign.Id, campaign.Reference, campaign.Version, campaign.CreatedAt,
            new CampaignFigures(rows.Count, Ordered(totals), rows.Min(r => r.CreatedAt), rows.Max(r => r.CreatedAt)),
            CasesOverTime.Timeline([.. rows.Select(r => zone.ToLocal(r.CreatedAt))]), shared, listed, rows.Count - listed.Count);
        return new CampaignLookup(details, null);
    }

    private static List<CurrencyTotal> Ordered(IEnumerable<CurrencyTotal> totals) =>
        [.. totals.OrderBy(t => t.Currency, StringComparer.Ordinal)];
}
