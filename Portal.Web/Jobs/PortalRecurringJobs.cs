using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using Portal.Core.Features.Evidence.Intake;

namespace Portal.Web.Jobs;

/// <summary>
/// The recurring jobs: registered with their schedules (UTC) when a node that runs jobs starts,
/// and enqueued at once, outside their schedule, by the follow-up dispatcher.
/// </summary>
public sealed class PortalRecurringJobs(JobQueue queue, IOptions<JobsOptions> options, IOptions<IntakeOptions> intake)
{
    private sealed record Recurring(string Id, Job Job, string Queue, Func<JobsOptions, string> Schedule);

    private static readonly IReadOnlyList<Recurring> All =
    [
        new(PortalJobKeys.Retention, Job.FromExpression<RetentionJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.RetentionSchedule),
        new(PortalJobKeys.DailyDigest, Job.FromExpression<DailyDigestJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.DigestSchedule),
        new(PortalJobKeys.UrgentAlert, Job.FromExpression<UrgentUnclaimedAlertJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.RoutingQueue, o => o.UrgentAlertSchedule),
        new(PortalJobKeys.ReferralSweep, Job.FromExpression<ReferralSweeperJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.RoutingQueue, o => o.ReferralSweepSchedule),
        new(PortalJobKeys.ReferralEscalation, Job.FromExpression<ReferralEscalationJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.RoutingQueue, o => o.EscalationSchedule),
        new(PortalJobKeys.VictimNotifications, Job.FromExpression<VictimNotificationJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.VictimNotificationSchedule),
        new(PortalJobKeys.CampaignRecompute, Job.FromExpression<CampaignRecomputeJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.CampaignRecomputeSchedule),
        new(PortalJobKeys.EvidenceAnalysis, Job.FromExpression<EvidenceAnalysisJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.EvidenceAnalysisSchedule),
        new(PortalJobKeys.EvidenceCleanup, Job.FromExpression<EvidenceCleanupJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.EvidenceCleanupSchedule),
        new(PortalJobKeys.DeadlineReminders, Job.FromExpression<DeadlineReminderJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.DeadlineReminderSchedule),
        new(PortalJobKeys.CampaignActions, Job.FromExpression<CampaignActionJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.CampaignActionSchedule),
    ];

    private static readonly Recurring Intake =
        new(PortalJobKeys.ForwardingIntake, Job.FromExpression<ForwardingIntakeJob>(j => j.RunAsync(CancellationToken.None)), PortalJobKeys.DefaultQueue, o => o.ForwardingIntakeSchedule);

    /// <summary>The recurring jobs of this portal: the forwarding intake only where there is a mailbox to read.</summary>
    private IEnumerable<Recurring> Registered => intake.Value.Enabled ? [.. All, Intake] : All;

    /// <summary>Stores every recurring job with its schedule from configuration (a changed schedule replaces the old one).</summary>
    public void Register(IRecurringJobManager manager)
    {
        foreach (var job in Registered)
        {
            // The queue as a recurring job's option (obsolete in 1.8 in favour of a queue stored on the
            // job itself, which not every storage supports; this works on all of them).
#pragma warning disable CS0618
            manager.AddOrUpdate(job.Id, job.Job, job.Schedule(options.Value), new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc, QueueName = job.Queue });
#pragma warning restore CS0618
        }

        // Every minute only where there is a mailbox: an idle portal without one stays quiet.
        if (!intake.Value.Enabled)
        {
            manager.RemoveIfExists(PortalJobKeys.ForwardingIntake);
        }
    }

    /// <summary>Whether a node that starts reads the forwarding intake at once: there is a mailbox and a schedule for it.</summary>
    public bool ReadsIntakeAtStart => intake.Value.Enabled && options.Value.ForwardingIntakeSchedule != Cron.Never();

    /// <summary>Runs a recurring job now, unless a run of it is already queued and not yet started; returns the new job's id, or null.</summary>
    public string? Enqueue(string id)
    {
        var job = Registered.SingleOrDefault(j => j.Id == id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, "Not a recurring job of the portal.");
        return queue.Enqueue(PortalJobKeys.OfRecurring(id), job.Job, job.Queue, KeyedJob.OnceWhileWaiting);
    }
}

/// <summary>Registers the recurring jobs before the Hangfire server starts.</summary>
internal sealed class RecurringJobsRegistration(PortalRecurringJobs jobs, IRecurringJobManager manager, ILogger<RecurringJobsRegistration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        jobs.Register(manager);
        logger.LogInformation("Recurring jobs registered (schedules in UTC).");

        // Forwarded mail may have waited while the portal was down: read it now, not at the next
        // minute the schedule names (unless the schedule is off, as in tests that run it by hand).
        if (jobs.ReadsIntakeAtStart)
        {
            jobs.Enqueue(PortalJobKeys.ForwardingIntake);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
