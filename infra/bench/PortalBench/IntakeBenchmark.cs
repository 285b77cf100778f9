using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Portal.Core.Data;

namespace PortalBench;

/// <summary>
/// Forwarding intake (issue 14): a backlog of forwarded emails waiting in the intake mailbox (a
/// loopback dovecot that infra/bench/forwarding-intake starts) is read, stored as evidence and
/// analysed by the real Portal.Web (Production, SQLite, keys generated), its recurring job firing
/// every second. Cases are filed over HTTP first; the backlog is put in with IMAP APPEND while the
/// portal is stopped, so the clock starts with a full mailbox.
/// </summary>
internal static class IntakeBenchmark
{
    private const int Cases = 100;
    private const string Domain = "intake.bench.example";

    public static async Task<int> RunAsync(string portalDll, int messages)
    {
        var server = Environment.GetEnvironmentVariable("PORTAL_BENCH_IMAP") ?? throw new InvalidOperationException("PORTAL_BENCH_IMAP is not set: run infra/bench/forwarding-intake.");
        var password = Environment.GetEnvironmentVariable("PORTAL_BENCH_IMAP_PASSWORD") ?? throw new InvalidOperationException("PORTAL_BENCH_IMAP_PASSWORD is not set.");
        var colon = server.LastIndexOf(':');
        var (host, port) = (server[..colon], int.Parse(server[(colon + 1)..], CultureInfo.InvariantCulture));
        var user = "bench-" + Guid.NewGuid().ToString("N")[..12];
        var work = Directory.CreateTempSubdirectory("portal-intake-bench-");
        Console.WriteLine($"# Forwarding intake benchmark, {Environment.ProcessorCount} cores, {messages} messages for {Cases} cases, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Intake__Host"] = host,
                ["Intake__Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["Intake__Security"] = "None",
                ["Intake__AllowInsecure"] = "true",
                ["Intake__UserName"] = user,
                ["Intake__Password"] = password,
                ["Intake__Address"] = "intake@" + Domain,
                ["RateLimits__ReportPermits"] = "1000000",
                ["Jobs__ForwardingIntakeSchedule"] = "0 0 31 2 *",
            };

            List<string> addresses;
            using (var portal = PortalProcess.Start(portalDll, work.FullName, settings))
            {
                await portal.WaitReadyAsync();
                addresses = await FileCasesAsync(portal.Address);
            }

            var backlog = Backlog(addresses, messages);
            var appended = Stopwatch.StartNew();
            await AppendAsync(host, port, user, password, backlog);
            Console.WriteLine($"backlog of {backlog.Count} messages ({backlog.Sum(m => (long)m.Length) / 1024} KiB) appended in {appended.Elapsed.TotalSeconds:0.0} s");

            settings["Jobs__ForwardingIntakeSchedule"] = "* * * * *";
            var dataDirectory = Path.Combine(work.FullName, "portal");
            await using var services = QueueBenchmark.Services(dataDirectory);
            var clock = Stopwatch.StartNew();
            using var reader = PortalProcess.Start(portalDll, work.FullName, settings);
            await reader.WaitReadyAsync();
            var ready = clock.Elapsed;
            TimeSpan? stored = null;
            TimeSpan? analysed = null;
            var deadline = TimeSpan.FromSeconds(300);
            while (clock.Elapsed < deadline)
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                var forwarded = db.EvidenceFiles.AsNoTracking().Where(e => e.Source == EvidenceSource.Forwarded || e.Source == EvidenceSource.ForwardedInline);
                var count = await forwarded.CountAsync();
                if (count >= messages && stored is null)
                {
                    stored = clock.Elapsed;
                }

                if (stored is not null && !await forwarded.AnyAsync(e => e.AnalysisState == AnalysisState.Pending))
                {
                    analysed = clock.Elapsed;
                    break;
                }

                await Task.Delay(100);
            }

