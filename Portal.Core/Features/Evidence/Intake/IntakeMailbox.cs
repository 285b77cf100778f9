using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Portal.Core.Email;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>
/// Reading the intake mailbox failed: no connection, TLS refused, wrong credentials, no such
/// folder. The message names the server and the setting to look at, never the server's own words
/// (they can quote addresses), because it is logged and stored with job failures.
/// </summary>
public sealed class IntakeMailboxException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// One session with the intake mailbox over IMAP (MailKit): TLS unless Intake:AllowInsecure says
/// otherwise, the folder opened read-write, messages listed in UID order, fetched raw (never parsed
/// by MimeKit: decision 0008), flagged \Deleted once stored and expunged, and IDLE where the
/// server offers it.
/// </summary>
internal sealed class IntakeMailbox : IAsyncDisposable
{
    /// <summary>The header block fetched to decide about a message; a longer one is cut (an MTA refuses far shorter).</summary>
    public const int MaxHeaderBytes = 256 * 1024;

    private readonly ImapClient client;
    private readonly IMailFolder folder;
    private readonly string server;

    private IntakeMailbox(ImapClient client, IMailFolder folder, string server)
    {
        this.client = client;
        this.folder = folder;
        this.server = server;
    }

    /// <summary>A message waiting in the mailbox: its UID, the folder's UIDVALIDITY and its size as the server reports them.</summary>
    public sealed record Item(UniqueId Uid, long? Size, uint UidValidity)
    {
        /// <summary>
        /// Names this message in this mailbox for good (RFC 3501: a UID is never given to another
        /// message under the same UIDVALIDITY), known before anything of it is fetched.
        /// </summary>
        public string Key => $"{UidValidity}.{Uid.Id}";
    }

    public bool CanIdle => client.Capabilities.HasFlag(ImapCapabilities.Idle);

    /// <summary>Messages in the mailbox as the server last said.</summary>
    public int Count => folder.Count;

    public static async Task<IntakeMailbox> OpenAsync(IntakeOptions settings, CancellationToken cancellationToken)
    {
        var server = $"{settings.Host}:{settings.Port}";
        if (settings.Security == EmailSecurity.None && !settings.InsecureAllowed)
        {
            throw new IntakeMailboxException("Intake:Security is None but Intake:AllowInsecure is not set: the intake mailbox was not read.");
        }

        var client = new ImapClient
        {
            Timeout = settings.ConnectTimeoutSeconds * 1000,
            ServerCertificateValidationCallback = MailServerCertificates.Check(settings.CertificateAuthorityFile),
        };
        try
        {
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connecting.CancelAfter(TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds));
                try
                {
                    await client.ConnectAsync(settings.Host ?? "", settings.Port, SocketOptions(settings), connecting.Token);
                }
                catch (OperationCanceledException) when (connecting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new IntakeMailboxException($"Connecting to the intake mailbox server {server} took longer than {settings.ConnectTimeoutSeconds} s.");
                }
            }

            if (!client.IsSecure && !settings.InsecureAllowed)
            {
                // Cannot happen with the socket options chosen; checked all the same, as it is what this class promises.
                throw new IntakeMailboxException($"The connection to the intake mailbox server {server} is not encrypted and Intake:AllowInsecure is not set.");
            }

