using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;

namespace PortalBench;

/// <summary>
/// The kill -9 drill of issue 12: the portal as an operator runs it (embedded default: SQLite,
/// local files, mail to the outbox, jobs in process) under concurrent reports, uploads and
/// crisis-line routing, killed with SIGKILL at random moments, cycle after cycle. Then one
/// clean start and the checks: every acknowledged report opens with its key, every acknowledged
/// file decrypts to its hash, every saved report and file is in the audit trail (and the chain
/// verifies), no file without a row and no temporary file remain, no canary text is readable in
/// the data directory, no form was stored twice and no partner got the same email twice.
/// </summary>
internal static partial class Drill
{
    private const int Clients = 6;

    public static async Task<int> RunAsync(string portalDll, int cycles)
    {
        var work = Directory.CreateTempSubdirectory("portal-drill-");
        var data = Path.Combine(work.FullName, "portal");
        var random = new Random(20261206);
        var settings = new Dictionary<string, string>
        {
            ["Demo__Enabled"] = "true",
            ["Jobs__Enabled"] = "true",
            ["RateLimits__ReceiptLookupPermits"] = "1000000",
            ["RateLimits__ReportPermits"] = "1000000",
            ["RateLimits__UploadPermits"] = "1000000",
        };
        var ledger = new Ledger();
        var stopwatch = Stopwatch.StartNew();
        Console.Error.WriteLine($"drill: {cycles} kill -9 cycles, {Clients} clients, data in {data}");

        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            using var portal = PortalProcess.Start(portalDll, work.FullName, settings);
            await portal.WaitReadyAsync();
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, Clients).Select(i => WorkAsync(portal.Address, ledger, new Random(random.Next()), stop.Token)).ToList();

