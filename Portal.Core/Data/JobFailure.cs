namespace Portal.Core.Data;

/// <summary>
/// A job that ran out of retries: admins are emailed about it and the daily digest counts it while
/// the job waits, failed, on the jobs dashboard. It names what the job was for by id only, never by case content.
/// </summary>
public sealed class JobFailure
{
    public long Id { get; set; }

    /// <summary>The work's key ("group.name"), e.g. "routing.referral-42" or "recurring.daily-digest".</summary>
    public required string JobKey { get; set; }

    /// <summary>The Hangfire job that failed ("job 1234"), to find it on the dashboard.</summary>
    public string? Subject { get; set; }

    public int Attempts { get; set; }

    public required string ErrorType { get; set; }

    public required string ErrorMessage { get; set; }

    public DateTime FailedAt { get; set; }

    /// <summary>Set when an admin requeued or deleted the job, or a later run of the same work succeeded.</summary>
    public DateTime? ResolvedAt { get; set; }
}

public enum SupervisorAlertKind
{
    UrgentUnclaimed = 0,

    /// <summary>Evidence of the case failed its integrity check; raised again, the row is pending again.</summary>
    EvidenceIntegrity = 1,
}

/// <summary>
/// An alert to supervisors about one case; the unique key makes it once per case and kind. The
/// row is written before the email is sent and marked sent after, so a failed send is retried
/// and never silently dropped.
/// </summary>
public sealed class SupervisorAlert
{
    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public SupervisorAlertKind Kind { get; set; }

    public DateTime RaisedAt { get; set; }

    public DateTime? SentAt { get; set; }
}
