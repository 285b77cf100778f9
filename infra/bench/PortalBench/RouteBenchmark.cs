using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Routing;

namespace PortalBench;

/// <summary>
/// Routing throughput (issue 5): RouteReferralHandler, the code the routing jobs run, on the
/// embedded default (SQLite with the portal's pragmas, email written as .eml files to a pickup
/// directory). Phases: one referral per run (one job per referral) with 1, 4 and 10 concurrent
/// runs (10 was the thread pool of the job engine before Hangfire, which runs 2 workers), then the backlog drained in batches of 100
/// (HandleManyAsync) by 1 and 2 runs. Each referral gets what production gives it: partner
/// chosen with capacity counted, assignment recorded, audited in the hash chain, notification
/// claimed, sent and recorded. Compared with the report-submission intake rate in infra/bench/README.md.
/// </summary>
internal static class RouteBenchmark
{
    /// <summary>Report submissions per second measured by the report-submission benchmark (infra/bench/README.md).</summary>
    private const double IntakeRate = 660;

    public static async Task<int> RunAsync(int referralsPerPhase)
    {
        var work = Directory.CreateTempSubdirectory("portal-route-bench-");
        Console.WriteLine($"# Routing benchmark, {Environment.ProcessorCount} cores, {referralsPerPhase} referrals per phase, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            var outbox = Path.Combine(work.FullName, "outbox");
            await using var services = Services(work.FullName, outbox);
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.MigrateAsync();
            }

            await SeedPartnersAsync(services);
            var phases = new List<(string Name, Phase Result)>();
            foreach (var (workers, batch) in new[] { (1, 1), (4, 1), (10, 1), (1, 100), (2, 100) })
            {
                var ids = await SeedReferralsAsync(services, referralsPerPhase);
                var name = batch == 1 ? $"one per run, {workers} concurrent" : $"batches of {batch}, {workers} concurrent";
                phases.Add((name, await DrainAsync(services, ids, workers, batch)));
            }

            var mails = Directory.EnumerateFiles(outbox, "*.eml").Count();
            Console.WriteLine();
            Console.WriteLine("| routing runs | referrals | errors | rate (/s) | p50 per run (ms) | p99 per run (ms) | vs intake 660/s |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var (name, phase) in phases)
            {
                Console.WriteLine($"| {name} | {phase.Count} | {phase.Errors} | {phase.Rate:0} | {phase.P50:0.00} | {phase.P99:0.00} | {phase.Rate / IntakeRate:0.00}x |");
            }

            Console.WriteLine();
            var best = phases.Max(p => p.Result.Rate);
            var errors = phases.Sum(p => p.Result.Errors);
            var expectedMails = phases.Sum(p => p.Result.Count);
            Console.WriteLine($"emails written: {mails} for {expectedMails} referrals");
            Console.WriteLine($"target: routing drains at least twice the intake rate ({2 * IntakeRate:0}/s): {(best >= 2 * IntakeRate ? "met" : "NOT met")} ({best:0}/s, {best / IntakeRate:0.00}x)");
            return best >= 2 * IntakeRate && errors == 0 && mails == expectedMails ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
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

    private static ServiceProvider Services(string dataDirectory, string outbox)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortalDbContext(DatabaseProvider.Sqlite, _ => new DatabaseOptions(), dataDirectory);
        services.AddIdentityCore<StaffUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<PortalDbContext>();
        services.AddSingleton<IKeySource>(KeyRing.FromKeys(
            [new MasterKey("bench", RandomNumberGenerator.GetBytes(32))], "bench",
            new Dictionary<string, byte[]> { [AuditTrail.SecretName] = RandomNumberGenerator.GetBytes(32) }));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new EmailOptions { PickupDirectory = outbox }));
        services.AddSingleton(Options.Create(new RoutingOptions()));
        services.AddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddSingleton<EmailComposer>();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddScoped<AuditTrail>();
        services.AddScoped<RouteReferralHandler>();
        return services.BuildServiceProvider();
    }

    /// <summary>A crisis line, a counselling charity and a police unit, each with two staff, with capacity for the whole run.</summary>
    private static async Task SeedPartnersAsync(ServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var now = DateTime.UtcNow;
        foreach (var (name, type, crisis) in new[] { ("Crisis line", PartnerType.Counselling, true), ("Counselling", PartnerType.Counselling, false), ("Police", PartnerType.Police, false) })
        {
            var partner = new Partner { Name = name, Type = type, IsCrisisLine = crisis, Languages = ["en", "fi", "sv"], DailyCapacity = 1_000_000, ContactEmail = $"{type}{crisis}@partner.test".ToLowerInvariant(), Active = true, CreatedAt = now, UpdatedAt = now };
            db.Partners.Add(partner);
            await db.SaveChangesAsync();
            for (var i = 0; i < 2; i++)
            {
                var email = $"{partner.Id}-{i}@partner.test";
                db.Users.Add(new StaffUser { UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(), PartnerId = partner.Id, SecurityStamp = Guid.NewGuid().ToString() });
            }
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Cases with pending referrals, as triage decisions and urgent reports leave them: a third police, the rest counselling, a tenth urgent.</summary>
    private static async Task<List<long>> SeedReferralsAsync(ServiceProvider services, int count)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var now = DateTime.UtcNow;
        var narrative = RandomNumberGenerator.GetBytes(300);
        var referrals = new List<Referral>();
        for (var i = 0; i < count; i++)
        {
            var urgent = i % 10 == 0;
            var entity = new Case
            {
                Id = Guid.CreateVersion7(),
                Reference = "VS-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)),
                ReceiptHash = RandomNumberGenerator.GetBytes(32),
                SubmissionId = Guid.NewGuid(),
                Status = CaseStatus.Referred,
                Priority = urgent ? CasePriority.Urgent : CasePriority.Normal,
                CreatedAt = now,
                UpdatedAt = now,
                Language = (i % 3) switch { 0 => "fi", 1 => "sv", _ => "en" },
                Region = "uusimaa",
                NarrativeEnvelope = narrative,
                RiskSelfHarm = urgent,
                ConsentPolice = true,
                ConsentCounselling = true,
            };
            db.Cases.Add(entity);
            var referral = ReferralRules.Create(entity, i % 3 == 0 ? PartnerType.Police : PartnerType.Counselling, now);
            db.Referrals.Add(referral);
            referrals.Add(referral);
        }

        await db.SaveChangesAsync();
        return referrals.Select(r => r.Id).ToList();
    }

    /// <summary>Routes every id, <paramref name="batch"/> per run, with <paramref name="workers"/> runs at once; the count is referrals, latency per run.</summary>
    private static async Task<Phase> DrainAsync(ServiceProvider services, List<long> ids, int workers, int batch)
    {
        var chunks = ids.Chunk(batch).ToList();
        var next = -1;
        var errors = 0;
        var latencies = new List<double>[workers];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            latencies[w] = [];
            int index;
            while ((index = Interlocked.Increment(ref next)) < chunks.Count)
            {
                var started = clock.Elapsed;

                // One scope per run, as a job gets.
                await using var scope = services.CreateAsyncScope();
                var outcomes = await scope.ServiceProvider.GetRequiredService<RouteReferralHandler>().HandleManyAsync(chunks[index], CancellationToken.None);
                latencies[w].Add((clock.Elapsed - started).TotalMilliseconds);
                Interlocked.Add(ref errors, outcomes.Values.Count(o => o != RoutingOutcome.Routed));
            }
        })));
        var elapsed = clock.Elapsed;
        var perRun = latencies.SelectMany(l => l).ToList();
        var phase = Phase.From(perRun, errors, elapsed);
        return phase with { Count = ids.Count, Rate = ids.Count / elapsed.TotalSeconds };
    }
}
