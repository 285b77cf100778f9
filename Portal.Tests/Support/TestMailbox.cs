using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Support;

/// <summary>
/// Mail as delivered: the .eml files the loopback SMTP server that infra/test starts saves
/// (PORTAL_TEST_SMTP, PORTAL_TEST_SMTP_DIR), or a portal's pickup directory. Read back with the
/// portal's own email reader.
/// </summary>
public sealed class TestMailbox(string directory)
{
    public const string ServerVariable = "PORTAL_TEST_SMTP";
    public const string DirectoryVariable = "PORTAL_TEST_SMTP_DIR";

    /// <summary>The loopback SMTP server's mailbox; every test filters it by a recipient of its own.</summary>
    public static TestMailbox Smtp => new(Required(DirectoryVariable));

    /// <summary>Settings that point a portal at the loopback SMTP server.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> SmtpSettings
    {
        get
        {
            var server = Required(ServerVariable);
            var colon = server.LastIndexOf(':');
            yield return new("Email:Host", server[..colon]);
            yield return new("Email:Port", server[(colon + 1)..]);
        }
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
