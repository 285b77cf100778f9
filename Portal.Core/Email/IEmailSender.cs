namespace Portal.Core.Email;

/// <summary>
/// One email, already composed: plain text and HTML bodies carrying no case content.
/// <see cref="MessageId"/> is derived from what the email is about, so sending it again (a retry
/// after a crash) gives mail clients the same message, not a second one.
/// </summary>
public sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string TextBody, string HtmlBody, string MessageId);

/// <summary>
/// Sends email. A failure throws <see cref="EmailDeliveryException"/> (the server refused, could
/// not be reached, or offered no TLS where TLS is required) so that the caller, usually a job,
/// retries and finally fails visibly instead of dropping the message. A message to several
/// addresses goes to those the server accepts and counts as sent; it fails only when the server
/// refuses them all.
/// </summary>
public interface IEmailSender
{
    /// <summary>Sends one message over a connection of its own.</summary>
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a batch: its messages share one connection, opened at the first message and closed
    /// when the batch is disposed. For jobs that send many emails in one run.
    /// </summary>
    IEmailBatch StartBatch();
}

/// <summary>Several messages over one connection. Each send completes (or throws) on its own, so callers can record each message as sent.</summary>
public interface IEmailBatch : IAsyncDisposable
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// An email could not be handed over. The message never holds what the server answered: a
/// refusal can quote the recipient's address, and this text is logged and stored with job failures.
/// </summary>
public sealed class EmailDeliveryException : Exception
{
    public EmailDeliveryException(string message, int? smtpStatus = null, Exception? innerException = null, bool recipientRefused = false)
        : base(message, innerException)
    {
        SmtpStatus = smtpStatus;
        RecipientRefused = recipientRefused;
    }

    /// <summary>The SMTP reply code when the server refused a command (e.g. 550), otherwise null.</summary>
    public int? SmtpStatus { get; }

    /// <summary>
    /// The server refused the recipients of this message (RCPT TO; every one of them, when it has
    /// several), for now (4xx) or for good (5xx):
    /// the fault is this message's address, not the connection, so the other messages of a batch
    /// can still go. A job sends them, and then throws for this one.
    /// </summary>
    public bool RecipientRefused { get; }
}
