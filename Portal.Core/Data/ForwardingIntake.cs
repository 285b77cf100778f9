namespace Portal.Core.Data;

/// <summary>
/// A case's private forwarding address, "intake+&lt;token&gt;@&lt;intake domain&gt;". Like the receipt
/// key, the token is shown to the victim and stored only as its keyed hash; a new one replaces the
/// old, which stops working at once. One per case.
/// </summary>
public sealed class ForwardingAddress
{
    public Guid CaseId { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// An email forwarded to a case that was not kept (over a limit, or not an email at all). The
/// victim sees that it was refused and why, never what it held: nothing of it is stored.
/// </summary>
public sealed class EvidenceRefusal
{
    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public EvidenceSource Source { get; set; }

    /// <summary>Why, by the name of the rejection (TooLarge, TooManyFiles, CaseQuotaExceeded, NotAnEmail, ...).</summary>
    public required string Reason { get; set; }

    /// <summary>The size of what was refused, in bytes.</summary>
    public long Size { get; set; }

    public DateTime RefusedAt { get; set; }
}

/// <summary>What the intake mailbox reader has taken in, as counts only (no address, no content): one row.</summary>
public sealed class IntakeStatistics
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    /// <summary>Messages taken from the intake mailbox (and deleted there).</summary>
    public long Messages { get; set; }

    /// <summary>Files stored as evidence.</summary>
    public long Stored { get; set; }

    /// <summary>Files already in their case (same SHA-256 or Message-ID): kept once.</summary>
    public long Duplicates { get; set; }

    /// <summary>Files or messages refused on their case for a limit.</summary>
    public long Refused { get; set; }

    /// <summary>Messages to no valid forwarding address (unknown or replaced): deleted unread.</summary>
    public long UnknownAddress { get; set; }

    /// <summary>Automatic mail (Auto-Submitted, or the portal's own): dropped so that no loop can start.</summary>
    public long LoopsDropped { get; set; }

    public DateTime? LastRunAt { get; set; }
}