            client.Timeout = settings.TimeoutSeconds * 1000;
            await client.AuthenticateAsync(settings.UserName ?? "", settings.Password ?? "", cancellationToken);
            var folder = await client.GetFolderAsync(settings.Mailbox, cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            return new IntakeMailbox(client, folder, server);
        }
        catch (Exception exception)
        {
            // Never leave a half-made session (not yet encrypted or not signed in) behind.
            var secure = client.IsSecure;
            client.Dispose();
            throw Translate(exception, server, "opening the mailbox", secure, cancellationToken);
        }
    }

    /// <summary>Removes what an earlier run stored and flagged but could not expunge (it stopped in between).</summary>
    public Task ExpungeFlaggedAsync(CancellationToken cancellationToken) =>
        GuardAsync("expunging", () => folder.ExpungeAsync(cancellationToken), cancellationToken);

    /// <summary>The next messages, oldest first, at most <paramref name="count"/>.</summary>
    public Task<IReadOnlyList<Item>> NextAsync(int count, CancellationToken cancellationToken) =>
        GuardAsync<IReadOnlyList<Item>>("listing messages", async () =>
        {
            var uids = await folder.SearchAsync(SearchQuery.NotDeleted, cancellationToken);
            if (uids.Count == 0)
            {
                return [];
            }

            var first = uids.OrderBy(u => u.Id).Take(count).ToList();
            var summaries = await folder.FetchAsync(first, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size), cancellationToken);
            var sizes = summaries.ToDictionary(s => s.UniqueId, s => (long?)s.Size);
            return first.Select(uid => new Item(uid, sizes.GetValueOrDefault(uid), folder.UidValidity)).ToList();
        }, cancellationToken);

    /// <summary>The message's header block as it is stored, at most <see cref="MaxHeaderBytes"/>.</summary>
    public Task<byte[]> HeaderAsync(Item item, CancellationToken cancellationToken) =>
        GuardAsync("fetching a header", async () =>
        {
            await using var stream = await folder.GetStreamAsync(item.Uid, "HEADER", 0, MaxHeaderBytes, cancellationToken);
            return await ReadAllAsync(stream, MaxHeaderBytes, cancellationToken) ?? [];
        }, cancellationToken);

    /// <summary>The whole message as it is stored, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public Task<byte[]?> MessageAsync(Item item, long maxBytes, CancellationToken cancellationToken) =>
        GuardAsync("fetching a message", async () =>
        {
            await using var stream = await folder.GetStreamAsync(item.Uid, cancellationToken);
            return await ReadAllAsync(stream, maxBytes, cancellationToken);
        }, cancellationToken);

    /// <summary>Flags a message \Deleted: done with, whatever became of it.</summary>
    public Task DeleteAsync(Item item, CancellationToken cancellationToken) =>
        GuardAsync("deleting a message", () => folder.StoreAsync(item.Uid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, cancellationToken), cancellationToken);

    /// <summary>Removes the given messages for good (all flagged ones where the server cannot expunge by UID).</summary>
    public Task ExpungeAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken) =>
        GuardAsync("expunging", () => client.Capabilities.HasFlag(ImapCapabilities.UidPlus)
            ? folder.ExpungeAsync(items.Select(i => i.Uid).ToList(), cancellationToken)
            : folder.ExpungeAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Waits in IDLE until a message arrives (true), <paramref name="longest"/> has passed or
    /// <paramref name="stopping"/> is cancelled (false).
    /// </summary>
    public async Task<bool> WaitForMailAsync(TimeSpan longest, CancellationToken stopping, CancellationToken cancellationToken)
    {
        if (stopping.IsCancellationRequested)
        {
            return false;
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        done.CancelAfter(longest);
        var arrived = false;
        void OnCountChanged(object? sender, EventArgs e)
        {
            if (folder.Count > 0)
            {
                arrived = true;
                done.Cancel();
            }
        }

        folder.CountChanged += OnCountChanged;
        try
        {
            await GuardAsync("waiting for mail (IDLE)", () => client.IdleAsync(done.Token, cancellationToken), cancellationToken);
        }
        finally
        {
            folder.CountChanged -= OnCountChanged;
        }

        return arrived;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
            {
                using var logout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await client.DisconnectAsync(quit: true, logout.Token);
            }
        }
        catch (Exception exception) when (IsNetworkFailure(exception, CancellationToken.None) || exception is ImapCommandException)
        {
            // Every message was stored and flagged already; a LOGOUT that goes wrong changes nothing.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static SecureSocketOptions SocketOptions(IntakeOptions settings) => settings.Security switch
    {
        EmailSecurity.StartTls => SecureSocketOptions.StartTls,
        EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        EmailSecurity.None => SecureSocketOptions.None,
        _ when settings.Port == 993 => SecureSocketOptions.SslOnConnect,
        _ => settings.InsecureAllowed ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.StartTls,
    };

    private static async Task<byte[]?> ReadAllAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    private async Task GuardAsync(string stage, Func<Task> work, CancellationToken cancellationToken) =>
        await GuardAsync(stage, async () =>
        {
            await work();
            return true;
        }, cancellationToken);

    private async Task<T> GuardAsync<T>(string stage, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work();
        }
        catch (Exception exception) when (exception is not IntakeMailboxException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Translate(exception, server, stage, client.IsSecure, cancellationToken);
        }
    }

    private static Exception Translate(Exception exception, string server, string stage, bool secure, CancellationToken cancellationToken) => exception switch
    {
        IntakeMailboxException => exception,
        OperationCanceledException when cancellationToken.IsCancellationRequested => exception,
        AuthenticationException => new IntakeMailboxException($"The intake mailbox server {server} did not accept Intake:UserName and Intake:Password.", exception),
        SslHandshakeException => new IntakeMailboxException($"The TLS handshake with the intake mailbox server {server} failed (certificate not trusted, wrong name, or no common protocol).", exception),
        NotSupportedException when !secure => new IntakeMailboxException($"The intake mailbox server {server} does not offer STARTTLS and Intake:AllowInsecure is not set.", exception),
        FolderNotFoundException => new IntakeMailboxException($"The intake mailbox server {server} has no folder named by Intake:Mailbox.", exception),
        ImapCommandException refused => new IntakeMailboxException($"The intake mailbox server {server} refused {stage} ({refused.Response}).", exception),
        _ when IsNetworkFailure(exception, cancellationToken) => new IntakeMailboxException($"Reading the intake mailbox at {server} failed while {stage} ({Describe(exception)}).", exception),
        _ => exception,
    };

    private static bool IsNetworkFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is SocketException or IOException or TimeoutException or ProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Describe(Exception exception) => exception switch
    {
        SocketException socket => socket.SocketErrorCode.ToString(),
        OperationCanceledException or TimeoutException => "timed out",
        _ => exception.GetType().Name,
    };
}
