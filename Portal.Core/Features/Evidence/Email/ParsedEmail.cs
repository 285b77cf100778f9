namespace Portal.Core.Features.Evidence.Email;

/// <summary>A header field, unfolded, with RFC 2047 encoded words decoded.</summary>
public sealed record EmailHeader(string Name, string Value);

/// <summary>A mailbox. The domain part is lower-cased; the local part is kept as written.</summary>
public sealed record EmailAddress(string? DisplayName, string Address);

/// <summary>
/// One Received header. Index 0 is the origin (the bottom-most header); FromIp is the address the
/// receiving server recorded, which unlike FromHost the sender could not choose.
/// </summary>
public sealed record ReceivedHop(int Index, string? FromHost, string? FromIp, string? ByHost, DateTimeOffset? Date, string Raw);

/// <summary>
/// A file carried by the message, described but never opened. Sha256 is lower-case hex of the
/// decoded bytes. <paramref name="UnpackedFrom"/> names the Outlook TNEF attachment (winmail.dat)
/// a file was taken out of; null for the message's own parts.
/// </summary>
public sealed record EmailAttachment(string? FileName, string MediaType, long Size, string Sha256, string? UnpackedFrom = null);

/// <summary>
/// What could be read from one raw message. Reading never fails on malformed input: what was
/// missing, broken or cut off by a limit is listed in <see cref="Warnings"/>.
/// </summary>
public sealed record ParsedEmail
{
    public required IReadOnlyList<EmailHeader> Headers { get; init; }
    public EmailAddress? From { get; init; }
    public IReadOnlyList<EmailAddress> ReplyTo { get; init; } = [];
    public string? ReturnPath { get; init; }
    public IReadOnlyList<EmailAddress> To { get; init; } = [];
    public IReadOnlyList<EmailAddress> Cc { get; init; } = [];
    public string? Subject { get; init; }
    public DateTimeOffset? Date { get; init; }
    public string? MessageId { get; init; }
    public IReadOnlyList<ReceivedHop> Received { get; init; } = [];
    public IReadOnlyList<string> AuthenticationResults { get; init; } = [];
    public IReadOnlyList<string> DkimDomains { get; init; } = [];
    public string? OriginatingIp { get; init; }
    public string TextBody { get; init; } = "";
    public IReadOnlyList<EmailAttachment> Attachments { get; init; } = [];

    /// <summary>
    /// Messages attached as message/rfc822 (how a victim usually forwards the original), read the
    /// same way. They are also listed in <see cref="Attachments"/>; their text and files are not
    /// mixed into this message's.
    /// </summary>
    public IReadOnlyList<ParsedEmail> EmbeddedMessages { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
