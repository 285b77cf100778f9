namespace Portal.Core.Data;

/// <summary>
/// A report the victim is still filling in, one step at a time. The answers are only ever stored
/// sealed; the row is found by the SHA-256 of a random token that lives in the victim's browser
/// (a cookie), so the database alone cannot resume anyone's draft. Expires; deleted on quick exit,
/// on "start again", and once the receipt of the report it became has been shown.
/// </summary>
public sealed class ReportDraft
{
    public long Id { get; set; }

    public required byte[] TokenHash { get; set; }

    /// <summary>Envelope of the answers so far (the report form's fields as JSON).</summary>
    public required byte[] AnswersEnvelope { get; set; }

    /// <summary>The furthest step reached, so a victim who comes back continues there.</summary>
    public int ReachedStep { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>The case the draft became; kept until the receipt reached the browser, so a resend still gets a key.</summary>
    public Guid? SubmittedCaseId { get; set; }
}

/// <summary>
/// The receipt key of a report just filed, sealed, for a short while and only to the case session
/// that filed it: the receipt page can be shown again (in another language, after a reload)
/// instead of being lost. Gone when it expires, when the victim says they saved it, when the key
/// is used, and when the session ends (docs/decisions/0028).
/// </summary>
public sealed class ShownReceipt
{
    public Guid CaseId { get; set; }

    public required byte[] KeyEnvelope { get; set; }

    /// <summary>The key replaced one the victim may never have seen (a resend).</summary>
    public bool Reissued { get; set; }

    /// <summary>The case's forwarding address as the receipt showed it, sealed like the key; null when forwarding is off.</summary>
    public byte[]? ForwardingAddressEnvelope { get; set; }

    public DateTime ExpiresAt { get; set; }
}

/// <summary>
/// Someone asked for a new receipt key by email. The request is stored as it came (sealed) and
/// matched to a case later by a job, so the answer takes the same time whether or not a case
/// with that reference and address exists.
/// </summary>
public sealed class ReceiptKeyRequest
{
    public long Id { get; set; }

    /// <summary>Envelope of the reference and email address as typed.</summary>
    public required byte[] RequestEnvelope { get; set; }

    public DateTime RequestedAt { get; set; }
}
