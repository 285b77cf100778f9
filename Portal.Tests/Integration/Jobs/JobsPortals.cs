using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.Jobs;

/// <summary>A portal that runs the real Hangfire server: short retry waits and polling, recurring jobs that never come due so tests run them on demand.</summary>
public interface IJobsPortal
{
    Dictionary<string, string?> Extra { get; init; }
}

public static class JobsPortal
{
    public static readonly string Never = Cron.Never();

    public static IEnumerable<KeyValuePair<string, string?>> Settings(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jobs:Enabled"] = "true",
            ["Jobs:MaxAttempts"] = "3",
            ["Jobs:RetryBaseDelay"] = "00:00:00.100",
            ["Jobs:RetryMaxDelay"] = "00:00:00.500",
            ["Jobs:SchedulePollingInterval"] = "00:00:00.200",
            ["Jobs:QueuePollInterval"] = "00:00:01",
            ["Jobs:HeartbeatInterval"] = "00:00:02",
            ["Jobs:ServerTimeout"] = "00:00:10",
            // The dispatcher looks once at start-up; tests that are about its later looks shorten this.
            ["Jobs:DispatchInterval"] = "00:10:00",
            ["Email:From"] = "portal@test.example",
        };
        foreach (var id in new[] { "Retention", "Digest", "ReferralSweep", "Escalation", "UrgentAlert", "VictimNotification", "EvidenceAnalysis", "EvidenceCleanup", "CampaignRecompute", "DeadlineReminder", "ForwardingIntake" })
        {
            settings[$"Jobs:{id}Schedule"] = Never;
        }

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

    /// <summary>Runs a recurring job now, as the dispatcher does; returns its Hangfire job id.</summary>
    public static string RunRecurring(this PortalFactory factory, string recurringJobId) =>
        factory.Services.GetRequiredService<PortalRecurringJobs>().Enqueue(recurringJobId)
            ?? throw new InvalidOperationException($"A run of {recurringJobId} is already waiting.");

    /// <summary>Enqueues a job under a key, as the portal's services do; null when the key already has one.</summary>
    public static string? Enqueue(this PortalFactory factory, string key, Job job, KeyedJob rule = KeyedJob.OncePerKey) =>
        factory.Services.GetRequiredService<JobQueue>().Enqueue(key, job, PortalJobKeys.DefaultQueue, rule);

    /// <summary>The job's current state in Hangfire's storage ("Enqueued", "Processing", "Succeeded", "Failed"…), null for a job it does not know.</summary>
    public static string? JobState(this PortalFactory factory, string jobId)
    {
        using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    public static Task WaitForJobAsync(this PortalFactory factory, string jobId, string state, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => Task.FromResult(factory.JobState(jobId) == state), $"job {jobId} to be {state} (it is {factory.JobState(jobId)})", timeout);

    /// <summary>The last job enqueued under a key (what the queue would not duplicate).</summary>
    public static string? LastJobOf(this PortalFactory factory, string key) =>
        factory.Services.GetRequiredService<JobQueue>().LastOf(key);

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
/// A job of the tests' own, run by the real Hangfire server and the portal's retry filter: it
/// fails its first <c>failFirst</c> runs and then succeeds. Runs are counted per name.
/// </summary>
public sealed class FlakyJob
{
    public static readonly ConcurrentDictionary<string, int> Runs = new();

    public Task RunAsync(string name, int failFirst)
    {
        var run = Runs.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (run <= failFirst)
        {
            throw new InvalidOperationException($"planned failure {run} of {failFirst}");
        }

        return Task.CompletedTask;
    }

    public static Job For(string name, int failFirst) => Job.FromExpression<FlakyJob>(j => j.RunAsync(name, failFirst));
}

/// <summary>A long job of the tests' own: it holds its worker until the test releases its name (at most a minute).</summary>
public sealed class HoldingJob
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new();

    public static readonly ConcurrentDictionary<string, int> Started = new();

    public async Task RunAsync(string name)
    {
        Started.AddOrUpdate(name, 1, (_, n) => n + 1);
        await Gates.GetOrAdd(name, _ => new SemaphoreSlim(0)).WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>Lets every run under the name finish.</summary>
    public static void Release(string name) => Gates.GetOrAdd(name, _ => new SemaphoreSlim(0)).Release(100);

    public static Job For(string name) => Job.FromExpression<HoldingJob>(j => j.RunAsync(name));
}
