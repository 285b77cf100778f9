using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Portal.Core.Data;

namespace Portal.Tests.Integration.Deployment;

/// <summary>The portal as infra/deploy/portal.service runs it behind nginx: forwarded headers on, __Host- cookies.</summary>
public sealed class ForwardedKestrelPortalFactory : KestrelPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Security:HttpsCookies", "true"), new("ForwardedHeaders:Enabled", "true")];
}

/// <summary>
/// With forwarded headers trusted from the proxy on loopback, as deployed, every route the portal
/// maps gets forged and malformed X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host values
/// and bad Host headers (written on the socket by hand, as no HTTP client would send them), from a
/// visitor, a victim and an admin. Every answer must be 2xx, 3xx or 4xx, the log must hold no
/// unhandled exception, and no forged client address may reach the log.
/// </summary>
public sealed class ForwardedHeadersTests(ForwardedKestrelPortalFactory factory) : IClassFixture<ForwardedKestrelPortalFactory>
{
    /// <summary>A client address only the forged headers carry; it must never be logged.</summary>
    private const string ForgedAddress = "198.51.100.23";

    /// <summary>The Host the identities use; replaced where a variant sends a Host of its own.</summary>
    private const string SiteHost = "{site}";

    /// <summary>In a variant's headers: send the request as HTTP/1.0, where a Host may be left out.</summary>
    private const string Http10 = "HTTP/1.0";

    /// <summary>What nginx adds to every request (the portal is reached on loopback over plain HTTP).</summary>
    private static readonly Dictionary<string, string> AsProxied = new(StringComparer.Ordinal) { ["X-Forwarded-Proto"] = "https" };

    private static readonly (string Name, string[] Headers)[] Forgeries =
    [
        ("as nginx sends", [$"Host: {SiteHost}", $"X-Forwarded-For: {ForgedAddress}", "X-Forwarded-Proto: https"]),
        ("a forged chain", [$"Host: {SiteHost}", $"X-Forwarded-For: {ForgedAddress}, 10.0.0.1, ::1, not-an-address", "X-Forwarded-Proto: https, http, javascript"]),
        ("addresses out of range", [$"Host: {SiteHost}", "X-Forwarded-For: 999.999.999.999:99999", "X-Forwarded-Proto: https"]),
        ("IPv6 with a bad port", [$"Host: {SiteHost}", "X-Forwarded-For: [2001:db8::1]:70000, [::1", "X-Forwarded-Proto: HTTPS"]),
        ("empty values", [$"Host: {SiteHost}", "X-Forwarded-For: ", "X-Forwarded-Proto: ", "X-Forwarded-Host: "]),
        ("odd schemes", [$"Host: {SiteHost}", $"X-Forwarded-For: {ForgedAddress}", "X-Forwarded-Proto: java script:alert(1)//"]),
        ("plain http forwarded", [$"Host: {SiteHost}", $"X-Forwarded-For: {ForgedAddress}", "X-Forwarded-Proto: http"]),
        ("non-ASCII", [$"Host: {SiteHost}", "X-Forwarded-For: 198.51.100.ä", "X-Forwarded-Proto: httpsä", "X-Forwarded-Host: évil.example"]),
        ("a forged host and prefix", [$"Host: {SiteHost}", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example:8443", "X-Forwarded-Prefix: /../evil", "Forwarded: for=\"[::1\";proto=https;host=evil.example"]),
        ("a long chain", [$"Host: {SiteHost}", "X-Forwarded-For: " + string.Join(", ", Enumerable.Repeat(ForgedAddress, 400)), "X-Forwarded-Proto: " + string.Join(",", Enumerable.Repeat("https", 400))]),
        ("repeated headers", [$"Host: {SiteHost}", $"X-Forwarded-For: {ForgedAddress}", "X-Forwarded-For: 203.0.113.200", "X-Forwarded-Proto: https", "X-Forwarded-Proto: http"]),
        ("another site's name", ["Host: evil.example", "X-Forwarded-Proto: https"]),
        ("a port out of range", ["Host: 127.0.0.1:99999", "X-Forwarded-Proto: https"]),
        ("a non-ASCII host", ["Host: pörtal.example", "X-Forwarded-Proto: https"]),
        ("an empty host", ["Host: ", "X-Forwarded-Proto: https"]),
        ("an unclosed IPv6 host", ["Host: [::1", "X-Forwarded-Proto: https"]),
        ("a host with a path", ["Host: evil.example/x?y=1", "X-Forwarded-Proto: https"]),
        ("two hosts", [$"Host: {SiteHost}", "Host: evil.example", "X-Forwarded-Proto: https"]),
        ("no host", ["X-Forwarded-Proto: https"]),
        ("HTTP/1.0 with no host", [Http10, $"X-Forwarded-For: {ForgedAddress}", "X-Forwarded-Proto: https"]),
    ];

