using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using Quartz;

namespace Portal.Tests.Integration.Jobs;

/// <summary>A portal that runs the real scheduler: short retry waits, recurring jobs parked far in the future so tests fire them on demand.</summary>
public interface IJobsPortal
{
    Dictionary<string, string?> Extra { get; init; }
}

public static class JobsPortal
{
    public const string Never = "0 0 0 1 1 ? 2099";

    public static IEnumerable<KeyValuePair<string, string?>> Settings(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jobs:Enabled"] = "true",
            ["Jobs:MaxAttempts"] = "3",
            ["Jobs:RetryBaseDelay"] = "00:00:00.100",
            ["Jobs:RetryMaxDelay"] = "00:00:00.500",
            ["Jobs:IdleWaitTime"] = "00:00:01",
            ["Jobs:RetentionSchedule"] = Never,
            ["Jobs:DigestSchedule"] = Never,
            ["Jobs:UrgentAlertSchedule"] = Never,
            ["Jobs:ReferralSweepSchedule"] = Never,
            ["Jobs:EscalationSchedule"] = Never,
            ["Email:From"] = "portal@test.example",
        };
        foreach (var (key, value) in TestMailbox.SmtpSettings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static async Task<IScheduler> SchedulerAsync(this PortalFactory factory) =>
        await factory.Services.GetRequiredService<ISchedulerFactory>().GetPortalScheduler();

    public static async Task<JobFailure> FailureOfAsync(this PortalFactory factory, string jobKey) =>
        await Eventually.WaitAsync(
            () => factory.QueryAsync(db => db.JobFailures.AsNoTracking().FirstOrDefaultAsync(f => f.JobKey == jobKey)),
            $"a recorded failure of {jobKey}");

    /// <summary>A port nothing listens on: SMTP "down".</summary>
    public static string ClosedPort() => TestMailbox.ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class SqliteJobsPortal : SqlitePortalFactory, IJobsPortal
{
    public Dictionary<string, string?> Extra { get; init; } = [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => JobsPortal.Settings(Extra);
}

public sealed class PostgresJobsPortal : PostgresPortalFactory, IJobsPortal
{
    public Dictionary<string, string?> Extra { get; init; } = [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => JobsPortal.Settings(Extra);
}

/// <summary>
/// A job of the tests' own, run by the real scheduler and the real retry middleware: it fails its
/// first "fail-first" runs (job data) and then succeeds. Runs are counted per job name.
/// </summary>
public sealed class FlakyJob : IJob
{
    public const string FailFirst = "fail-first";

    public static readonly ConcurrentDictionary<string, int> Runs = new();

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var failFirst = int.Parse(context.MergedJobDataMap.GetString(FailFirst) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var run = Runs.AddOrUpdate(context.JobDetail.Key.Name, 1, (_, n) => n + 1);
        if (run <= failFirst)
        {
            throw new InvalidOperationException($"planned failure {run} of {failFirst}");
        }

        return ValueTask.CompletedTask;
    }
}
