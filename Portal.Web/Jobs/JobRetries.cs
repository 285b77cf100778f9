using System.Globalization;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using Portal.Core.Features.Jobs;

namespace Portal.Web.Jobs;

/// <summary>
/// The portal's retry policy for every job, in place of Hangfire's AutomaticRetry: a failed run
/// is scheduled again after exponential backoff with jitter (RetryBackoff), and after
/// Jobs:MaxAttempts the job is left in Hangfire's Failed state (on the dashboard, where an admin
/// requeues or deletes it), recorded in JobFailures and the admins are emailed by a job of its
/// own, retried like any other (a failed notification is recorded but does not notify about
/// itself). A job that failed for good holds nothing: other jobs, and other work of the same
/// kind, go on. Jobs therefore just throw on failure (SMTP down, database gone). While a job waits
/// for its retry it is in Hangfire's "retries" set, which the dashboard's Retries page lists, as
/// AutomaticRetry keeps it: added when the retry is scheduled, removed when the job leaves
/// Scheduled (run, requeued or deleted).
/// </summary>
internal sealed class JobRetries(IServiceScopeFactory scopes, IOptions<JobsOptions> options, ILogger<JobRetries> logger) : IElectStateFilter, IApplyStateFilter
{
    /// <summary>The set the dashboard's Retries page reads (Hangfire's name for it).</summary>
    internal const string RetriesSet = "retries";

    /// <summary>How the reason of a Scheduled state this filter chose begins: what tells a retry from a job scheduled for later.</summary>
    internal const string RetryReasonPrefix = "Retry: ";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed)
        {
            return;
        }

        var settings = options.Value;
        var attempts = context.GetJobParameter<int>(PortalJobKeys.FailedAttemptsParameter, allowStale: true) + 1;
        context.SetJobParameter(PortalJobKeys.FailedAttemptsParameter, attempts);
        var key = KeyOf(context.BackgroundJob.Id, name => context.GetJobParameter<string>(name, allowStale: true));

        // The exception type and the job only: a message could one day carry something it should not.
        var error = failed.Exception.GetType().Name;
        if (attempts < settings.MaxAttempts)
        {
            var delay = RetryBackoff.From(settings).DelayBefore(attempts);
            context.CandidateState = new ScheduledState(delay)
            {
                Reason = string.Create(CultureInfo.InvariantCulture, $"{RetryReasonPrefix}attempt {attempts} of {settings.MaxAttempts} failed ({error}); next in {delay:g}."),
            };
            logger.LogWarning("Job {Job} failed on attempt {Attempt} of {MaxAttempts} with {ErrorType}; retrying in {Delay}.", key, attempts, settings.MaxAttempts, error, delay);
            return;
        }

        failed.Reason = string.Create(CultureInfo.InvariantCulture, $"Failed {attempts} times; waiting for an admin to requeue or delete it.");

        // Recorded as the failed state is chosen, where the count is known (the parameter set
        // above is only written with the state change).
        RecordFailure(key, context.BackgroundJob.Id, attempts, failed.Exception);
    }

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        var jobId = context.BackgroundJob.Id;
        if (context.NewState is ScheduledState { Reason: { } reason } && reason.StartsWith(RetryReasonPrefix, StringComparison.Ordinal))
        {
            transaction.AddToSet(RetriesSet, jobId);
            return;
        }

        var key = KeyOf(jobId, name => context.GetJobParameter<string>(name, allowStale: true));

        // An admin requeued or deleted a job that had failed for good: it waits for nobody any more,
        // and a requeued job gets all its attempts again.
        if (context.OldStateName == FailedState.StateName && context.NewState is EnqueuedState or DeletedState)
        {
            if (context.NewState is EnqueuedState)
            {
                context.Connection.SetJobParameter(jobId, PortalJobKeys.FailedAttemptsParameter, "0");
            }

            Resolve(key);
            return;
        }

        // A success closes what an earlier run of the same work left failed (also a run after a restart that lost the failed job).
        if (context.NewState is SucceededState)
        {
            Resolve(key);
        }
    }

    /// <summary>A job leaving Scheduled (its retry came due, or an admin enqueued or deleted it) no longer waits for a retry.</summary>
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.OldStateName == ScheduledState.StateName)
        {
            transaction.RemoveFromSet(RetriesSet, context.BackgroundJob.Id);
        }
    }

    /// <summary>A job the portal did not key (none should exist) is recorded under its Hangfire id.</summary>
    private static string KeyOf(string jobId, Func<string, string?> parameter) => PortalJobKeys.Of(parameter) ?? $"hangfire.job-{jobId}";

    private void RecordFailure(string key, string jobId, int attempts, Exception error)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var failure = scope.ServiceProvider.GetRequiredService<JobFailuresHandler>()
                .RecordAsync(new FailedJob(key, $"job {jobId}", attempts, error), CancellationToken.None).GetAwaiter().GetResult();
            logger.LogError("Job {Job} failed {Attempts} times, last with {ErrorType}; recorded as failure {FailureId}.", key, attempts, error.GetType().Name, failure.Id);

            if (!key.StartsWith(PortalJobKeys.NotificationsGroup + ".", StringComparison.Ordinal))
            {
                scope.ServiceProvider.GetRequiredService<JobQueue>().Enqueue(
                    PortalJobKeys.OfFailureNotification(failure.Id),
                    Job.FromExpression<NotifyJobFailureJob>(j => j.RunAsync(failure.Id, CancellationToken.None)),
                    PortalJobKeys.DefaultQueue,
                    KeyedJob.OncePerKey);
            }
        }
        catch (Exception exception)
        {
            // The job stays failed on the dashboard; only the record and the email are missing.
            logger.LogError("Job {Job} failed for good, and recording that failed too ({ExceptionType}); it is only on the jobs dashboard.", key, exception.GetType().Name);
        }
    }

    private void Resolve(string key)
    {
        try
        {
            using var scope = scopes.CreateScope();
            scope.ServiceProvider.GetRequiredService<JobFailuresHandler>().ResolveAsync(key, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            // The next success of the same work resolves it; the digest counts it until then.
            logger.LogWarning("The failure record of job {Job} could not be marked resolved ({ExceptionType}).", key, exception.GetType().Name);
        }
    }
}
