using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Core.Email;

/// <summary>
/// MailKit behind <see cref="IEmailSender"/>: SMTP with implicit TLS or STARTTLS (plain only
/// where Email:AllowInsecure says so), authentication when a user name is set, and timeouts for
/// connecting and for each command. Without Email:Host the same messages are written as .eml
/// files to the pickup directory, so nothing leaves a development machine. A message to several
/// addresses (the staff's group emails) goes to those the server accepts at RCPT TO; it fails
/// only when the server accepts none of them.
/// </summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options, TimeProvider clock, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        await using var batch = StartBatch();
        await batch.SendAsync(message, cancellationToken);
    }

    public IEmailBatch StartBatch()
    {
        var settings = options.Value;
        return string.IsNullOrWhiteSpace(settings.Host) ? new PickupBatch(settings, clock) : new SmtpBatch(settings, settings.Host, clock, logger);
    }

    /// <summary>
    /// The message as it goes out: text and HTML alternatives (quoted-printable UTF-8, so the
    /// bytes are the same over SMTP and in the pickup directory), the notification's stable
    /// Message-ID, and the headers that tell mail servers and clients not to answer it.
    /// </summary>
    internal static MimeMessage ToMime(EmailMessage message, EmailOptions settings, DateTimeOffset now)
    {
        var mime = new MimeMessage { Subject = message.Subject, Date = now, MessageId = message.MessageId };
        try
        {
            mime.From.Add(MailboxAddress.Parse(settings.From));
            mime.To.AddRange(message.To.Select(MailboxAddress.Parse));
        }
        catch (ParseException)
        {
            throw new EmailDeliveryException("An address of the email could not be read; nothing was sent.");
        }

        // RFC 3834: a notification, not a person writing; out-of-office replies should stay away.
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        mime.Headers.Add("X-Auto-Response-Suppress", "OOF, AutoReply");
        mime.Body = new MultipartAlternative { Text("plain", message.TextBody), Text("html", message.HtmlBody) };
        return mime;
    }

    private static TextPart Text(string subtype, string text)
    {
        var part = new TextPart(subtype) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, text.ReplaceLineEndings("\r\n"));
        return part;
    }

    private sealed class PickupBatch(EmailOptions settings, TimeProvider clock) : IEmailBatch
    {
        private static readonly FormatOptions Format = new() { NewLineFormat = NewLineFormat.Dos };

        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            var directory = settings.PickupDirectory is { Length: > 0 } configured
                ? configured
                : throw new EmailDeliveryException("Email:Host or Email:PickupDirectory must be set.");
            var now = clock.GetUtcNow();
            var mime = ToMime(message, settings, now);

            // Written under a temporary name and renamed, so whatever reads the folder never sees half a message.
            var path = Path.Combine(directory, Guid.CreateVersion7(now).ToString("N") + ".eml");
            var temporary = path + ".tmp";
            try
            {
                Directory.CreateDirectory(directory);
                await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous))
                {
                    await mime.WriteToAsync(Format, file, cancellationToken);
                }

                File.Move(temporary, path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                File.Delete(temporary);
                throw new EmailDeliveryException($"The email could not be written to the pickup directory {directory}.", innerException: exception);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>One SMTP connection, opened at the first message; a connection lost midway is opened again for the next.</summary>
    private sealed class SmtpBatch(EmailOptions settings, string host, TimeProvider clock, ILogger logger) : IEmailBatch
    {
        private readonly AcceptedRecipientsClient client = new();
        private readonly string server = $"{host}:{settings.Port}";

        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            var mime = ToMime(message, settings, clock.GetUtcNow());
            if (!client.IsConnected)
            {
                try
                {
                    await ConnectAsync(cancellationToken);
                }
                catch
                {
                    // Never leave a half-made connection (not yet encrypted or not signed in) for the next message.
                    client.Disconnect(quit: false, CancellationToken.None);
                    throw;
                }
            }

            client.Refused = 0;
            try
            {
                await client.SendAsync(mime, cancellationToken);
            }
            catch (SmtpCommandException refused)
            {
                // The server's own words are left out: a refusal often quotes the recipient.
                throw new EmailDeliveryException($"The SMTP server {server} refused the message ({(int)refused.StatusCode}, {refused.ErrorCode}).", (int)refused.StatusCode, recipientRefused: refused.ErrorCode == SmtpErrorCode.RecipientNotAccepted);
            }
            catch (ServiceNotAuthenticatedException)
            {
                // MailKit's answer to 530 at MAIL FROM.
                throw new EmailDeliveryException($"The SMTP server {server} accepts mail only after signing in: set Email:UserName and Email:Password.", 530);
            }
            catch (Exception exception) when (IsNetworkFailure(exception, cancellationToken))
            {
                throw new EmailDeliveryException($"Sending through the SMTP server {server} failed ({Describe(exception)}).", innerException: exception);
            }

            if (client.Refused > 0)
            {
                // The count only: an address may be a victim's, and the others have the email.
                logger.LogWarning("The SMTP server {Server} refused {Refused} of the {Recipients} addresses of an email; it went to the others.", server, client.Refused, mime.To.Count);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected)
                {
                    using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
                    await client.DisconnectAsync(quit: true, quit.Token);
                }
            }
            catch (Exception exception) when (exception is SmtpCommandException || IsNetworkFailure(exception, CancellationToken.None))
            {
                // Every message of the batch was accepted or failed on its own already; a QUIT
                // that goes wrong changes nothing for them.
            }
            finally
            {
                client.Dispose();
            }
        }

        private async Task ConnectAsync(CancellationToken cancellationToken)
        {
            if (settings.Security == EmailSecurity.None && !settings.InsecureAllowed)
            {
                throw new EmailDeliveryException("Email:Security is None but Email:AllowInsecure is not set: nothing was sent.");
            }

            client.Timeout = settings.ConnectTimeoutSeconds * 1000;
            client.ServerCertificateValidationCallback = MailServerCertificates.Check(settings.CertificateAuthorityFile);
            using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connecting.CancelAfter(TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds));
            try
            {
                await client.ConnectAsync(host, settings.Port, SocketOptions(settings), connecting.Token);
                if (!client.IsSecure && !settings.InsecureAllowed)
                {
                    // Cannot happen with the socket options chosen above; checked all the same, as it is what this class promises.
                    throw new EmailDeliveryException($"The connection to the SMTP server {server} is not encrypted and Email:AllowInsecure is not set: nothing was sent.");
                }

                client.Timeout = settings.TimeoutSeconds * 1000;
                if (!string.IsNullOrEmpty(settings.UserName))
                {
                    await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
                }
            }
            catch (NotSupportedException) when (!client.IsSecure)
            {
                throw new EmailDeliveryException($"The SMTP server {server} does not offer STARTTLS and Email:AllowInsecure is not set: nothing was sent.");
            }
            catch (OperationCanceledException) when (connecting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new EmailDeliveryException($"Connecting to the SMTP server {server} took longer than {settings.ConnectTimeoutSeconds} s.");
            }
            catch (AuthenticationException exception)
            {
                throw new EmailDeliveryException($"The SMTP server {server} did not accept Email:UserName and Email:Password.", innerException: exception);
            }
            catch (SslHandshakeException exception)
            {
                throw new EmailDeliveryException($"The TLS handshake with the SMTP server {server} failed (certificate not trusted, wrong name, or no common protocol).", innerException: exception);
            }
            catch (SmtpCommandException refused)
            {
                throw new EmailDeliveryException($"The SMTP server {server} refused the connection ({(int)refused.StatusCode}, {refused.ErrorCode}).", (int)refused.StatusCode);
            }
            catch (Exception exception) when (IsNetworkFailure(exception, cancellationToken))
            {
                throw new EmailDeliveryException($"Connecting to the SMTP server {server} failed ({Describe(exception)}).", innerException: exception);
            }
        }

        private static SecureSocketOptions SocketOptions(EmailOptions settings) => settings.Security switch
        {
            EmailSecurity.StartTls => SecureSocketOptions.StartTls,
            EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            EmailSecurity.None => SecureSocketOptions.None,
            _ when settings.Port == 465 => SecureSocketOptions.SslOnConnect,
            _ => settings.InsecureAllowed ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.StartTls,
        };

        private static bool IsNetworkFailure(Exception exception, CancellationToken cancellationToken) =>
            exception is SocketException or IOException or TimeoutException or ProtocolException or ServiceNotConnectedException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

        private static string Describe(Exception exception) => exception switch
        {
            SocketException socket => socket.SocketErrorCode.ToString(),
            OperationCanceledException or TimeoutException => "timed out",
            _ => exception.GetType().Name,
        };
    }

    /// <summary>
    /// MailKit's client, sending a message to the recipients the server accepts: by default the
    /// first address refused at RCPT TO ends the whole message, so one supervisor's dead mailbox
    /// kept every group email from everyone, and every retry met it again. Refusals are counted;
    /// when none is accepted the message fails as a refused recipient (with the server's code),
    /// as a message to one refused address always has.
    /// </summary>
    private sealed class AcceptedRecipientsClient : SmtpClient
    {
        private SmtpStatusCode lastRefusal = SmtpStatusCode.MailboxUnavailable;

        /// <summary>Addresses of the message being sent that the server refused; reset before each message.</summary>
        public int Refused { get; set; }

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            Refused++;
            lastRefusal = response.StatusCode;
        }

        protected override void OnNoRecipientsAccepted(MimeMessage message) =>
            throw new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, lastRefusal, "The server accepted none of the message's recipients.");
    }
}