    [Fact]
    public async Task EveryRoute_WithForgedForwardedHeadersAndBadHosts_AnswersBelow500_AndLogsNoUnhandledExceptionNorForgedAddress()
    {
        var endpoints = RouteFuzzing.Endpoints(factory.Services);
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints found");
        var identities = new List<FuzzIdentity>
        {
            await RouteFuzzing.VisitorAsync(factory, junkCookies: true, AsProxied),
            await RouteFuzzing.VictimAsync(factory, AsProxied),
            await RouteFuzzing.StaffAsync(factory, StaffRoles.Admin, AsProxied),
        };

        // Every route gets every forgery once, from each identity in turn: a third each.
        var serverErrors = new ConcurrentQueue<string>();
        var answers = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, identities.Count), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, cancellationToken) =>
        {
            var identity = identities[i];
            var ordered = endpoints.OrderBy(e => RouteFuzzing.EndsASession(e.Pattern)).ToList();
            for (var e = 0; e < ordered.Count; e++)
            {
                var (pattern, method, endpoint) = ordered[e];
                var path = RouteFuzzing.Path(endpoint.RoutePattern, "00000000-0000-0000-0000-000000000000");
                for (var f = 0; f < Forgeries.Length; f++)
                {
                    if ((e + f) % identities.Count != i)
                    {
                        continue;
                    }

                    var (name, headers) = Forgeries[f];
                    var status = await SendRawAsync(identity, method, path, headers, cancellationToken);
                    answers.AddOrUpdate(status / 100, 1, (_, n) => n + 1);
                    if (status is < 200 or >= 500)
                    {
                        serverErrors.Enqueue($"{status} for {identity.Name}: {method} {path} with {name}");
                    }
                }
            }
        });

        var sent = answers.Values.Sum();
        var unhandled = factory.Logs.Lines.Where(UnhandledExceptionLog.IsUnhandled).ToList();
        Assert.True(sent >= endpoints.Count * Forgeries.Length, $"only {sent} requests answered");
        Assert.True(serverErrors.IsEmpty, $"{serverErrors.Count} of {sent} requests answered outside 2xx-4xx:\n{string.Join("\n", serverErrors.Take(40))}\nThe first exceptions logged:\n{string.Join("\n", unhandled.Take(2))}");
        // The forgeries reached the actions, not only Kestrel's refusals: pages and redirects came back too.
        Assert.True(answers.GetValueOrDefault(2) > 0 && answers.GetValueOrDefault(3) > 0 && answers.GetValueOrDefault(4) > 0, $"answers by class: {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key}xx: {a.Value}"))}");

        Assert.True(unhandled.Count == 0, $"{unhandled.Count} unhandled exceptions logged:\n{string.Join("\n", unhandled.Take(10))}");
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(ForgedAddress, StringComparison.Ordinal));
    }

    /// <summary>
    /// One request written on a socket of its own, headers as raw UTF-8 bytes exactly as given,
    /// with the identity's cookies and a form body holding its antiforgery token for a POST;
    /// returns the status the portal answered (0 if it closed without one).
    /// </summary>
    private async Task<int> SendRawAsync(FuzzIdentity identity, string method, string path, string[] headers, CancellationToken cancellationToken)
    {
        var body = method == "POST"
            ? Encoding.UTF8.GetBytes("receiptKey=x&Email=a%40b.example&Code=1&shared=true&Text=x&__af=" + Uri.EscapeDataString(identity.Token))
            : [];
        var head = new StringBuilder($"{method} {path}?returnUrl=%2Fstaff {(headers.Contains(Http10) ? Http10 : "HTTP/1.1")}\r\n");
        foreach (var header in headers.Where(h => h != Http10))
        {
            head.Append(header.Replace(SiteHost, factory.Address.Authority, StringComparison.Ordinal)).Append("\r\n");
        }

        head.Append("Cookie: ").Append(identity.CookieHeader).Append("\r\n");
        if (method == "POST")
        {
            head.Append("Content-Type: application/x-www-form-urlencoded\r\n").Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var socket = new TcpClient();
        await socket.ConnectAsync(factory.Address.Host, factory.Address.Port, timeout.Token);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), timeout.Token);
        await stream.WriteAsync(body, timeout.Token);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        var statusLine = Encoding.ASCII.GetString(answer.GetBuffer(), 0, (int)Math.Min(answer.Length, 32));
        return statusLine.Length >= 12 && (statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || statusLine.StartsWith("HTTP/1.0 ", StringComparison.Ordinal)) && int.TryParse(statusLine.AsSpan(9, 3), out var status) ? status : 0;
    }
}
