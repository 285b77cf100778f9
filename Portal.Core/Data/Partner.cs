namespace Portal.Core.Data;

public enum PartnerType
{
    Police = 0,
    Counselling = 1,
}

/// <summary>
/// An organisation that receives referrals: a police unit or a counselling service. A crisis
/// line is a counselling partner flagged for urgent cases. Partners are deactivated, not deleted,
/// once they have received anything, so the history of where cases went stays whole.
/// </summary>
public sealed class Partner
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public PartnerType Type { get; set; }

    /// <summary>Takes urgent counselling referrals (self-harm, immediate danger); counselling partners only.</summary>
    public bool IsCrisisLine { get; set; }

    /// <summary>Region keys (see Regions); empty when the partner serves every region.</summary>
    public List<string> Regions { get; set; } = [];

    /// <summary>Languages the partner works in ("en", "fi", "sv").</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>How many new referrals the partner takes per day (Routing:DayTimeZone).</summary>
    public int DailyCapacity { get; set; }

    /// <summary>The organisation's mailbox; told of each new referral with the partner's staff.</summary>
    public required string ContactEmail { get; set; }

    /// <summary>An inactive partner receives nothing new; what it already holds stays with it.</summary>
    public bool Active { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public bool ServesAllRegions => Regions.Count == 0;
}
