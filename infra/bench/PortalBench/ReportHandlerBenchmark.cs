using System.Diagnostics;
using Portal.Core.Data;
using Portal.Core.Features.Reports;

namespace PortalBench;

/// <summary>
/// Report filing without HTTP (issue 12): <see cref="SubmitReportHandler"/>, registered as
/// Program.cs registers it, called by 16 concurrent callers in the benchmark process, against the
/// bare endpoint's one durable insert called the same way on the same database. Neither a load
/// generator nor MVC shares the two cores, so the figures move less from run to run than the
/// report-submission benchmark's, and a change to the handler or to the SQLite path shows in
/// them. Closed-loop rounds alternate the two, as in report-submission.
/// </summary>
internal static class ReportHandlerBenchmark
{
    private const int Callers = 16;
    private const int Rounds = 3;

    public static async Task<int> RunAsync(int reportsPerRound)
    {
        // The generated keys and the reports go with the run.
        await using var portal = await BenchPortal.CreateAsync(postgres: false);
        return await MeasureAsync(portal, reportsPerRound);
    }

    private static async Task<int> MeasureAsync(BenchPortal portal, int reportsPerRound)
    {
        await using var app = await portal.StartAsync();
        if (app is null)
        {
            return 1;
        }

        Console.WriteLine($"# Report handler benchmark (SQLite, synchronous=FULL), {Environment.ProcessorCount} cores, {Callers} callers, {reportsPerRound} reports per round, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Task FileAsync() => WithScopeAsync(app.Services, async services =>
        {
            var result = await services.GetRequiredService<SubmitReportHandler>().HandleAsync(NewReport(), CancellationToken.None);
            if (result is not SubmitReportResult.Submitted { Reissued: false })
            {
                throw new InvalidOperationException($"A report was not filed: {result}.");
            }
        });
        Task InsertAsync() => WithScopeAsync(app.Services, async services =>
        {
            var db = services.GetRequiredService<PortalDbContext>();
            db.Notices.Add(new Notice { Id = Guid.CreateVersion7(), TitleEn = "bench", BodyEn = "bench", PublishedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });

        // Warm-up: the JIT's tiers, the pools and SQLite's caches.
        await ClosedLoopAsync(FileAsync, reportsPerRound);
        await ClosedLoopAsync(InsertAsync, reportsPerRound);

        Console.WriteLine();
        Console.WriteLine("| round | reports (/s) | CPU per report (ms) | bare inserts (/s) | CPU per insert (ms) | reports / bare |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var rounds = new List<(double Reports, double ReportCpu, double Bare, double BareCpu)>();
        for (var round = 1; round <= Rounds; round++)
        {
            var (reports, reportCpu) = await ClosedLoopAsync(FileAsync, reportsPerRound);
            var (bare, bareCpu) = await ClosedLoopAsync(InsertAsync, reportsPerRound);
            rounds.Add((reports, reportCpu, bare, bareCpu));
            Console.WriteLine($"| {round} | {reports:0} | {reportCpu:0.000} | {bare:0} | {bareCpu:0.000} | {reports / bare:0.00} |");
        }

        Console.WriteLine($"| median | {Median(rounds.Select(r => r.Reports)):0} | {Median(rounds.Select(r => r.ReportCpu)):0.000} | {Median(rounds.Select(r => r.Bare)):0} | {Median(rounds.Select(r => r.BareCpu)):0.000} | {Median(rounds.Select(r => r.Reports / r.Bare)):0.00} |");
        Console.WriteLine();
        Console.WriteLine("CPU is the benchmark process's user and system time over the round, divided by the reports (or inserts) it made.");
        await app.StopAsync();
        return 0;
    }

    private static async Task WithScopeAsync(IServiceProvider services, Func<IServiceProvider, Task> work)
    {
        await using var scope = services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    /// <summary>Runs <paramref name="count"/> calls from <see cref="Callers"/> concurrent callers; the rate and the CPU per call.</summary>
    private static async Task<(double Rate, double CpuMilliseconds)> ClosedLoopAsync(Func<Task> call, int count)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            await Task.Yield();
            while (Interlocked.Increment(ref next) <= count)
            {
                await call();
            }
        }));
        clock.Stop();
        process.Refresh();
        return (count / clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalMilliseconds / count);
    }

    private static SubmitReport NewReport() => new()
    {
        WhatHappened = "An email said my therapy notes would be published unless I paid in bitcoin within 24 hours.",
        EmailReceivedOn = "2020-10-24",
        SenderAddress = "ransom@example.net",
        AmountDemanded = "200",
        Currency = "EUR",
        Paid = YesNoUnsure.No,
        DataPublished = YesNoUnsure.Unsure,
        BreachOrganisation = null,
        RiskSelfHarm = RiskAnswer.No,
        RiskImmediateDanger = RiskAnswer.No,
        ConsentPolice = true,
        ConsentCounselling = true,
        ContactPreference = ContactPreference.Email,
        ContactEmail = "victim@example.org",
        PreferredLanguage = "fi",
        SubmissionId = Guid.NewGuid(),
    };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
