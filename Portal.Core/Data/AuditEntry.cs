namespace Portal.Core.Data;

public enum AuditActor
{
    System = 0,
    Staff = 1,
    Victim = 2,
}

/// <summary>
/// One recorded action. Append-only: each entry's <see cref="Mac"/> covers its content and the
/// previous entry's MAC, under a key kept outside the database, so an edited, deleted or
/// inserted row breaks the chain at that point. Entries carry no case content.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public AuditActor ActorKind { get; set; }

    /// <summary>The staff user's id; null for victims and the system.</summary>
    public string? ActorId { get; set; }

    public required string Action { get; set; }

    public Guid? CaseId { get; set; }

    /// <summary>What the action touched besides the case (an evidence id, a user id), never content.</summary>
    public string? Subject { get; set; }

    /// <summary>A short contentless detail: an outcome, a reason a staff member gave.</summary>
    public string? Detail { get; set; }

    /// <summary>Staff requests only; a victim's address is never recorded.</summary>
    public string? IpAddress { get; set; }

    /// <summary>
    /// Set when retention removed <see cref="Detail"/>: the keyed digest the MAC was computed
    /// over, so the chain still verifies without the text.
    /// </summary>
    public byte[]? RedactedDetailDigest { get; set; }

    public required byte[] PreviousMac { get; set; }

    public required byte[] Mac { get; set; }
}

/// <summary>
/// The single row that serialises appends (every writer updates it first) and remembers the
/// last link, so that deleting the newest entries is detected too.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public long LastEntryId { get; set; }

    public required byte[] LastMac { get; set; }

    public long Version { get; set; }
}
