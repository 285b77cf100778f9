namespace Portal.Core.Email;

/// <summary>One email, already composed: plain text and HTML bodies carrying no case content.</summary>
public sealed record EmailMessage(IReadOnlyList<string> To, string Subject, string TextBody, string HtmlBody);

/// <summary>
/// Sends email. A failure throws (the SMTP server refused or could not be reached) so that the
/// caller, usually a job, retries and finally fails visibly instead of dropping the message.
/// </summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
