using Portal.Core.Email;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Support;

/// <summary>
/// Mail as delivered: the .eml files the loopback SMTP servers that infra/test starts save
/// (PORTAL_TEST_SMTP plain, PORTAL_TEST_SMTP_STARTTLS signing in with PORTAL_TEST_SMTP_STARTTLS_AUTH,
/// and PORTAL_TEST_SMTP_SMTPS, with a throwaway CA in PORTAL_TEST_SMTP_CA, all into PORTAL_TEST_SMTP_DIR), or a portal's pickup directory.
/// Read back with the portal's own email reader. The servers put X-Sink-Connection (one id per
/// connection) and X-Sink-Tls (TLS version or "none") at the top of each message.
/// </summary>
public sealed class TestMailbox(string directory)
{
    public const string ServerVariable = "PORTAL_TEST_SMTP";
    public const string StartTlsServerVariable = "PORTAL_TEST_SMTP_STARTTLS";
    public const string ImplicitTlsServerVariable = "PORTAL_TEST_SMTP_SMTPS";
    public const string CertificateAuthorityVariable = "PORTAL_TEST_SMTP_CA";
    public const string StartTlsCredentialsVariable = "PORTAL_TEST_SMTP_STARTTLS_AUTH";
    public const string DirectoryVariable = "PORTAL_TEST_SMTP_DIR";

    /// <summary>The loopback SMTP servers' mailbox; every test filters it by a recipient of its own.</summary>
    public static TestMailbox Smtp => new(Required(DirectoryVariable));

    /// <summary>
    /// Settings that point a portal at the plain loopback SMTP server. It offers no TLS, so the
    /// settings say explicitly that mail may go unencrypted (tests run outside Development).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> SmtpSettings
    {
        get
        {
            var options = SmtpOptions();
            yield return new("Email:Host", options.Host);
            yield return new("Email:Port", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new("Email:Security", nameof(EmailSecurity.None));
            yield return new("Email:AllowInsecure", "true");
        }
    }

    /// <summary>Settings that point a portal at the STARTTLS loopback server, trusting the test CA, with TLS required.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> StartTlsSettings
    {
        get
        {
            var options = StartTlsOptions();
            yield return new("Email:Host", options.Host);
            yield return new("Email:Port", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new("Email:Security", nameof(EmailSecurity.StartTls));
            yield return new("Email:CertificateAuthorityFile", options.CertificateAuthorityFile);
            yield return new("Email:UserName", options.UserName);
            yield return new("Email:Password", options.Password);
            yield return new("Email:From", options.From);
        }
    }

    /// <summary>Options for a sender built by hand that sends to the plain loopback server.</summary>
    public static EmailOptions SmtpOptions()
    {
        var (host, port) = Endpoint(ServerVariable);
        return new EmailOptions { Host = host, Port = port, Security = EmailSecurity.None, AllowInsecure = true, From = "portal@test.example" };
    }

    /// <summary>Options for the STARTTLS server, which wants a password made for the run, trusting the test CA; insecure mail not allowed.</summary>
    public static EmailOptions StartTlsOptions()
    {
        var (host, port) = Endpoint(StartTlsServerVariable);
        var credentials = Required(StartTlsCredentialsVariable);
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return new EmailOptions
        {
            Host = host,
            Port = port,
            Security = EmailSecurity.StartTls,
            AllowInsecure = false,
            CertificateAuthorityFile = Required(CertificateAuthorityVariable),
            UserName = credentials[..colon],
            Password = credentials[(colon + 1)..],
            From = "portal@test.example",
        };
    }

    /// <summary>Options for the implicit-TLS server (SMTPS), trusting the test CA.</summary>
    public static EmailOptions ImplicitTlsOptions()
    {
        var (host, port) = Endpoint(ImplicitTlsServerVariable);
        return new EmailOptions { Host = host, Port = port, Security = EmailSecurity.SslOnConnect, AllowInsecure = false, CertificateAuthorityFile = Required(CertificateAuthorityVariable), From = "portal@test.example" };
    }

    /// <summary>The connection a delivered message came over (the SMTP server's X-Sink-Connection).</summary>
    public static string ConnectionOf(ParsedEmail mail) => HeaderOf(mail, "X-Sink-Connection");

    /// <summary>The TLS version of the connection a delivered message came over, or "none".</summary>
    public static string TlsOf(ParsedEmail mail) => HeaderOf(mail, "X-Sink-Tls");

    private static string HeaderOf(ParsedEmail mail, string name) =>
        mail.Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value
        ?? throw new InvalidOperationException($"The message has no {name} header; was it delivered by infra/smtp_sink.py?");

    private static (string Host, int Port) Endpoint(string variable)
    {
        var server = Required(variable);
        var colon = server.LastIndexOf(':');
        return (server[..colon], int.Parse(server[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A loopback port that was free a moment ago, so nothing listens there: an SMTP server that is down.</summary>
    public static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Settings that point a portal at an SMTP server that is down, failing fast.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> DownSettings(int port) =>
    [
        new("Email:Host", "127.0.0.1"),
        new("Email:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Email:TimeoutSeconds", "5"),
    ];

    /// <summary>The messages delivered so far to a recipient.</summary>
    public IReadOnlyList<ParsedEmail> To(string recipient)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, "*.eml")
            .Select(path => EmailReader.Read(File.ReadAllBytes(path)))
            .Where(mail => mail.To.Any(a => string.Equals(a.Address, recipient, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(mail => mail.Date)
            .ToList();
    }

    /// <summary>Waits until a recipient has <paramref name="count"/> messages; the SMTP server writes them from another process.</summary>
    public async Task<IReadOnlyList<ParsedEmail>> WaitForAsync(string recipient, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var messages = To(recipient);
            if (messages.Count >= count)
            {
                return messages;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{recipient} received {messages.Count} message(s), expected {count}.");
            }

            await Task.Delay(50);
        }
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests through infra/test, which starts an SMTP server.");
}
