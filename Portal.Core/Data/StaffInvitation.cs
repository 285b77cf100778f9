namespace Portal.Core.Data;

/// <summary>
/// An admin's invitation for someone to join the staff. The link's token is stored only as its
/// SHA-256; the row is pending until it is accepted, revoked or expires, and is kept afterwards
/// as the record of who was let in with which roles. Inviting the address again renews an
/// expired or revoked row in place (one row per address; the audit trail keeps the earlier ones).
/// </summary>
public sealed class StaffInvitation
{
    public Guid Id { get; set; }

    public required string Email { get; set; }

    /// <summary>As Identity normalises it, to compare with accounts and other invitations.</summary>
    public required string NormalizedEmail { get; set; }

    /// <summary>The roles the account gets, comma-separated.</summary>
    public required string Roles { get; set; }

    /// <summary>The language the email is written in (en, fi, sv).</summary>
    public required string Language { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public required string InvitedById { get; set; }

    /// <summary>When the email last reached the mail server; null when it never did.</summary>
    public DateTime? SentAt { get; set; }

    /// <summary>The last attempt to send failed; the admin is shown this and can resend.</summary>
    public bool DeliveryFailed { get; set; }

    public DateTime? AcceptedAt { get; set; }

    public string? AcceptedUserId { get; set; }

    public DateTime? RevokedAt { get; set; }
}
