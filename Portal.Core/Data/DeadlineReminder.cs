namespace Portal.Core.Data;

/// <summary>
/// One reminder email of a deadline to one case at one stage ("14 days before"): claimed before
/// it is sent, marked sent in the same transaction as its audit entry, and unique per deadline,
/// case and stage, so no run sends it twice (docs/decisions/0025).
/// </summary>
public sealed class DeadlineReminder
{
    public long Id { get; set; }

    public Guid NoticeId { get; set; }

    public Guid CaseId { get; set; }

    /// <summary>Days before the deadline this reminder is for (one of CaseFile:ReminderDaysBefore).</summary>
    public int DaysBefore { get; set; }

    /// <summary>When a run took it; another run may take it only once this is older than the claim timeout.</summary>
    public DateTime? ClaimedAt { get; set; }

    public DateTime? SentAt { get; set; }
}