            var left = await CountAsync(host, port, user, password);
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                var counts = await db.IntakeStatistics.AsNoTracking().SingleAsync();
                var forwarded = db.EvidenceFiles.AsNoTracking().Where(e => e.Source == EvidenceSource.Forwarded || e.Source == EvidenceSource.ForwardedInline);
                var first = await forwarded.MinAsync(e => (DateTime?)e.ReceivedAt);
                var last = await forwarded.MaxAsync(e => (DateTime?)e.ReceivedAt);
                var states = await db.EvidenceFiles.AsNoTracking().GroupBy(e => e.AnalysisState).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
                var indicators = await db.CaseIndicators.CountAsync();
                Console.WriteLine();
                var storing = last - first;
                Console.WriteLine("| messages | portal ready (s) | all stored (s) | all analysed (s) | first to last file stored (s) | stored/s | duplicates | refused | left in mailbox | files by analysis state | indicators | load average |");
                Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
                Console.WriteLine($"| {messages} | {ready.TotalSeconds:0.0} | {Seconds(stored)} | {Seconds(analysed)} | {Seconds(storing)} | {(storing is { TotalSeconds: > 0 } s ? messages / s.TotalSeconds : 0):0} | {counts.Duplicates} | {counts.Refused} | {left} | {string.Join(", ", states.Select(x => $"{x.Key} {x.Count}"))} | {indicators} | {Load()} |");
            }

            var met = analysed is { } done && done < TimeSpan.FromSeconds(60) && left == 0;
            Console.WriteLine();
            Console.WriteLine($"target: {messages} forwarded messages stored and analysed in under 60 s (from the portal's start, with a full mailbox): {(met ? "met" : "NOT met")} ({Seconds(analysed)} s)");
            return met ? 0 : 1;
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Temp files; the OS cleans them.
            }
        }
    }

    /// <summary>The machine's 1-minute load average: the figures mean little when other work fills the cores.</summary>
    private static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "-";

    private static string Seconds(TimeSpan? at) => at is { } value ? value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>Files reports over HTTP, as victims do, and keeps the forwarding address each receipt shows.</summary>
    private static async Task<List<string>> FileCasesAsync(Uri portal)
    {
        var addresses = new List<string>();
        for (var i = 0; i < Cases; i++)
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = portal };
            var form = await client.GetStringAsync("/report");
            using var response = await client.PostAsync("/report", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__af"] = Hidden(form, "__af"),
                ["SubmissionId"] = Hidden(form, "SubmissionId"),
                ["WhatHappened"] = "An email threatened to publish my therapy notes.",
                ["Paid"] = "No",
                ["DataPublished"] = "Unsure",
                ["RiskSelfHarm"] = "false",
                ["RiskImmediateDanger"] = "false",
                ["ContactPreference"] = "PortalOnly",
                ["PreferredLanguage"] = "fi",
            }));
            var page = await response.Content.ReadAsStringAsync();
            addresses.Add(Regex.Match(page, "data-testid=\"forwarding-address\">([^<]+)<") is { Success: true } match
                ? WebUtility.HtmlDecode(match.Groups[1].Value).Trim()
                : throw new InvalidOperationException($"The receipt showed no forwarding address ({response.StatusCode})."));
        }

        return addresses;
    }

    /// <summary>
    /// Distinct extortion emails (each a different sender, Message-ID, amount and link, some with an
    /// HTML part), nine in ten forwarded as attachment and one inline, spread over the cases.
    /// </summary>
    private static List<byte[]> Backlog(List<string> addresses, int messages)
    {
        var random = new Random(14);
        var backlog = new List<byte[]>(messages);
        for (var i = 0; i < messages; i++)
        {
            var to = addresses[i % addresses.Count];
            var id = Guid.NewGuid().ToString("N");
            var amount = (random.Next(1, 50) / 10.0).ToString("0.0", CultureInfo.InvariantCulture);
            var body = $"""
                Hei,

                meillä on terapiamuistiinpanosi. Maksa {amount} BTC osoitteeseen bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq
                24 tunnin kuluessa, tai julkaisemme ne. Lisätietoja: https://leak-{random.Next(40)}.example/victims/{id}
                Vastaa osoitteeseen ransom-{random.Next(40)}@extortion.example.

                {string.Join("\n", Enumerable.Range(0, 40).Select(n => $"Rivi {n}: tämä viesti on automaattisesti luotu testiä varten, {id}."))}
                """;
            var original = Crlf($"""
                Return-Path: <bounce-{id}@mailer.extortion.example>
                Received: from mailer.extortion.example (mailer.extortion.example [203.0.113.{random.Next(1, 250)}])
                	by mx.victim.example with ESMTPS id {id}; Thu, 22 Oct 2020 09:14:03 +0300
                From: "Ransom Team" <ransom-{random.Next(40)}@extortion.example>
                To: victim-{i}@victim.example
                Subject: =?utf-8?q?Terapiamuistiinpanosi_=E2=80=93_viimeinen_varoitus?=
                Date: Thu, 22 Oct 2020 09:13:58 +0300
                Message-ID: <{id}@extortion.example>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: 8bit

                {body}
                """);
            backlog.Add(i % 10 == 9 ? Inline(to, body) : AsAttachment(to, original));
        }

        return backlog;
    }

    private static byte[] AsAttachment(string to, byte[] original) =>
    [
        .. Crlf($"""
            From: Victim <victim@victim.example>
            To: {to}
            Subject: Fwd: Terapiamuistiinpanosi
            Date: Mon, 23 Nov 2026 09:00:00 +0200
            Message-ID: <{Guid.NewGuid():N}@victim.example>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="fwd"

            --fwd
            Content-Type: text/plain; charset=utf-8

            Tässä viesti.
            --fwd
            Content-Type: message/rfc822


            """),
        .. original,
        .. Crlf("\n--fwd--\n"),
    ];

    private static byte[] Inline(string to, string body) => Crlf($"""
        From: Victim <victim@victim.example>
        To: {to}
        Subject: Fwd: Terapiamuistiinpanosi
        Date: Mon, 23 Nov 2026 09:00:00 +0200
        Message-ID: <{Guid.NewGuid():N}@victim.example>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        ---------- Forwarded message ---------
        From: Ransom Team <ransom@extortion.example>

        {body}
        """);

    private static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"));

    private static async Task AppendAsync(string host, int port, string user, string password, List<byte[]> backlog)
    {
        using var client = new ImapClient();
        await client.ConnectAsync(host, port, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, password);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        foreach (var chunk in backlog.Chunk(100))
        {
            var requests = chunk.Select(raw => (IAppendRequest)new AppendRequest(MimeMessage.Load(new MemoryStream(raw, writable: false)))).ToList();
            await client.Inbox.AppendAsync(requests);
        }

        await client.DisconnectAsync(quit: true);
    }

    private static async Task<int> CountAsync(string host, int port, string user, string password)
    {
        using var client = new ImapClient();
        await client.ConnectAsync(host, port, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var count = client.Inbox.Count;
        await client.DisconnectAsync(quit: true);
        return count;
    }

    private static string Hidden(string page, string name) =>
        Regex.Match(page, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"") is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : Regex.Match(page, $"value=\"([^\"]*)\"[^>]*name=\"{Regex.Escape(name)}\"").Groups[1].Value;
}
