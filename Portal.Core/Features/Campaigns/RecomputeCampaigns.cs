using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Campaigns;

/// <summary>What a recomputation changed.</summary>
public sealed record CampaignRecomputation(int Campaigns, int Created, int Changed, int Retired, int CasesInCampaigns);

/// <summary>
/// Clusters every case again and stores the result so that campaigns keep their identity:
/// each new cluster takes over the existing campaign it shares the most cases with (ties to the
/// older campaign), one cluster per campaign; clusters left over become new campaigns; campaigns
/// left over retire, pointing at the campaign that took most of their cases (a merge). A
/// campaign's <see cref="Campaign.Version"/> goes up whenever its members change, so an approval
/// given for one version can tell that the campaign has grown since.
/// <para>
/// The clustering reads outside any transaction; only the short write phase is serialised, by
/// updating the state row first, so a recurring job on several nodes and an on-demand run never
/// write conflicting campaigns, and report intake is not held up while cases are read.
/// </para>
/// </summary>
public sealed class RecomputeCampaignsHandler(PortalDbContext db, SealedIndicators sealing, AuditTrail audit, TimeProvider clock)
{
    public const int StateId = CampaignClusteringState.SingletonId;

    /// <summary>The scheduled recomputation (the recurring job).</summary>
    public Task<CampaignRecomputation> HandleAsync(CancellationToken cancellationToken) => RecomputeAsync(null, cancellationToken);

    /// <summary>A recomputation someone asked for: its audit entry commits with the campaigns it wrote.</summary>
    public Task<CampaignRecomputation> HandleAsync(Actor requestedBy, CancellationToken cancellationToken) => RecomputeAsync(requestedBy, cancellationToken);

    private async Task<CampaignRecomputation> RecomputeAsync(Actor? requestedBy, CancellationToken cancellationToken)
    {
        var clusters = CampaignClustering.Cluster(await CampaignKeys.LoadAllAsync(db, sealing, cancellationToken));
        db.ChangeTracker.Clear();
        return await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var locked = await db.CampaignClusteringStates.Where(s => s.Id == StateId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Runs, x => x.Runs + 1).SetProperty(x => x.LastRunAt, now), token);
            if (locked == 0)
            {
                db.CampaignClusteringStates.Add(new CampaignClusteringState { Id = StateId, LastRunAt = now, Runs = 1 });
                await db.SaveChangesAsync(token);
            }

            var result = await WriteAsync(clusters, now, token);
            if (requestedBy is not null)
            {
                await audit.AppendAsync(requestedBy.Event(AuditActions.CampaignsRecomputed, detail: $"{result.Campaigns} campaigns, {result.Created} new, {result.Changed} changed, {result.Retired} retired"), token);
            }

            return result;
        }, cancellationToken);
    }

    private async Task<CampaignRecomputation> WriteAsync(IReadOnlyList<CaseCluster> clusters, DateTime now, CancellationToken cancellationToken)
    {
        var campaigns = await db.Campaigns.Where(c => c.RetiredAt == null).ToDictionaryAsync(c => c.Id, cancellationToken);
        var memberships = await db.CampaignCases.ToDictionaryAsync(m => m.CaseId, cancellationToken);
        var before = memberships.ToDictionary(m => m.Key, m => m.Value.CampaignId);
        var sizeBefore = before.Values.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var references = (await db.Campaigns.Select(c => c.Reference).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

        // Pairs (cluster, campaign) by shared cases, best first; each side is matched once.
        var overlaps = clusters
            .SelectMany((cluster, index) => cluster.CaseIds
                .Select(id => before.TryGetValue(id, out var campaignId) ? campaignId : (Guid?)null)
                .OfType<Guid>()
                .Where(campaigns.ContainsKey)
                .GroupBy(id => id)
                .Select(g => (Index: index, Campaign: campaigns[g.Key], Shared: g.Count())))
            .OrderByDescending(o => o.Shared)
            .ThenBy(o => o.Campaign.CreatedAt)
            .ThenBy(o => o.Campaign.Reference, StringComparer.Ordinal)
            .ThenBy(o => o.Index)
            .ToList();
        var owners = new Campaign?[clusters.Count];
        var taken = new HashSet<Guid>();
        foreach (var (index, campaign, _) in overlaps)
        {
            if (owners[index] is null && taken.Add(campaign.Id))
            {
                owners[index] = campaign;
            }
        }

        var created = 0;
        var changed = 0;
        var ownerOf = new Dictionary<Guid, Guid>();
        for (var index = 0; index < clusters.Count; index++)
        {
            var cluster = clusters[index];
            var owner = owners[index];
            var isNew = owner is null;
            if (owner is null)
            {
                owner = new Campaign { Id = Guid.CreateVersion7(), Reference = NewReference(references), CreatedAt = now, UpdatedAt = now, Version = 1 };
                db.Campaigns.Add(owner);
                owners[index] = owner;
                created++;
            }

            var kept = 0;
            foreach (var caseId in cluster.CaseIds)
            {
                ownerOf[caseId] = owner.Id;
                if (!memberships.TryGetValue(caseId, out var membership))
                {
                    db.CampaignCases.Add(new CampaignCase { CaseId = caseId, CampaignId = owner.Id, AddedAt = now });
                }
                else if (membership.CampaignId != owner.Id)
                {
                    membership.CampaignId = owner.Id;
                    membership.AddedAt = now;
                }
                else
                {
                    kept++;
                }
            }

            // Unchanged means: every case stayed, none came, none left.
            if (!isNew && (kept != cluster.CaseIds.Count || kept != sizeBefore.GetValueOrDefault(owner.Id)))
            {
                owner.Version++;
                owner.UpdatedAt = now;
                changed++;
            }
        }

        foreach (var stale in memberships.Values.Where(m => !ownerOf.ContainsKey(m.CaseId)))
        {
            db.CampaignCases.Remove(stale);
        }

        var retired = 0;
        foreach (var campaign in campaigns.Values.Where(c => !taken.Contains(c.Id)))
        {
            campaign.RetiredAt = now;
            campaign.UpdatedAt = now;
            campaign.MergedIntoId = before.Where(m => m.Value == campaign.Id && ownerOf.ContainsKey(m.Key))
                .GroupBy(m => ownerOf[m.Key])
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
                .Select(g => (Guid?)g.Key)
                .FirstOrDefault();
            retired++;
        }

        await db.SaveChangesAsync(cancellationToken);
        return new CampaignRecomputation(clusters.Count, created, changed, retired, ownerOf.Count);
    }

    /// <summary>"CP-" and 40 random bits; retired campaigns keep theirs, so a reference is never reused.</summary>
    private static string NewReference(HashSet<string> taken)
    {
        while (true)
        {
            var reference = "CP-" + Crockford.Group(Crockford.Random(8), 4);
            if (taken.Add(reference))
            {
                return reference;
            }
        }
    }
}
