namespace Portal.Core.Data;

public enum CaseStatus
{
    Received = 0,
    InTriage = 1,
    Referred = 2,
    Closed = 3,
}

/// <summary>Ordered: a higher value is more pressing.</summary>
public enum CasePriority
{
    Normal = 0,
    Raised = 1,
    High = 2,
    Urgent = 3,
}

public enum YesNoUnsure
{
    No = 0,
    Yes = 1,
    Unsure = 2,
}

public enum ContactPreference
{
    PortalOnly = 0,
    Email = 1,
    Phone = 2,
}

/// <summary>
/// One victim's report. Free text and contact details are stored only as envelopes
/// (see EnvelopeCipher); the attacker's sender and payment address stay queryable
/// because later features cluster cases into campaigns by them.
/// </summary>
public sealed class Case
{
    public Guid Id { get; set; }

    public required string Reference { get; set; }

    public required byte[] ReceiptHash { get; set; }

    /// <summary>Random token from the form; a repeated post of the same form creates nothing new.</summary>
    public Guid SubmissionId { get; set; }

    /// <summary>
    /// Keyed digest of the answers as first sent: a resend with the same answers may be given a
    /// new receipt key (the first answer may never have reached the browser). Null for cases
    /// not filed through the form.
    /// </summary>
    public byte[]? SubmissionDigest { get; set; }

    /// <summary>The email whose details the victim has answered (confirmed or corrected): they are not offered again.</summary>
    public Guid? DetailsAnsweredFor { get; set; }

    /// <summary>When the receipt key was first used to open the case: from then on it has been seen and is never re-issued.</summary>
    public DateTime? ReceiptFirstUsedAt { get; set; }

    /// <summary>
    /// Fingerprints of the keys a resend replaced, newest last (<see cref="Features.Reports.ReceiptHasher.EarlierKeysKept"/>
    /// at most): the victim may hold any of them, because the answer with the newer key may never
    /// have arrived. Each opens the case until a key is first used; then only that key remains.
    /// </summary>
    public byte[]? EarlierReceiptHashes { get; set; }

    public CaseStatus Status { get; set; }

    public CasePriority Priority { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public required string Language { get; set; }

    public required byte[] NarrativeEnvelope { get; set; }

    public DateOnly? EmailReceivedOn { get; set; }

    public string? SenderAddress { get; set; }

    public decimal? AmountDemanded { get; set; }

    public string? Currency { get; set; }

    public string? PaymentAddress { get; set; }

    public YesNoUnsure Paid { get; set; }

    public YesNoUnsure DataPublished { get; set; }

    public string? BreachOrganisation { get; set; }

    /// <summary>A region key from Regions (a Finnish region, outside Finland, or not said); null when unanswered.</summary>
    public string? Region { get; set; }

    public bool IsUnder18 { get; set; }

    public bool RiskSelfHarm { get; set; }

    public bool RiskImmediateDanger { get; set; }

    /// <summary>The victim chose "I'd rather not say" for the self-harm question (RiskSelfHarm is then false, meaning unknown).</summary>
    public bool RiskSelfHarmWithheld { get; set; }

    /// <summary>The victim chose "I'd rather not say" for the immediate danger question.</summary>
    public bool RiskImmediateDangerWithheld { get; set; }

    public bool ConsentPolice { get; set; }

    public bool ConsentCounselling { get; set; }

    public ContactPreference ContactPreference { get; set; }

    /// <summary>Envelope of a small JSON document (email, phone, safe hours); null when portal-only.</summary>
    public byte[]? ContactEnvelope { get; set; }

    /// <summary>The volunteer working the case; one at a time, taken by a conditional update.</summary>
    public string? ClaimedById { get; set; }

    /// <summary>When the claim was taken or last renewed by activity; a claim lapses after a configured time.</summary>
    public DateTime? ClaimedAt { get; set; }

    /// <summary>
    /// When staff first answered the victim (a triage decision or a message), set once and never
    /// moved; the supervisor dashboard's time to first response is measured to it.
    /// </summary>
    public DateTime? FirstResponseAt { get; set; }

    /// <summary>
    /// Whole seconds from the report to <see cref="FirstResponseAt"/>, kept beside it so the
    /// dashboard's median is an index-ordered read instead of date arithmetic over every row.
    /// </summary>
    public int? FirstResponseSeconds { get; set; }

    /// <summary>Records staff's first answer to the victim (a decision or a message); later answers change nothing.</summary>
    public void RecordFirstResponse(DateTime at)
    {
        if (FirstResponseAt is not null)
        {
            return;
        }

        FirstResponseAt = at;
        FirstResponseSeconds = (int)Math.Clamp((at - CreatedAt).TotalSeconds, 0, int.MaxValue);
    }
    /// <summary>When the retention job removed this case's content; the row stays, anonymous, for counts.</summary>
    public DateTime? RetainedAt { get; set; }

    /// <summary>
    /// Case sessions carry the generation they were started in; ending a session (closing the case
    /// page, quick exit) moves it on, so every cookie issued before stops working, copies included.
    /// </summary>
    public int SessionGeneration { get; set; }

    /// <summary>When a new receipt key was last emailed: at most one such email per case in a while.</summary>
    public DateTime? ReceiptEmailedAt { get; set; }

    /// <summary>
    /// A new receipt key, sealed, between the commit that made it the case's key and the email that
    /// carries it: a failed send is retried with the same key, and it is cleared once sent.
    /// </summary>
    public byte[]? ReceiptKeyEmailEnvelope { get; set; }
}
