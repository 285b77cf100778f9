using System.Diagnostics;
using System.Security.Cryptography;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Routing;
using Portal.Web.Jobs;

namespace PortalBench;

/// <summary>
/// Issue 13: how quickly the job engine starts urgent routing, and how fast it drains a backlog,
/// with the portal's default settings (2 workers, the production polling intervals) and its real
/// path: the referral row is committed as an urgent report commits it, the use case's nudge
/// (IFollowUpSignal) starts the referral sweep, the sweep gives the referral its job, the job
/// routes it and emails the crisis line (to a pickup directory).
/// <list type="bullet">
/// <item>Trickle: urgent referrals one at a time, a fixed gap apart. Per referral, Hangfire's own
/// timestamps give enqueue-to-start (the referral job's EnqueuedAt to StartedAt); nudge-to-start
/// adds the sweep before it.</item>
/// <item>Drain: a backlog of pending referrals, one nudge, the time until every one is assigned
/// and its email recorded, against twice the report-submission intake rate.</item>
/// </list>
/// </summary>
internal static class JobsLatencyBenchmark
{
    /// <summary>Report submissions per second measured by the report-submission benchmark (infra/bench/README.md).</summary>
    private const double IntakeRate = 660;

    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(150);

    public static async Task<int> RunAsync(string provider, int referrals)
    {
        var postgres = provider.Equals("postgres", StringComparison.OrdinalIgnoreCase);
        var outbox = Path.Combine(Path.GetTempPath(), "portal-bench-outbox-" + Guid.NewGuid().ToString("N"));
        await using var portal = await BenchPortal.CreateAsync(postgres, new Dictionary<string, string?> { ["Email:PickupDirectory"] = outbox });
        portal.AlsoRemove.Add(outbox);
        await using var app = await portal.StartAsync();
        if (app is null)
        {
            return 1;
        }

        var store = postgres ? "PostgreSQL (Hangfire.PostgreSql)" : "SQLite, Hangfire in memory";
        Console.WriteLine($"# Job engine latency and drain, {store}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        await SeedPartnersAsync(app.Services);
        var storage = app.Services.GetRequiredService<JobStorage>();
        var queue = app.Services.GetRequiredService<JobQueue>();
        var signal = app.Services.GetRequiredService<IFollowUpSignal>();

        // Settle: start-up's own look and the recurring jobs' registration.
        await Task.Delay(TimeSpan.FromSeconds(5));

        var nudged = new Dictionary<long, DateTime>();
        for (var i = 0; i < referrals; i++)
        {
            var id = (await SeedReferralsAsync(app.Services, 1, urgent: true))[0];
            nudged[id] = DateTime.UtcNow;
            signal.Notify(FollowUpWork.Routing);
            await Task.Delay(Gap);
        }

        await WaitRoutedAsync(app.Services, nudged.Keys.ToList(), TimeSpan.FromMinutes(5));
        var enqueueToStart = new List<double>();
        var nudgeToStart = new List<double>();
        var monitoring = storage.GetMonitoringApi();
        foreach (var (id, at) in nudged)
        {
            var job = queue.LastOf(PortalJobKeys.OfReferral(id));
            if (job is null)
            {
                continue;
            }

            var history = monitoring.JobDetails(job).History;
            var enqueued = history.LastOrDefault(h => h.StateName == "Enqueued");
            var processing = history.LastOrDefault(h => h.StateName == "Processing");
            if (enqueued is null || processing is null)
            {
                continue;
            }

            var started = Parse(processing.Data["StartedAt"]);
            enqueueToStart.Add((started - Parse(enqueued.Data["EnqueuedAt"])).TotalMilliseconds);
            nudgeToStart.Add((started - at).TotalMilliseconds);
        }

        // Drain: a backlog, one nudge.
        var backlog = await SeedReferralsAsync(app.Services, referrals * 15, urgent: false);
        var clock = Stopwatch.StartNew();
        signal.Notify(FollowUpWork.Routing);
        await WaitRoutedAsync(app.Services, backlog, TimeSpan.FromMinutes(10));
        var drainRate = backlog.Count / clock.Elapsed.TotalSeconds;
        var mails = Directory.Exists(outbox) ? Directory.EnumerateFiles(outbox, "*.eml").Count() : 0;
        await app.StopAsync();

        var target = postgres ? 5000 : 2000;
        Console.WriteLine();
        Console.WriteLine("| measurement | referrals | p50 (ms) | p99 (ms) | max (ms) |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| urgent referral, enqueue to start | {enqueueToStart.Count} | {P(enqueueToStart, 0.50):0} | {P(enqueueToStart, 0.99):0} | {enqueueToStart.DefaultIfEmpty().Max():0} |");
        Console.WriteLine($"| urgent referral, nudge (commit) to start | {nudgeToStart.Count} | {P(nudgeToStart, 0.50):0} | {P(nudgeToStart, 0.99):0} | {nudgeToStart.DefaultIfEmpty().Max():0} |");
        Console.WriteLine();
        Console.WriteLine($"drain: {backlog.Count} pending referrals routed in {clock.Elapsed.TotalSeconds:0.0} s: {drainRate:0}/s, {drainRate / IntakeRate:0.00}x the intake rate of {IntakeRate:0}/s");
        Console.WriteLine($"emails written: {mails} for {nudged.Count + backlog.Count} referrals");
        var latencyMet = enqueueToStart.Count == referrals && P(enqueueToStart, 0.99) <= target;
        var drainMet = drainRate >= 2 * IntakeRate;
        Console.WriteLine($"target: enqueue-to-start p99 at most {target} ms: {(latencyMet ? "met" : "NOT met")}; drain at least {2 * IntakeRate:0}/s: {(drainMet ? "met" : "NOT met")}");
        return latencyMet && mails == nudged.Count + backlog.Count && (postgres || drainMet) ? 0 : 1;
    }

    private static DateTime Parse(string value) => DateTime.SpecifyKind(Hangfire.Common.JobHelper.DeserializeDateTime(value), DateTimeKind.Utc);

    private static double P(List<double> values, double quantile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
    }

    private static async Task WaitRoutedAsync(IServiceProvider services, List<long> ids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var done = 0;
            foreach (var chunk in ids.Chunk(500))
            {
                done += await db.ReferralAssignments.CountAsync(a => chunk.Contains(a.ReferralId) && a.NotifiedAt != null);
            }

            if (done >= ids.Count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{done} of {ids.Count} referrals routed in {timeout}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A crisis line and a counselling charity for every region, with capacity for the whole run.</summary>
    private static async Task SeedPartnersAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var now = DateTime.UtcNow;
        foreach (var (name, crisis) in new[] { ("Crisis line", true), ("Counselling", false) })
        {
            db.Partners.Add(new Partner { Name = name, Type = PartnerType.Counselling, IsCrisisLine = crisis, Languages = ["en", "fi", "sv"], DailyCapacity = 1_000_000, ContactEmail = $"crisis-{crisis}@partner.test".ToLowerInvariant(), Active = true, CreatedAt = now, UpdatedAt = now });
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Cases with a pending counselling referral each, as an urgent report (or a triage decision) commits them.</summary>
    private static async Task<List<long>> SeedReferralsAsync(IServiceProvider services, int count, bool urgent)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var now = DateTime.UtcNow;
        var narrative = RandomNumberGenerator.GetBytes(300);
        var referrals = new List<Referral>();
        for (var i = 0; i < count; i++)
        {
            var entity = new Case
            {
                Id = Guid.CreateVersion7(),
                Reference = "VS-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)),
                ReceiptHash = RandomNumberGenerator.GetBytes(32),
                SubmissionId = Guid.NewGuid(),
                Status = CaseStatus.Received,
                Priority = urgent ? CasePriority.Urgent : CasePriority.Normal,
                CreatedAt = now,
                UpdatedAt = now,
                Language = (i % 3) switch { 0 => "fi", 1 => "sv", _ => "en" },
                Region = "uusimaa",
                NarrativeEnvelope = narrative,
                RiskSelfHarm = urgent,
                ConsentCounselling = true,
            };
            db.Cases.Add(entity);
            var referral = ReferralRules.Create(entity, PartnerType.Counselling, now);
            db.Referrals.Add(referral);
            referrals.Add(referral);
        }

        await db.SaveChangesAsync();
        return referrals.Select(r => r.Id).ToList();
    }
}
