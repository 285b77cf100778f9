namespace Portal.Core.Data;

public enum TriageRoute
{
    Police = 0,
    Counselling = 1,
    PoliceAndCounselling = 2,
    InformationOnly = 3,
    Close = 4,
}

/// <summary>Where a volunteer decided a case goes; the routing jobs (a later issue) act on it.</summary>
public sealed class TriageDecision
{
    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public TriageRoute Route { get; set; }

    /// <summary>Required when closing; a short note otherwise. Written by staff, not the victim.</summary>
    public string? Reason { get; set; }

    public required string DecidedById { get; set; }

    public DateTime DecidedAt { get; set; }
}
