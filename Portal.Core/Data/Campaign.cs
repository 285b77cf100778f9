namespace Portal.Core.Data;

/// <summary>
/// Reports that share what the extortionist left behind (a payment address, a sender, a sending
/// domain with the same subject). The id and reference are stable across recomputations, so a
/// later approval can refer to a campaign; <see cref="Version"/> changes whenever its members do.
/// </summary>
public sealed class Campaign
{
    public Guid Id { get; set; }

    /// <summary>Short public name staff can read aloud, e.g. "CP-7KQ2-XM4D".</summary>
    public required string Reference { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When the members last changed.</summary>
    public DateTime UpdatedAt { get; set; }

    /// <summary>1 when created, one more each time a recomputation changes the members.</summary>
    public int Version { get; set; }

    /// <summary>Set when a recomputation found no cluster for this campaign any more (it merged into another or fell apart).</summary>
    public DateTime? RetiredAt { get; set; }

    /// <summary>The campaign that took over most of this one's cases when it retired, if any.</summary>
    public Guid? MergedIntoId { get; set; }
}

/// <summary>A case's place in a campaign; a case belongs to one campaign at most, so the case id is the key.</summary>
public sealed class CampaignCase
{
    public Guid CaseId { get; set; }

    public Guid CampaignId { get; set; }

    public DateTime AddedAt { get; set; }
}

/// <summary>
/// The single row that serialises recomputations (each begins its writes by updating it, which takes
/// the row lock on PostgreSQL and the write lock on SQLite) and says when campaigns were last computed.
/// </summary>
public sealed class CampaignClusteringState
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public DateTime? LastRunAt { get; set; }

    public long Runs { get; set; }
}

/// <summary>
/// A supervisor's approval that police may download a campaign's bundle: the first of two people
/// (the downloader must be someone else). It covers the campaign's members as they were at
/// <see cref="CampaignVersion"/> and, of those, only the consenting cases in <see cref="CaseIds"/>;
/// a change of members, or a case whose victim gives police consent later, needs a new approval
/// (decision 0017).
/// </summary>
public sealed class CampaignExportApproval
{
    public long Id { get; set; }

    public Guid CampaignId { get; set; }

    public int CampaignVersion { get; set; }

    public required string ApprovedById { get; set; }

    public DateTime ApprovedAt { get; set; }

    /// <summary>The cases with police consent when the supervisor approved: the most the bundle may hold.</summary>
    public List<Guid> CaseIds { get; set; } = [];
}