            // A random moment under load, then SIGKILL: nothing of the portal's shutdown runs.
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1500, 6000)));
            portal.Dispose();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            Console.Error.WriteLine($"drill: cycle {cycle} killed; so far {ledger.Reports.Count} reports and {ledger.Files.Count} files acknowledged");
        }

        // One clean start: recovery before serving, follow-up work drained, then the checks.
        settings["Evidence__AbandonedUploadAge"] = "00:00:00";
        using (var portal = PortalProcess.Start(portalDll, work.FullName, settings))
        {
            await portal.WaitReadyAsync();
            var problems = new List<string>();
            var figures = await CheckAsync(portal.Address, data, ledger, problems);
            Console.WriteLine("| drill | figure |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| kill -9 cycles | {cycles} |");
            Console.WriteLine($"| duration | {stopwatch.Elapsed.TotalSeconds:F0} s |");
            foreach (var (name, value) in figures)
            {
                Console.WriteLine($"| {name} | {value} |");
            }

            Console.WriteLine($"| problems | {problems.Count} |");
            foreach (var problem in problems.Take(50))
            {
                Console.Error.WriteLine("drill: " + problem);
            }

            if (problems.Count == 0)
            {
                work.Delete(recursive: true);
            }

            return problems.Count == 0 ? 0 : 1;
        }
    }

    /// <summary>One victim after another: a report, often an email upload, sometimes the same form sent twice.</summary>
    private static async Task WorkAsync(Uri address, Ledger ledger, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
                var form = await client.GetStringAsync("/report", stop);
                var answers = Answers(form, random);
                var (reference, key) = await SubmitAsync(client, answers, stop);
                if (reference is null || key is null)
                {
                    continue;
                }

                ledger.Acknowledge(reference, key, answers["SubmissionId"]);
                if (random.NextDouble() < 0.15)
                {
                    // The browser's resend of the same form: a new key replaces the first.
                    var (again, newKey) = await SubmitAsync(client, answers, stop);
                    if (again == reference && newKey is not null)
                    {
                        ledger.Acknowledge(reference, newKey, answers["SubmissionId"]);
                        ledger.CountReissue();
                    }
                }

                if (random.NextDouble() < 0.6)
                {
                    await UploadAsync(client, reference, random, ledger, stop);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                // The portal died under this victim: whatever was not acknowledged does not count.
            }
        }
    }

    private static Dictionary<string, string> Answers(string form, Random random)
    {
        var urgent = random.NextDouble() < 0.3;
        return new Dictionary<string, string>
        {
            ["__af"] = Hidden(form, "__af"),
            ["SubmissionId"] = Hidden(form, "SubmissionId"),
            ["WhatHappened"] = $"DRILL-CANARY-{Guid.NewGuid():N} an email threatened to publish my therapy notes",
            ["EmailReceivedOn"] = "2026-11-20",
            ["Paid"] = "No",
            ["DataPublished"] = "Unsure",
            ["RiskSelfHarm"] = urgent ? "true" : "false",
            ["RiskImmediateDanger"] = "false",
            ["ConsentCounselling"] = urgent ? "true" : "false",
            ["ConsentPolice"] = random.NextDouble() < 0.5 ? "true" : "false",
            ["ContactPreference"] = "PortalOnly",
            ["PreferredLanguage"] = "fi",
        };
    }

    private static async Task<(string? Reference, string? Key)> SubmitAsync(HttpClient client, Dictionary<string, string> answers, CancellationToken stop)
    {
        using var response = await client.PostAsync("/report", new FormUrlEncodedContent(answers), stop);
        var page = await response.Content.ReadAsStringAsync(stop);
        return response.StatusCode == HttpStatusCode.OK
            ? (TestId(page, "reference"), TestId(page, "receipt-key"))
            : (null, null);
    }

    private static async Task UploadAsync(HttpClient client, string reference, Random random, Ledger ledger, CancellationToken stop)
    {
        var page = await client.GetStringAsync("/status/evidence", stop);
        var token = Regex.Match(page, "class=\"upload-form\"[\\s\\S]*?name=\"__af\" value=\"([^\"]+)\"").Groups[1].Value;
        var email = Encoding.UTF8.GetBytes($"""
            From: "Ransom" <ransom-{random.Next(20)}@extortion.example>
            To: victim@victim.example
            Subject: Your therapy records
            Date: Thu, 22 Oct 2020 09:13:58 +0300
            Message-ID: <{Guid.NewGuid():N}@extortion.example>
            Content-Type: text/plain; charset=utf-8

            DRILL-CANARY-{Guid.NewGuid():N} pay 0.1 BTC within 24 hours to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.
            """.ReplaceLineEndings("\r\n"));
        using var content = new MultipartFormDataContent("----drill-boundary");
        content.Add(new StringContent(token), "__af");
        var file = new ByteArrayContent(email);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        content.Add(file, "file", "ransom.eml");
        using var response = await client.PostAsync("/status/evidence", content, stop);
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString is { } location && location.Contains("added=", StringComparison.Ordinal))
        {
            ledger.Files.Add(new AcknowledgedFile(reference, Guid.Parse(Regex.Match(location, "added=([0-9a-f-]{36})").Groups[1].Value), SHA256.HashData(email)));
        }
    }

    private static async Task<List<(string, string)>> CheckAsync(Uri address, string data, Ledger ledger, List<string> problems)
    {
        var options = new DbContextOptionsBuilder<SqlitePortalDbContext>();
        PortalDatabase.Configure(options, new DatabaseOptions(), data);
        await using var db = new SqlitePortalDbContext(options.Options);

        // Follow-up work the dead nodes left is picked up at start: wait for it to drain.
        var drained = Stopwatch.StartNew();
        while (await db.Referrals.AnyAsync(r => r.Status == ReferralStatus.Pending) || await db.EvidenceFiles.AnyAsync(e => e.AnalysisState == AnalysisState.Pending))
        {
            if (drained.Elapsed > TimeSpan.FromMinutes(5))
            {
                problems.Add("follow-up work still pending after 5 minutes");
                break;
            }

            await Task.Delay(500);
        }

        // Every acknowledged report opens with the last key its victim was shown.
        var opened = 0;
        foreach (var (reference, report) in ledger.Reports)
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = address };
            var form = await client.GetStringAsync("/status/open");
            using var response = await client.PostAsync("/status/open", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__af"] = Hidden(form, "__af"),
                ["Reference"] = reference,
                ["ReceiptKey"] = report.Key,
            }));
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                opened++;
            }
            else
            {
                problems.Add($"acknowledged report {reference} does not open with its key ({(int)response.StatusCode})");
            }
        }

        // Stored once: one case per form sent, and every drill case audited as submitted.
        var submissions = ledger.Reports.Values.Select(r => Guid.Parse(r.SubmissionId)).ToHashSet();
        var cases = await db.Cases.AsNoTracking().Select(c => new { c.Id, c.Reference, c.SubmissionId }).ToListAsync();
        foreach (var duplicate in cases.GroupBy(c => c.SubmissionId).Where(g => g.Count() > 1))
        {
            problems.Add($"form {duplicate.Key} stored as {duplicate.Count()} cases");
        }

        var audited = await db.AuditEntries.AsNoTracking().Select(e => new { e.Action, e.CaseId, e.Subject }).ToListAsync();
        var submitted = audited.Where(e => e.Action == AuditActions.ReportSubmitted).Select(e => e.CaseId).ToHashSet();
        // Every case but the demo's few (seeded, not filed) was sent by the drill.
        var demo = (await db.Cases.AsNoTracking().Where(c => c.SubmissionDigest == null).Select(c => c.Id).ToListAsync()).ToHashSet();
        var drillCases = cases.Where(c => !demo.Contains(c.Id)).ToList();
        var unknown = drillCases.Count(c => !submissions.Contains(c.SubmissionId));
        var unaudited = drillCases.Count(c => !submitted.Contains(c.Id));
        if (unknown > ledger.Reports.Count)
        {
            problems.Add($"more unacknowledged cases ({unknown}) than acknowledged ones: forms are being stored that nobody was told about");
        }

        if (unaudited > 0)
        {
            problems.Add($"{unaudited} saved report(s) without a report.submitted entry");
        }

        // Every acknowledged file decrypts to its hash; every saved file is audited; no file without its row.
        var keys = KeyRing.Load(new KeyRingOptions { Directory = Path.Combine(data, "keys") }, NullLogger.Instance);
        var cipher = new EnvelopeCipher(keys);
        var store = new FileEvidenceStore(Path.Combine(data, "evidence"), cipher);
        var rows = await db.EvidenceFiles.AsNoTracking().Select(e => new { e.Id, e.Sha256 }).ToDictionaryAsync(e => e.Id);
        var verified = 0;
        foreach (var file in ledger.Files)
        {
            if (!rows.TryGetValue(file.EvidenceId, out var row) || !row.Sha256.AsSpan().SequenceEqual(file.Sha256))
            {
                problems.Add($"acknowledged file {file.EvidenceId} of {file.Reference} has no row or another hash");
                continue;
            }

            await using var envelope = store.OpenRead(file.EvidenceId);
            var info = await cipher.DecryptAsync(envelope, Stream.Null);
            if (info.Sha256.AsSpan().SequenceEqual(file.Sha256))
            {
                verified++;
            }
            else
            {
                problems.Add($"acknowledged file {file.EvidenceId} decrypts to another hash");
            }
        }

        var added = audited.Where(e => e.Action == AuditActions.EvidenceAdded).Select(e => e.Subject).ToHashSet();
        var filesUnaudited = rows.Keys.Count(id => !added.Contains(id.ToString()));
        if (filesUnaudited > 0)
        {
            problems.Add($"{filesUnaudited} saved file(s) without an evidence.added entry");
        }

        var blobs = store.CommittedBlobs().Select(b => b.Id).ToList();
        var orphans = blobs.Count(id => !rows.ContainsKey(id)) + store.TemporaryBlobs().Count;
        var missing = rows.Keys.Count(id => !blobs.Contains(id));
        if (orphans > 0)
        {
            problems.Add($"{orphans} evidence file(s) without a row, or temporary, after recovery");
        }

        if (missing > 0)
        {
            problems.Add($"{missing} evidence row(s) without their file");
        }

        // The chain is intact.
        var verification = await new VerifyAuditTrail(db, keys).HandleAsync(CancellationToken.None);
        if (!verification.IsIntact)
        {
            problems.Add("audit chain broken: " + verification.Problem);
        }

        // No canary readable anywhere in the data directory (database, WAL, evidence, outbox).
        var canary = Encoding.UTF8.GetBytes("DRILL-CANARY-");
        var plaintext = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Count(path => File.ReadAllBytes(path).AsSpan().IndexOf(canary) >= 0);
        if (plaintext > 0)
        {
            problems.Add($"{plaintext} file(s) in the data directory hold form or email text in the clear");
        }

        // No partner told twice of the same referral (a resend after a crash carries the same
        // Message-ID, so mail clients show it once; two Message-IDs would be two emails), and no
        // referral recorded as notified without its email.
        var outbox = Path.Combine(data, "outbox");
        var referralMails = Directory.Exists(outbox)
            ? Directory.EnumerateFiles(outbox, "*.eml").Select(ReadHeaders).Where(h => h.Subject.StartsWith("New referral", StringComparison.Ordinal) || h.Subject.Contains("lähete", StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
        var twice = referralMails.GroupBy(h => (h.To, h.Subject)).Count(g => g.Select(h => h.MessageId).Distinct().Count() > 1);
        var resent = referralMails.Count - referralMails.DistinctBy(h => (h.To, h.Subject, h.MessageId)).Count();
        if (twice > 0)
        {
            problems.Add($"{twice} partner address(es) got the same referral in two different emails");
        }

        var notified = await db.ReferralAssignments.AsNoTracking().Where(a => a.NotifiedAt != null)
            .Join(db.Referrals, a => a.ReferralId, r => r.Id, (a, r) => r.CaseId)
            .Join(db.Cases, id => id, c => c.Id, (id, c) => c.Reference)
            .ToListAsync();
        var unmailed = notified.Count(reference => !referralMails.Any(h => h.Subject.EndsWith(reference, StringComparison.Ordinal)));
        if (unmailed > 0)
        {
            problems.Add($"{unmailed} referral(s) recorded as notified have no email in the outbox");
        }

        var referrals = await db.Referrals.AsNoTracking().CountAsync();
        return
        [
            ("reports acknowledged", ledger.Reports.Count.ToString(CultureInfo.InvariantCulture)),
            ("  of them with a re-issued key", ledger.Reissued.ToString(CultureInfo.InvariantCulture)),
            ("  open with their key", opened.ToString(CultureInfo.InvariantCulture)),
            ("cases stored (filed by the drill)", drillCases.Count.ToString(CultureInfo.InvariantCulture)),
            ("  stored, answer lost with the process", unknown.ToString(CultureInfo.InvariantCulture)),
            ("files acknowledged", ledger.Files.Count.ToString(CultureInfo.InvariantCulture)),
            ("  decrypt to their hash", verified.ToString(CultureInfo.InvariantCulture)),
            ("files stored", rows.Count.ToString(CultureInfo.InvariantCulture)),
            ("referrals (crisis line)", referrals.ToString(CultureInfo.InvariantCulture)),
            ("referral emails in the outbox", referralMails.Count.ToString(CultureInfo.InvariantCulture)),
            ("  referrals notified, each with its email", notified.Count.ToString(CultureInfo.InvariantCulture)),
            ("  sent again after a crash (same Message-ID)", resent.ToString(CultureInfo.InvariantCulture)),
            ("audit entries (chain verified)", verification.EntriesChecked.ToString(CultureInfo.InvariantCulture)),
            ("unaudited reports / files", $"{unaudited} / {filesUnaudited}"),
            ("orphan or missing files", $"{orphans} / {missing}"),
            ("files with plaintext", plaintext.ToString(CultureInfo.InvariantCulture)),
            ("duplicate partner emails", twice.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    private static (string To, string Subject, string MessageId) ReadHeaders(string path)
    {
        var message = MimeKit.MimeMessage.Load(path);
        return (string.Join(", ", message.To.Mailboxes.Select(m => m.Address)), message.Subject ?? "", message.MessageId ?? "");
    }

    private static string Hidden(string page, string name) =>
        Regex.Match(page, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"") is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : Regex.Match(page, $"value=\"([^\"]*)\"[^>]*name=\"{Regex.Escape(name)}\"").Groups[1].Value;

    private static string? TestId(string page, string id) =>
        Regex.Match(page, $"data-testid=\"{id}\">([^<]+)<") is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value).Trim() : null;

    private sealed record AcknowledgedReport(string Key, string SubmissionId);

    private sealed record AcknowledgedFile(string Reference, Guid EvidenceId, byte[] Sha256);

    private sealed class Ledger
    {
        public ConcurrentDictionary<string, AcknowledgedReport> Reports { get; } = new();

        public ConcurrentBag<AcknowledgedFile> Files { get; } = [];

        private int reissued;

        public int Reissued => reissued;

        public void CountReissue() => Interlocked.Increment(ref reissued);

        public void Acknowledge(string reference, string key, string submissionId) =>
            Reports[reference] = new AcknowledgedReport(key, submissionId);
    }
}
