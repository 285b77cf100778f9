using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Portal.Core.Features.Evidence.Intake;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Evidence;

/// <summary>
/// An intake mailbox of its own on the loopback dovecot that infra/test starts (PORTAL_TEST_IMAP,
/// STARTTLS with the run's CA in PORTAL_TEST_IMAP_CA; any user name signs in with
/// PORTAL_TEST_IMAP_PASSWORD and gets a maildir nobody else writes to). Mail goes in by IMAP APPEND
/// with MailKit, as a mail server would deliver it.
/// </summary>
public sealed class IntakeTestMailbox
{
    public const string ServerVariable = "PORTAL_TEST_IMAP";
    public const string PasswordVariable = "PORTAL_TEST_IMAP_PASSWORD";
    public const string CertificateAuthorityVariable = "PORTAL_TEST_IMAP_CA";

    /// <summary>The intake domain the tests use; every case address is a plus-address of <see cref="Address"/>.</summary>
    public const string Domain = "intake.test.example";

    public const string Address = "intake@" + Domain;

    public string UserName { get; } = "intake-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Settings that point a portal at this mailbox, reading without IDLE (tests run the reader themselves).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        var (host, port) = Endpoint();
        yield return new("Intake:Host", host);
        yield return new("Intake:Port", port.ToString(CultureInfo.InvariantCulture));
        yield return new("Intake:Security", "StartTls");
        yield return new("Intake:CertificateAuthorityFile", Required(CertificateAuthorityVariable));
        yield return new("Intake:UserName", UserName);
        yield return new("Intake:Password", Required(PasswordVariable));
        yield return new("Intake:Address", Address);
        yield return new("Intake:Idle", "false");
        yield return new("Email:From", "portal@portal.test.example");
    }

    /// <summary>Delivers raw messages, in order.</summary>
    public async Task AppendAsync(params byte[][] messages)
    {
        using var client = await ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        foreach (var raw in messages)
        {
            using var message = MimeMessage.Load(new MemoryStream(raw, writable: false));
            await client.Inbox.AppendAsync(new AppendRequest(message));
        }

        await client.DisconnectAsync(quit: true);
    }

    /// <summary>How many messages the mailbox holds (flagged or not).</summary>
    public async Task<int> CountAsync()
    {
        using var client = await ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var count = client.Inbox.Count;
        await client.DisconnectAsync(quit: true);
        return count;
    }

    /// <summary>The messages as the mailbox holds them (what the portal will read), oldest first.</summary>
    public async Task<IReadOnlyList<byte[]>> RawAsync()
    {
        using var client = await ConnectAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var all = new List<byte[]>();
        foreach (var uid in await client.Inbox.SearchAsync(MailKit.Search.SearchQuery.All))
        {
            await using var stream = await client.Inbox.GetStreamAsync(uid);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            all.Add(copy.ToArray());
        }

        await client.DisconnectAsync(quit: true);
        return all;
    }

    /// <summary>One run of the reader, as the recurring job starts it.</summary>
    public static async Task<IntakeRun> ReadAsync(PortalFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReadIntakeMailboxHandler>().HandleAsync(CancellationToken.None, CancellationToken.None);
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var (host, port) = Endpoint();
        var authority = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Required(CertificateAuthorityVariable)));
        var client = new ImapClient
        {
            Timeout = 15_000,
            ServerCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return chain.Build(leaf);
            },
        };
        await client.ConnectAsync(host, port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(UserName, Required(PasswordVariable));
        return client;
    }

    private static (string Host, int Port) Endpoint()
    {
        var server = Required(ServerVariable);
        var colon = server.LastIndexOf(':');
        return (server[..colon], int.Parse(server[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests through infra/test, which starts an IMAP server (dovecot).");
}
