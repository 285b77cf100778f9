using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Evidence.Indicators;

namespace PortalBench;

/// <summary>
/// Supervisor dashboard and campaigns (issues 4 and 6): how long recomputing campaigns takes, and
/// the latency of the dashboard, the campaign list and the largest campaign's page for 5
/// supervisors at once, at 1,000 and at 100,000 cases (the queue benchmark's data, which also
/// carries wallets, senders and first-response times).
/// </summary>
internal static class DashboardBenchmark
{
    private const int Supervisors = 5;

    public static async Task<int> RunAsync(string portalDll, int seconds)
    {
        var work = Directory.CreateTempSubdirectory("portal-dashboard-bench-");
        Console.WriteLine($"# Dashboard and campaigns benchmark, {Environment.ProcessorCount} cores, {Supervisors} supervisors, {seconds} s per phase, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            var dataDirectory = Path.Combine(work.FullName, "portal");
            using var portal = PortalProcess.Start(portalDll, work.FullName, new Dictionary<string, string> { ["Security__RequireTwoFactor"] = "false", ["RateLimits__SignInPermits"] = "1000" });
            await portal.WaitReadyAsync();

            await using var services = QueueBenchmark.Services(dataDirectory);
            var clients = await QueueBenchmark.SignInStaffAsync(services, portal.Address, StaffRoles.Supervisor, Supervisors);

            // The portal's own keys: campaigns compare keyed hashes of wallets and senders.
            var keys = KeyRing.Load(new KeyRingOptions { Directory = Path.Combine(dataDirectory, "keys") }, NullLogger.Instance);
            var sealing = new SealedIndicators(keys, new EnvelopeCipher(keys));

            await QueueBenchmark.SeedAsync(services, total: 1_000, open: 300, alreadyThere: 0);
            var small = await MeasureAsync(services, sealing, clients, TimeSpan.FromSeconds(seconds));
            await QueueBenchmark.SeedAsync(services, total: 100_000, open: 30_000, alreadyThere: 1_000);
            var large = await MeasureAsync(services, sealing, clients, TimeSpan.FromSeconds(seconds));

            Console.WriteLine();
            Console.WriteLine("| cases | recompute (s) | campaigns (largest) | page | requests | errors | p50 (ms) | p99 (ms) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (label, size) in new[] { ("1,000", small), ("100,000", large) })
            {
                foreach (var (page, phase) in size.Pages)
                {
                    Console.WriteLine($"| {label} | {size.Recompute.TotalSeconds:0.00} | {size.Campaigns} ({size.Largest}) | {page} | {phase.Count} | {phase.Errors} | {phase.P50:0.0} | {phase.P99:0.0} |");
                }
            }

            var dashboard = large.Pages["dashboard"];
            Console.WriteLine();
            Console.WriteLine($"target: dashboard p99 < 300 ms at 100,000 cases: {(dashboard.P99 < 300 ? "met" : "NOT met")} ({dashboard.P99:0.0} ms)");
            return dashboard.P99 < 300 && large.Pages.Values.Sum(p => p.Errors) + small.Pages.Values.Sum(p => p.Errors) == 0 ? 0 : 1;
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

    private sealed record Size(TimeSpan Recompute, int Campaigns, int Largest, Dictionary<string, Phase> Pages);

    private static async Task<Size> MeasureAsync(ServiceProvider services, SealedIndicators sealing, List<HttpClient> clients, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        Guid largest;
        int campaigns, members;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            // The scheduled recomputation records nothing; its trail needs a key only to be built.
            var keys = KeyRing.FromKeys([new MasterKey("bench", RandomNumberGenerator.GetBytes(32))], "bench", new Dictionary<string, byte[]> { [AuditTrail.SecretName] = RandomNumberGenerator.GetBytes(32) });
            var result = await new RecomputeCampaignsHandler(db, sealing, new AuditTrail(db, keys, TimeProvider.System), TimeProvider.System).HandleAsync(CancellationToken.None);
            campaigns = result.Campaigns;
            var top = await db.CampaignCases.GroupBy(m => m.CampaignId).Select(g => new { g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).FirstAsync();
            (largest, members) = (top.Key, top.Count);
        }

        var recompute = clock.Elapsed;
        var pages = new Dictionary<string, string> { ["dashboard"] = "/staff/dashboard", ["campaign list"] = "/staff/campaigns", ["campaign page"] = $"/staff/campaigns/{largest}" };
        foreach (var client in clients)
        {
            foreach (var url in pages.Values)
            {
                using var warm = await client.GetAsync(url);
            }
        }

        var latencies = pages.Keys.ToDictionary(k => k, _ => new List<double>());
        var errors = pages.Keys.ToDictionary(k => k, _ => 0);
        var gate = new Lock();
        var run = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (client, w) =>
        {
            var names = pages.Keys.ToArray();
            var n = w;
            while (run.Elapsed < duration)
            {
                var name = names[n++ % names.Length];
                var started = run.Elapsed;
                using var response = await client.GetAsync(pages[name]);
                await response.Content.ReadAsByteArrayAsync();
                lock (gate)
                {
                    latencies[name].Add((run.Elapsed - started).TotalMilliseconds);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        errors[name]++;
                    }
                }
            }
        }));
        return new Size(recompute, campaigns, members, pages.Keys.ToDictionary(k => k, k => Phase.From(latencies[k], errors[k], run.Elapsed)));
    }
}
