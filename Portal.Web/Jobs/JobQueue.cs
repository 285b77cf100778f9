using Quartz;

namespace Portal.Web.Jobs;

/// <summary>
/// One-off jobs, recovered after a crash. A job is removed once it has succeeded (its work is
/// idempotent, so enqueueing it again later is harmless) and kept, durable, after its final
/// failure so that an admin can retry it.
/// </summary>
public static class JobQueue
{
    /// <summary>
    /// Stores the job and a trigger that fires now; does nothing when a job with this key already
    /// exists, so callers may enqueue the same work any number of times. Returns whether it was new.
    /// </summary>
    public static async Task<bool> EnqueueAsync<TJob>(IScheduler scheduler, JobKey key, string? subject, IReadOnlyDictionary<string, string>? data, CancellationToken cancellationToken)
        where TJob : IJob
    {
        if (await scheduler.Exists(key, cancellationToken))
        {
            return false;
        }

        var job = JobBuilder.Create<TJob>()
            .WithIdentity(key)
            .RequestRecovery()
            .Build();
        if (subject is not null)
        {
            job.JobDataMap[PortalJobKeys.Subject] = subject;
        }

        foreach (var (name, value) in data ?? new Dictionary<string, string>())
        {
            job.JobDataMap[name] = value;
        }

        var trigger = TriggerBuilder.Create()
            .WithIdentity(key.Name, key.Group)
            .ForJob(key)
            .StartNow()
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        try
        {
            await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken);
            return true;
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node or request enqueued it between the check and the insert.
            return false;
        }
    }

    /// <summary>Runs a stored job again now, from its first attempt (an admin's "retry now").</summary>
    public static async Task<bool> RetryNowAsync(IScheduler scheduler, JobKey key, CancellationToken cancellationToken)
    {
        if (!await scheduler.Exists(key, cancellationToken))
        {
            return false;
        }

        await scheduler.TriggerJob(key, new JobDataMap { [PortalJobKeys.Attempt] = "1" }, cancellationToken);

        // After the new firing is stored, so the job always has a trigger and is not removed.
        await scheduler.UnscheduleJob(ParkedTrigger(key), cancellationToken);
        return true;
    }

    /// <summary>The paused trigger that keeps a one-off job that failed for good (see JobRetries).</summary>
    public static TriggerKey ParkedTrigger(JobKey key) => new($"{key.Name}.parked", key.Group);
}
