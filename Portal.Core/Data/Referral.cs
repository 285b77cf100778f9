namespace Portal.Core.Data;

public enum ReferralStatus
{
    /// <summary>Written (with the decision or the urgent report) and waiting for the routing job.</summary>
    Pending = 0,

    /// <summary>A partner was chosen and told; waiting for it to acknowledge.</summary>
    Assigned = 1,

    Acknowledged = 2,

    Accepted = 3,

    /// <summary>The partner recorded an outcome.</summary>
    Closed = 4,

    /// <summary>No partner was suitable; supervisors see it, and routing tries again later.</summary>
    Unassigned = 5,

    /// <summary>The victim withdrew the consent it rested on; no partner sees it any more.</summary>
    Withdrawn = 6,
}

/// <summary>The first rule that left no partner standing (PartnerChoice applies them in its own order).</summary>
public enum NoPartnerReason
{
    NoPartnerOfType = 0,
    NoneActive = 1,
    AllTried = 2,
    NoneServesRegion = 3,
    NoneSpeaksLanguage = 4,
    NoneWithCapacity = 5,
}

public enum ReferralOutcome
{
    SupportGiven = 0,
    ReportFiled = 1,
    NoContact = 2,
    NotPursued = 3,
}

/// <summary>
/// A case sent to a type of partner. Written in the transaction that decides it (the outbox),
/// one per case and partner type, and routed afterwards by a job that picks the partner.
/// </summary>
public sealed class Referral
{
    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public PartnerType PartnerType { get; set; }

    /// <summary>The case was flagged for self-harm or immediate danger: a crisis line first.</summary>
    public bool Urgent { get; set; }

    public ReferralStatus Status { get; set; }

    /// <summary>The partner holding the referral now; null while pending or unassigned.</summary>
    public long? PartnerId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? AcknowledgedAt { get; set; }

    public DateTime? AcceptedAt { get; set; }

    public DateTime? ClosedAt { get; set; }

    public ReferralOutcome? Outcome { get; set; }

    /// <summary>Written by partner staff, never by the victim.</summary>
    public string? OutcomeNote { get; set; }

    /// <summary>The police's own report number, shown to the victim on the status page.</summary>
    public string? PoliceReportNumber { get; set; }

    /// <summary>Why routing found no partner, for the supervisors' list; null unless unassigned.</summary>
    public NoPartnerReason? UnassignedReason { get; set; }

    /// <summary>Optimistic concurrency: two routing runs, or a partner and the escalation job, never both win.</summary>
    public int Version { get; set; }
}

public enum AssignmentEnd
{
    Declined = 0,
    TimedOut = 1,

    /// <summary>The victim withdrew their consent while the partner held the referral.</summary>
    Withdrawn = 2,
}

/// <summary>
/// One partner given one referral. A partner is never given the same referral twice (one row
/// per referral and partner), so a decline or a timeout moves the referral on for good. The
/// notification is recorded here: a routing run that finds it sent sends nothing.
/// </summary>
public sealed class ReferralAssignment
{
    public long Id { get; set; }

    public long ReferralId { get; set; }

    public long PartnerId { get; set; }

    public DateTime AssignedAt { get; set; }

    /// <summary>Set just before the email is sent, so two concurrent runs do not both send it.</summary>
    public DateTime? NotificationClaimedAt { get; set; }

    public DateTime? NotifiedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    public AssignmentEnd? EndReason { get; set; }

    /// <summary>The partner's reason for declining, in its own words.</summary>
    public string? DeclineReason { get; set; }

    /// <summary>
    /// The partner, who had been told of the referral, is still to be told that the victim withdrew
    /// consent (a reference only, never content). Written with the withdrawal; cleared once sent,
    /// in one transaction with its audit entry.
    /// </summary>
    public bool WithdrawalNoticePending { get; set; }

    /// <summary>
    /// When a routing run took the withdrawal notice to send: no other run sends it meanwhile, and
    /// a run that died after taking it gives it up once Routing:NotificationClaimTimeout has passed.
    /// </summary>
    public DateTime? WithdrawalNoticeClaimedAt { get; set; }
}
