using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Support;

/// <summary>
/// An SMTP server that is down (nothing listens on its port: connections are refused) until
/// <see cref="Up"/>, and from then on relays every connection, byte for byte, to the loopback
/// SMTP server infra/test started. For "the mail server was down, then came back".
/// </summary>
public sealed class SwitchableSmtp : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> relays = [];
    private TcpListener? listener;

    public int Port { get; } = TestMailbox.ClosedPort();

    /// <summary>Settings that point a portal at this server, unencrypted like the sink behind it.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Email:Host", "127.0.0.1"),
        new("Email:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Email:Security", "None"),
        new("Email:AllowInsecure", "true"),
        new("Email:TimeoutSeconds", "5"),
    ];

    public void Up()
    {
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        lock (relays)
        {
            relays.Add(AcceptAsync(listener));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener?.Stop();
        Task[] running;
        lock (relays)
        {
            running = [.. relays];
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (Exception stopped) when (stopped is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // Connections cut by the stop; the test is over.
        }

        stop.Dispose();
    }

    private async Task AcceptAsync(TcpListener accepting)
    {
        var sink = TestMailbox.SmtpOptions();
        while (!stop.IsCancellationRequested)
        {
            var client = await accepting.AcceptTcpClientAsync(stop.Token);
            lock (relays)
            {
                relays.Add(RelayAsync(client, sink.Host ?? "127.0.0.1", sink.Port));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, string host, int port)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(host, port, stop.Token);
            var fromClient = client.GetStream().CopyToAsync(server.GetStream(), stop.Token);
            var fromServer = server.GetStream().CopyToAsync(client.GetStream(), stop.Token);
            await Task.WhenAny(fromClient, fromServer);
        }
    }
}
