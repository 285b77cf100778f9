namespace Portal.Core.Data;

public enum MessageDirection
{
    /// <summary>From the case's volunteer to the victim.</summary>
    ToVictim = 0,

    /// <summary>The victim's reply through the receipt status page.</summary>
    FromVictim = 1,
}

/// <summary>A message in a case's conversation; the text is only ever stored as an envelope.</summary>
public sealed class CaseMessage
{
    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public MessageDirection Direction { get; set; }

    /// <summary>The staff member who wrote it; null for the victim.</summary>
    public string? AuthorId { get; set; }

    public required byte[] BodyEnvelope { get; set; }

    public DateTime SentAt { get; set; }

    /// <summary>When the other side first saw it: the victim on the status page, or staff on the case.</summary>
    public DateTime? ReadAt { get; set; }

    /// <summary>True while the victim, who chose email contact, still has to be told there is an update.</summary>
    public bool NotificationPending { get; set; }

    public DateTime? NotifiedAt { get; set; }

    /// <summary>
    /// The id of the form that sent it (unique per case): the same form sent again, by the
    /// browser after a lost answer or by a second press of Send, finds this message instead of
    /// leaving a second. Null for messages not sent from a form (a campaign reply).
    /// </summary>
    public Guid? SubmissionId { get; set; }
}

/// <summary>A reply a supervisor prepared for common situations, in each of the portal's languages.</summary>
public sealed class CannedResponse
{
    public const int MaxBodyLength = 5000;

    public int Id { get; set; }

    public required string Title { get; set; }

    public required string BodyEn { get; set; }

    public required string BodyFi { get; set; }

    public required string BodySv { get; set; }

    public DateTime UpdatedAt { get; set; }

    public string? UpdatedById { get; set; }

    /// <summary>The id of the form that created it: the same form sent again creates nothing more (null for an edited resend).</summary>
    public Guid? SubmissionId { get; set; }
}
