namespace Portal.Core.Features.Triage;

public sealed class TriageOptions
{
    public const string Section = "Triage";

    /// <summary>A claim with no activity for this long can be taken by someone else.</summary>
    public TimeSpan ClaimLapse { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Urgent cases waiting unclaimed this long are flagged.</summary>
    public TimeSpan UrgentUnclaimedFlag { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>High-priority cases waiting unclaimed this long are flagged.</summary>
    public TimeSpan HighUnclaimedFlag { get; set; } = TimeSpan.FromHours(4);
}
