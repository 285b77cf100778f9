using System.Globalization;
using Microsoft.Extensions.Options;
using Portal.Core.Features.Jobs;
using Quartz;

namespace Portal.Web.Jobs;

/// <summary>
/// Wraps every job: a failure is retried with exponential backoff and jitter through a trigger of
/// its own (persistent, so a retry survives a restart), and after the last attempt the job is
/// recorded in JobFailures and admins are emailed (by a notification job that is itself retried).
/// Jobs therefore just throw on failure (SMTP down, database gone) and never swallow it.
/// </summary>
internal sealed class JobRetries(IServiceScopeFactory scopes, IOptions<JobsOptions> options, ILogger<JobRetries> logger) : IJobExecutionMiddleware
{
    public async ValueTask Invoke(IJobExecutionContext context, JobExecutionDelegate next, CancellationToken cancellationToken)
    {
        var attempt = AttemptOf(context.Trigger.JobDataMap);
        var key = context.JobDetail.Key;
        try
        {
            await next(context, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await FailedAsync(context, attempt, exception, cancellationToken);
            return;
        }

        if (attempt > 1)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<JobFailuresHandler>().ResolveAsync(PortalJobKeys.Name(key), cancellationToken);
        }
    }

    internal static int AttemptOf(JobDataMap data) =>
        data.TryGetValue(PortalJobKeys.Attempt, out var value) && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, out var attempt) && attempt > 0
            ? attempt
            : 1;

    private async Task FailedAsync(IJobExecutionContext context, int attempt, Exception exception, CancellationToken cancellationToken)
    {
        var key = context.JobDetail.Key;
        var settings = options.Value;

        // The exception type and the job only: a message could one day carry something it should not.
        if (attempt < settings.MaxAttempts)
        {
            var delay = RetryBackoff.From(settings).DelayBefore(attempt);
            var retry = TriggerBuilder.Create()
                .WithIdentity($"{key.Name}.retry-{attempt + 1}-{Guid.NewGuid():N}", key.Group)
                .ForJob(key)
                .StartAt(DateTimeOffset.UtcNow + delay)
                .UsingJobData(PortalJobKeys.Attempt, (attempt + 1).ToString(CultureInfo.InvariantCulture))
                .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
                .Build();
            await context.Scheduler.ScheduleJob(retry, cancellationToken: cancellationToken);
            logger.LogWarning("Job {Job} failed on attempt {Attempt} of {MaxAttempts} with {ErrorType}; retrying in {Delay}.",
                PortalJobKeys.Name(key), attempt, settings.MaxAttempts, exception.GetType().Name, delay);
            return;
        }

        // Kept so that an admin can retry it: a one-off job is otherwise removed with its last
        // trigger. A paused trigger that never comes due holds it (made durable here, the firing
        // that is completing would still remove it as the non-durable job it started as).
        if (!context.JobDetail.Durable)
        {
            var parked = TriggerBuilder.Create()
                .WithIdentity(JobQueue.ParkedTrigger(key))
                .ForJob(key)
                .StartAt(DateTimeOffset.UtcNow.AddYears(100))
                .Build();
            await context.Scheduler.ScheduleJob(parked, new ScheduleJobOptions { PauseReason = "failed for good: retry it from the jobs page" }, cancellationToken);
        }

        var subject = context.MergedJobDataMap.TryGetValue(PortalJobKeys.Subject, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        await using var scope = scopes.CreateAsyncScope();
        var failure = await scope.ServiceProvider.GetRequiredService<JobFailuresHandler>()
            .RecordAsync(new FailedJob(PortalJobKeys.Name(key), subject, attempt, exception), cancellationToken);
        logger.LogError("Job {Job} failed {Attempts} times, last with {ErrorType}; recorded as failure {FailureId}.",
            PortalJobKeys.Name(key), attempt, exception.GetType().Name, failure.Id);

        // A failed notification is recorded like any job, but does not notify about itself.
        if (key.Group != PortalJobKeys.NotificationsGroup)
        {
            await JobQueue.EnqueueAsync<NotifyJobFailureJob>(
                context.Scheduler,
                new JobKey($"job-failed-{failure.Id}", PortalJobKeys.NotificationsGroup),
                $"failure {failure.Id}",
                new Dictionary<string, string> { [PortalJobKeys.FailureId] = failure.Id.ToString(CultureInfo.InvariantCulture) },
                cancellationToken);
        }
    }
}
